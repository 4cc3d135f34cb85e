"""A client library for accessing Twilio Studio v1 Engagements"""

from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)
