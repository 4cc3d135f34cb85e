"""A client library for accessing Twilio Studio v1 Engagements"""

# From openapi/templates/: the clients are imported on first use, so that importing one
# model (as studio_engagements does) costs no more than that model.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .client import AuthenticatedClient, Client

__all__ = (
    "AuthenticatedClient",
    "Client",
)


def __getattr__(name: str) -> object:
    if name in __all__:
        from . import client

        value = getattr(client, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
