"""A typed client for Twilio Studio's List Engagements endpoint.

>>> from studio_engagements import StudioClient
>>> with StudioClient() as client:                       # doctest: +SKIP
...     for engagement in client.engagements.stream("FW..."):
...         print(engagement.sid, engagement.status)
"""

from ._client import AsyncStudioClient, StudioClient
from ._models import Engagement, EngagementStatus, Page, PageMeta
from ._version import __version__
from .errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    InvalidParameterError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    StudioError,
    TransportError,
    UnexpectedResponseError,
    UntrustedURLError,
)

__all__ = [
    "ApiError",
    "AsyncStudioClient",
    "AuthenticationError",
    "ConfigurationError",
    "Engagement",
    "EngagementStatus",
    "InvalidParameterError",
    "NotFoundError",
    "Page",
    "PageMeta",
    "RateLimitError",
    "ResponseTooLargeError",
    "ServerError",
    "StudioClient",
    "StudioError",
    "TransportError",
    "UnexpectedResponseError",
    "UntrustedURLError",
    "__version__",
]
