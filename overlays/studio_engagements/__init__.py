"""A typed client for Twilio Studio's List Engagements endpoint.

>>> from studio_engagements import StudioClient
>>> with StudioClient() as client:                       # doctest: +SKIP
...     for engagement in client.engagements.stream("FW..."):
...         print(engagement.sid, engagement.status)
"""

from typing import TYPE_CHECKING

from ._client import AsyncStudioClient, StudioClient
from ._version import __version__
from .errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    InvalidParameterError,
    NotFoundError,
    RateLimitError,
    RequestTimeoutError,
    ResponseTooLargeError,
    ServerError,
    StudioError,
    TransportError,
    UnexpectedResponseError,
    UnsupportedEncodingError,
    UntrustedURLError,
)

if TYPE_CHECKING:
    from ._models import Engagement, EngagementStatus, Page, PageMeta

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
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerError",
    "StudioClient",
    "StudioError",
    "TransportError",
    "UnexpectedResponseError",
    "UnsupportedEncodingError",
    "UntrustedURLError",
    "__version__",
]
_MODELS = frozenset({"Engagement", "EngagementStatus", "Page", "PageMeta"})


def __getattr__(name: str) -> object:
    # The generated models are imported on first use: `import studio_engagements` stays close
    # to `import httpx`, and a program's first page imports them anyway.
    if name in _MODELS:
        from . import _models

        value = getattr(_models, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
