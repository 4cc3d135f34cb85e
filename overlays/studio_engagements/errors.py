"""Every error the client raises: one hierarchy rooted in :class:`StudioError`.

Our exception hierarchy:

* StudioError
  + ConfigurationError           the client cannot be set up (credentials, base URL, timeout...)
  + InvalidParameterError        an argument breaks the spec's rule (also a ValueError)
  + UntrustedURLError            a URL outside the configured origin: nothing is sent
  + TransportError               the network failed, after retries
    - RequestTimeoutError        a timeout or the request's deadline (also a TimeoutError)
  + UnexpectedResponseError      an answer that is not what the spec promises
    - ResponseTooLargeError      a body over max_response_bytes
    - UnsupportedEncodingError   a Content-Encoding the client did not ask for
  + ApiError                     an error status, after retries
    - AuthenticationError        401, 403
    - NotFoundError              404
    - RateLimitError             429
    - ServerError                5xx
"""

from __future__ import annotations

from ._text import clean, excerpt, redact_userinfo, short_repr

__all__ = [
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "InvalidParameterError",
    "NotFoundError",
    "RateLimitError",
    "RequestTimeoutError",
    "ResponseTooLargeError",
    "ServerError",
    "StudioError",
    "TransportError",
    "UnexpectedResponseError",
    "UnsupportedEncodingError",
    "UntrustedURLError",
]


class StudioError(Exception):
    """Base class of every error this package raises."""


class ConfigurationError(StudioError):
    """The client cannot be set up: missing credentials, a bad base URL, region or timeout."""


class InvalidParameterError(StudioError, ValueError):
    """An argument breaks a rule of the OpenAPI document; raised before anything is sent."""

    def __init__(self, parameter: str, value: object, rule: str) -> None:
        self.parameter = parameter
        self.value = value
        self.rule = rule
        super().__init__(f"{parameter}={short_repr(value)} is invalid: it must be {rule}")


class UntrustedURLError(StudioError):
    """A URL points outside the configured origin; credentials are not sent there."""

    def __init__(self, url: str, origin: str) -> None:
        self.url = url
        self.origin = origin
        super().__init__(
            f"refusing to send credentials to {short_repr(redact_userinfo(url))}: "
            f"it is not on the configured origin {origin}"
        )


class TransportError(StudioError):
    """The request failed on the network (after retries); ``__cause__`` is the httpx error."""

    def __init__(self, message: str, *, url: str, attempts: int) -> None:
        self.url = clean(url)
        self.attempts = attempts
        super().__init__(
            f"{clean(message)} (GET {self.url}, {attempts} attempt{'s' * (attempts != 1)})"
        )


class RequestTimeoutError(TransportError, TimeoutError):
    """A request timed out or outlasted its deadline (after retries); also a ``TimeoutError``."""


class UnexpectedResponseError(StudioError):
    """The API answered with something that is not what the spec promises."""

    def __init__(
        self,
        reason: str,
        *,
        status: int,
        url: str,
        body: bytes = b"",
        request_id: str | None = None,
    ) -> None:
        self.reason = clean(reason)
        self.status = status
        self.url = clean(url)
        self.excerpt = excerpt(body)
        self.request_id = None if request_id is None else clean(request_id, 200)
        super().__init__(
            f"unexpected response (HTTP {status}) from GET {self.url}: {self.reason}; "
            f"body starts {self.excerpt!r}"
        )


class ResponseTooLargeError(UnexpectedResponseError):
    """A page's body is over ``max_response_bytes``; not retried: it would come back the same.

    An :class:`UnexpectedResponseError`: no page of the API is that large, so the body is not
    what the spec promises, and code (and the CLI's exit code) that handles unexpected
    responses handles this one too.
    """

    def __init__(
        self,
        what: str,
        *,
        max_response_bytes: int,
        url: str,
        body: bytes = b"",
        request_id: str | None = None,
    ) -> None:
        self.max_response_bytes = max_response_bytes
        super().__init__(
            f"the page is larger than max_response_bytes={max_response_bytes:,}: {what}; "
            "raise the cap with StudioClient(max_response_bytes=...) or "
            "client.with_options(max_response_bytes=...) if such pages are expected",
            status=200,
            url=url,
            body=body,
            request_id=request_id,
        )


class UnsupportedEncodingError(UnexpectedResponseError):
    """A body in a Content-Encoding the client never asks for (``br``, ``zstd``, unknown).

    Not decoded (no decoder of them is bounded here) and not retried: it would come back the same.
    """

    def __init__(
        self, encoding: str, *, status: int, url: str, request_id: str | None = None
    ) -> None:
        self.encoding = clean(encoding, 200)
        super().__init__(
            f"the body is sent with Content-Encoding {self.encoding!r}; the client asks only for "
            "gzip or deflate (or none)",
            status=status,
            url=url,
            request_id=request_id,
        )


class ApiError(StudioError):
    """The API answered with an error status. Subclasses narrow it down by status."""

    def __init__(
        self,
        *,
        status: int,
        code: int | None,
        message: str,
        more_info: str | None,
        url: str,
        request_id: str | None,
    ) -> None:
        # What the server wrote is capped and cleaned before it reaches str(error) or a log.
        self.status = status
        self.code = code
        self.message = clean(message)
        self.more_info = None if more_info is None else clean(more_info)
        self.url = clean(url)
        self.request_id = None if request_id is None else clean(request_id, 200)
        details = [f"HTTP {status}"]
        if code is not None:
            details.append(f"Twilio code {code}")
        text = f"{self.message} ({', '.join(details)}; GET {self.url}"
        if self.request_id:
            text += f"; request {self.request_id}"
        if self.more_info:
            text += f"; see {self.more_info}"
        super().__init__(text + ")")


class AuthenticationError(ApiError):
    """401 or 403: the credentials are missing, wrong, or not allowed this resource."""


class NotFoundError(ApiError):
    """404: the flow (or the page) does not exist."""


class RateLimitError(ApiError):
    """429: too many requests, still refused after the retries."""


class ServerError(ApiError):
    """5xx: Twilio failed, still failing after the retries."""
