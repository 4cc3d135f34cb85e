"""A typed client for Twilio Studio's List Engagements endpoint.

>>> from studio_engagements import StudioClient
>>> with StudioClient() as client:                       # doctest: +SKIP
...     for engagement in client.engagements.stream("FW..."):
...         print(engagement.sid, engagement.status)
"""

# ruff: noqa: F405 (the models in __all__ come from a star import, for type checkers)
import importlib
from typing import TYPE_CHECKING

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
    # The clients and models of __all__, for type checkers; at run time __getattr__ imports
    # them on first use.
    from ._client import AsyncStudioClient, StudioClient
    from ._models import *  # noqa: F403
    from ._retry import RetryEvent

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


# Names imported on first use: the clients bring httpx, the models attrs and msgspec. A program
# (or the CLI's --help) that needs neither does not pay for them.
_CLIENT_NAMES = {"StudioClient": "_client", "AsyncStudioClient": "_client", "RetryEvent": "_retry"}


def __getattr__(name: str) -> object:
    # Every other name of __all__ not defined above is a model (_response.models).
    if name in _CLIENT_NAMES:
        value = getattr(importlib.import_module(f".{_CLIENT_NAMES[name]}", __name__), name)
    elif name in __all__:
        from . import _response

        value = getattr(_response.models(), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value
