"""StudioClient and AsyncStudioClient: configuration, one pooled httpx client, retries.

The two clients differ only in how they send and wait; what to do with each outcome is
decided once, by :class:`_Attempts`.
"""

from __future__ import annotations

import os
import random
import sys
import time
import warnings
from collections.abc import Callable, Mapping
from types import TracebackType
from typing import Any, Self

import attrs
import httpx

from . import _bounded, _protocol
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Credentials,
    resolve_base_url,
    resolve_credentials,
    resolve_max_response_bytes,
    resolve_max_retries,
    resolve_timeout,
)
from ._models import Page
from ._resources import AsyncEngagements, Engagements
from ._retry import retry_delay, retryable_exception
from .errors import TransportError

__all__ = ["AsyncStudioClient", "StudioClient"]

# What sending may raise. httpx.InvalidURL is not an httpx.HTTPError: httpx raises it from send()
# even with follow_redirects=False, when a 3xx has a Location it cannot resolve (e.g. "http:1").
_SEND_ERRORS = (httpx.HTTPError, httpx.InvalidURL)


async def _asyncio_sleep(seconds: float) -> None:
    # Imported here: asyncio costs more to import than the rest of this package, and a
    # program that uses AsyncStudioClient has it imported already.
    import asyncio

    await asyncio.sleep(seconds)


# Module attributes so that tests can make waiting instant.
sleep: Callable[[float], None] = time.sleep
async_sleep: Callable[[float], Any] = _asyncio_sleep


