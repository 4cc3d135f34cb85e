"""StudioClient and AsyncStudioClient: configuration, one pooled httpx client, retries."""

from __future__ import annotations

import asyncio
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

from . import _protocol
from ._config import (
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Credentials,
    resolve_base_url,
    resolve_credentials,
    resolve_max_retries,
    resolve_timeout,
)
from ._models import Page
from ._resources import AsyncEngagements, Engagements
from ._retry import retry_delay, retryable_exception
from .errors import TransportError

__all__ = ["AsyncStudioClient", "StudioClient"]

# Module attributes so that tests can make waiting instant.
sleep: Callable[[float], None] = time.sleep
async_sleep: Callable[[float], Any] = asyncio.sleep


@attrs.frozen
class _Settings:
    """Everything a client is configured with, resolved and checked once."""

    credentials: Credentials
    base_url: httpx.URL
    timeout: httpx.Timeout
    max_retries: int
    authorization: str

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
    ) -> _Settings:
        credentials = resolve_credentials(account_sid, auth_token, api_key, api_secret, environ)
        return cls(
            credentials=credentials,
            base_url=resolve_base_url(base_url, region, edge, environ),
            timeout=resolve_timeout(timeout),
            max_retries=resolve_max_retries(max_retries),
            authorization=credentials.authorization(),
        )


class _ClientBase:
    """What both clients share: settings, repr, the one-time deprecation warning."""

    _settings: _Settings
    _owns_http: bool
    _warned: bool

    def _setup(self, settings: _Settings, owns_http: bool) -> None:
        self._settings = settings
        self._owns_http = owns_http
        self._warned = False

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
        """The timeout of every request."""
        return self._settings.timeout

    def _warn_once(self) -> None:
        if not self._warned:
            self._warned = True
            warnings.warn(_protocol.DEPRECATION, DeprecationWarning, stacklevel=_user_stacklevel())

    def _retry_delay(
        self, attempt: int, response: httpx.Response | None, exc: Exception | None
    ) -> float | None:
        if exc is not None:
            if not retryable_exception(exc):
                return None
            return retry_delay(
                attempt, self.max_retries, status=None, retry_after=None, random=random.random
            )
        assert response is not None
        return retry_delay(
            attempt,
            self.max_retries,
            status=response.status_code,
            retry_after=response.headers.get("Retry-After"),
            random=random.random,
        )

    def _give_up(
        self,
        request: httpx.Request,
        attempt: int,
        response: httpx.Response | None,
        exc: Exception | None,
    ) -> Exception:
        if exc is not None:
            error = TransportError(
                f"{type(exc).__name__}: {exc}".rstrip(": "),
                url=str(request.url),
                attempts=attempt + 1,
            )
            error.__cause__ = exc
            return error
        assert response is not None
        return _protocol.api_error(response)

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
    ) -> None:
        settings = _Settings.resolve(
            account_sid,
            auth_token,
            api_key,
            api_secret,
            region,
            edge,
            base_url,
            timeout,
            max_retries,
            os.environ,
        )
        if http_client is not None and not isinstance(http_client, httpx.Client):
            raise TypeError(
                f"http_client must be an httpx.Client, not {type(http_client).__name__}"
            )
        self._setup(settings, owns_http=http_client is None)
        self._http = (
            http_client if http_client is not None else httpx.Client(follow_redirects=False)
        )
        self.engagements = Engagements(self)

    def with_options(
        self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None
    ) -> StudioClient:
        """A client sharing this one's connections, with another timeout or retry count."""
        clone = object.__new__(StudioClient)
        clone._setup(_evolve(self._settings, timeout, max_retries), owns_http=False)
        clone._http = self._http
        clone.engagements = Engagements(clone)
        return clone

    def _get(self, url: httpx.URL) -> Page:
        """GET one page, retrying what may be retried; raise the typed error otherwise."""
        self._warn_once()
        request = _protocol.build_request(
            self._http, url, authorization=self._settings.authorization, timeout=self.timeout
        )
        attempt = 0
        while True:
            started = time.monotonic()
            response: httpx.Response | None = None
            exc: Exception | None = None
            try:
                response = self._http.send(request, follow_redirects=False)
            except httpx.HTTPError as error:
                exc = error
            _protocol.log_attempt(
                request, _outcome(response, exc), time.monotonic() - started, attempt
            )
            if response is not None and response.status_code == 200:
                return _protocol.read_page(response)
            delay = self._retry_delay(attempt, response, exc)
            if delay is None:
                raise self._give_up(request, attempt, response, exc)
            sleep(delay)
            attempt += 1

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
    ) -> None:
        settings = _Settings.resolve(
            account_sid,
            auth_token,
            api_key,
            api_secret,
            region,
            edge,
            base_url,
            timeout,
            max_retries,
            os.environ,
        )
        if http_client is not None and not isinstance(http_client, httpx.AsyncClient):
            raise TypeError(
                f"http_client must be an httpx.AsyncClient, not {type(http_client).__name__}"
            )
        self._setup(settings, owns_http=http_client is None)
        self._http = (
            http_client if http_client is not None else httpx.AsyncClient(follow_redirects=False)
        )
        self.engagements = AsyncEngagements(self)

    def with_options(
        self, *, timeout: float | httpx.Timeout | None = None, max_retries: int | None = None
    ) -> AsyncStudioClient:
        """A client sharing this one's connections, with another timeout or retry count."""
        clone = object.__new__(AsyncStudioClient)
        clone._setup(_evolve(self._settings, timeout, max_retries), owns_http=False)
        clone._http = self._http
        clone.engagements = AsyncEngagements(clone)
        return clone

    async def _get(self, url: httpx.URL) -> Page:
        """GET one page, retrying what may be retried; raise the typed error otherwise."""
        self._warn_once()
        request = _protocol.build_request(
            self._http, url, authorization=self._settings.authorization, timeout=self.timeout
        )
        attempt = 0
        while True:
            started = time.monotonic()
            response: httpx.Response | None = None
            exc: Exception | None = None
            try:
                response = await self._http.send(request, follow_redirects=False)
            except httpx.HTTPError as error:
                exc = error
            _protocol.log_attempt(
                request, _outcome(response, exc), time.monotonic() - started, attempt
            )
            if response is not None and response.status_code == 200:
                return _protocol.read_page(response)
            delay = self._retry_delay(attempt, response, exc)
            if delay is None:
                raise self._give_up(request, attempt, response, exc)
            await async_sleep(delay)
            attempt += 1

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


def _evolve(
    settings: _Settings, timeout: float | httpx.Timeout | None, max_retries: int | None
) -> _Settings:
    return attrs.evolve(
        settings,
        timeout=settings.timeout if timeout is None else resolve_timeout(timeout),
        max_retries=settings.max_retries
        if max_retries is None
        else resolve_max_retries(max_retries),
    )


def _user_stacklevel() -> int:
    """The stacklevel that points a warning at the first frame outside this package."""
    frame = sys._getframe(2)
    level = 2
    while frame.f_back is not None and frame.f_globals.get("__name__", "").startswith(
        __package__ or ""
    ):
        frame = frame.f_back
        level += 1
    return level


def _outcome(response: httpx.Response | None, exc: Exception | None) -> str:
    return str(response.status_code) if response is not None else type(exc).__name__
