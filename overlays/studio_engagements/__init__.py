"""A typed client for Twilio Studio's List Engagements endpoint.

>>> from studio_engagements import StudioClient
>>> with StudioClient() as client:                       # doctest: +SKIP
...     for engagement in client.engagements.stream("FW..."):
...         print(engagement.sid, engagement.status)
"""

# ruff: noqa: F405 (the models in __all__ come from a star import, for type checkers)
from typing import TYPE_CHECKING

from . import _response
from ._client import AsyncStudioClient, StudioClient
from ._retry import RetryEvent
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
    # The models of __all__, for type checkers; at run time __getattr__ imports them.
    from ._models import *  # noqa: F403

__all__ = [
    "ApiError",
    "AsyncStudioClient",
    "AuthenticationError",
    "ConfigurationError",
    "Engagement",
    "EngagementContext",
    "EngagementStatus",
    "Flow",
    "FlowPage",
    "FlowStatus",
    "InvalidParameterError",
    "NotFoundError",
    "Page",
    "PageMeta",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "RetryEvent",
    "ServerError",
    "Step",
    "StepContext",
    "StepPage",
    "StudioClient",
    "StudioError",
    "TransportError",
    "UnexpectedResponseError",
    "UnsupportedEncodingError",
    "UntrustedURLError",
    "__version__",
]


def __getattr__(name: str) -> object:
    # Every name of __all__ not defined above is a model, imported on first use (_response.models).
    if name in __all__:
        value = getattr(_response.models(), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