@attrs.frozen
class _Settings:
    """Everything a client is configured with, resolved and checked once."""

    credentials: Credentials
    base_url: httpx.URL
    timeout: httpx.Timeout
    max_retries: int
    authorization: str = attrs.field(repr=False)  # the secret, base64-encoded
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    @classmethod
    def resolve(
        cls,
        account_sid: str | None,
        auth_token: str | None,
        api_key: str | None,
        api_secret: str | None,
        region: str | None,
        edge: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        environ: Mapping[str, str],
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> _Settings:
        credentials = resolve_credentials(account_sid, auth_token, api_key, api_secret, environ)
        return cls(
            credentials=credentials,
            base_url=resolve_base_url(base_url, region, edge, environ),
            timeout=resolve_timeout(timeout),
            max_retries=resolve_max_retries(max_retries),
            authorization=credentials.authorization(),
            max_response_bytes=resolve_max_response_bytes(max_response_bytes),
        )

    def evolve(
        self,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        max_response_bytes: int | None = None,
    ) -> _Settings:
        """These settings with another timeout, retry count or cap (None keeps the current one)."""
        return attrs.evolve(
            self,
            timeout=self.timeout if timeout is None else resolve_timeout(timeout),
            max_retries=self.max_retries
            if max_retries is None
            else resolve_max_retries(max_retries),
            max_response_bytes=self.max_response_bytes
            if max_response_bytes is None
            else resolve_max_response_bytes(max_response_bytes),
        )


class _Attempts:
    """The attempts at one GET: what each outcome means, and how long to wait before the next."""

    def __init__(self, request: httpx.Request, max_retries: int) -> None:
        self.request = request
        self._max_retries = max_retries
        self._attempt = 0
        self._started = time.monotonic()

    def outcome(self, response: httpx.Response | None, exc: Exception | None) -> Page | float:
        """The page, or the seconds to wait before retrying; raises the typed error when done."""
        _protocol.log_attempt(
            self.request,
            str(response.status_code) if response is not None else type(exc).__name__,
            time.monotonic() - self._started,
            self._attempt,
        )
        if response is not None and response.status_code == 200:
            return _protocol.read_page(response)
        if response is not None:
            delay = retry_delay(
                self._attempt,
                self._max_retries,
                status=response.status_code,
                retry_after=response.headers.get("Retry-After"),
                random=random.random,
            )
            if delay is None:
                raise _protocol.api_error(response)
        else:
            assert exc is not None
            delay = None
            if retryable_exception(exc):
                delay = retry_delay(
                    self._attempt,
                    self._max_retries,
                    status=None,
                    retry_after=None,
                    random=random.random,
                )
            if delay is None:
                raise TransportError(
                    f"{type(exc).__name__}: {exc}".rstrip(": "),
                    url=str(self.request.url),
                    attempts=self._attempt + 1,
                ) from exc
        self._attempt += 1
        self._started = time.monotonic() + delay
        return delay


class _ClientBase:
    """What both clients share: settings, repr, the one-time deprecation warning."""

    _settings: _Settings
    _owns_http: bool
    _warned: bool

    def _setup(self, settings: _Settings, owns_http: bool) -> None:
        self._settings = settings
        self._owns_http = owns_http
        self._warned = False
        self._buffers: list[bytearray] = []  # bodies are read into these, one per request

    @property
    def base_url(self) -> str:
        """Where requests go, e.g. ``https://studio.twilio.com``."""
        return str(self._settings.base_url)

    @property
    def max_retries(self) -> int:
        """Retries per request after the first attempt; 0 disables them."""
        return self._settings.max_retries

    @property
    def timeout(self) -> httpx.Timeout:
        """The timeout of every request: also its deadline, connect to last byte (plus 1 s)."""
        return self._settings.timeout

    @property
    def max_response_bytes(self) -> int:
        """The largest response body read; a larger page raises ResponseTooLargeError."""
        return self._settings.max_response_bytes

    def _attempts(self, http: httpx.Client | httpx.AsyncClient, url: httpx.URL) -> _Attempts:
        """Start a GET of ``url``: warn once, build the request."""
        if not self._warned:
            self._warned = True
            warnings.warn(_protocol.DEPRECATION, DeprecationWarning, stacklevel=_user_stacklevel())
        request = _protocol.build_request(
            http, url, authorization=self._settings.authorization, timeout=self.timeout
        )
        return _Attempts(request, self.max_retries)

    def __repr__(self) -> str:
        user = self._settings.credentials.account_sid or self._settings.credentials.username
        return f"{type(self).__name__}(account_sid={user!r}, base_url={self.base_url!r})"


class StudioClient(_ClientBase):
    """A client for Studio's List Engagements endpoint; a context manager, or close() it."""

    engagements: Engagements

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        region: str | None = None,
        edge: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        settings = _Settings.resolve(
            account_sid, auth_token, api_key, api_secret, region, edge, base_url, timeout,
            max_retries, os.environ, max_response_bytes,
        )  # fmt: skip
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise TypeError(
                f"http_client must be an httpx.Client, not {type(http_client).__name__}"
            )
        self._wire(settings, http_client)

    def _wire(self, settings: _Settings, http_client: httpx.Client | None) -> None:
        self._setup(settings, owns_http=http_client is None)
        self._http = (
            http_client if http_client is not None else httpx.Client(follow_redirects=False)
        )
        self.engagements = Engagements(self)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
    ) -> StudioClient:
        """A client sharing this one's connections, with another timeout, retry count or cap."""
        clone = object.__new__(StudioClient)
        clone._wire(self._settings.evolve(timeout, max_retries, max_response_bytes), self._http)
        return clone

    def _get(self, url: httpx.URL) -> Page:
        """GET one page, retrying what may be retried; raise the typed error otherwise."""
        attempts = self._attempts(self._http, url)
        while True:
            response, exc = None, None
            try:
                response = _bounded.send(
                    self._http,
                    attempts.request,
                    timeout=self.timeout,
                    max_bytes=self.max_response_bytes,
                    buffers=self._buffers,
                )
            except _SEND_ERRORS as error:
                exc = error
            result = attempts.outcome(response, exc)
            if isinstance(result, Page):
                return result
            sleep(result)

    def close(self) -> None:
        """Close the connection pool (unless it was passed in: then its owner closes it)."""
        if self._owns_http:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncStudioClient(_ClientBase):
    """The asyncio twin of :class:`StudioClient`: same names; awaitables and async iterators."""

    engagements: AsyncEngagements

    def __init__(
        self,
        account_sid: str | None = None,
        auth_token: str | None = None,
        *,
        api_key: str | None = None,
        api_secret: str | None = None,
        region: str | None = None,
        edge: str | None = None,
        base_url: str | None = None,
        timeout: float | httpx.Timeout = DEFAULT_TIMEOUT,
        max_retries: int = DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
    ) -> None:
        settings = _Settings.resolve(
            account_sid, auth_token, api_key, api_secret, region, edge, base_url, timeout,
            max_retries, os.environ, max_response_bytes,
        )  # fmt: skip
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError(
                f"http_client must be an httpx.AsyncClient, not {type(http_client).__name__}"
            )
        self._wire(settings, http_client)

    def _wire(self, settings: _Settings, http_client: httpx.AsyncClient | None) -> None:
        self._setup(settings, owns_http=http_client is None)
        self._http = (
            http_client if http_client is not None else httpx.AsyncClient(follow_redirects=False)
        )
        self.engagements = AsyncEngagements(self)

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
    ) -> AsyncStudioClient:
        """A client sharing this one's connections, with another timeout, retry count or cap."""
        clone = object.__new__(AsyncStudioClient)
        clone._wire(self._settings.evolve(timeout, max_retries, max_response_bytes), self._http)
        return clone

    async def _get(self, url: httpx.URL) -> Page:
        """GET one page, retrying what may be retried; raise the typed error otherwise."""
        attempts = self._attempts(self._http, url)
        while True:
            response, exc = None, None
            try:
                response = await _bounded.send_async(
                    self._http,
                    attempts.request,
                    timeout=self.timeout,
                    max_bytes=self.max_response_bytes,
                    buffers=self._buffers,
                )
            except _SEND_ERRORS as error:
                exc = error
            result = attempts.outcome(response, exc)
            if isinstance(result, Page):
                return result
            await async_sleep(result)

    async def aclose(self) -> None:
        """Close the connection pool (unless it was passed in: then its owner closes it)."""
        if self._owns_http:
            await self._http.aclose()

    async def close(self) -> None:
        """The same as :meth:`aclose`."""
        await self.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


def _user_stacklevel() -> int:
    """The stacklevel that points a warning at the first frame outside this package."""
    frame = sys._getframe(2)
    level = 2
    package = __package__ or ""
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(package):
        frame = frame.f_back
        level += 1
    return level
