"""StudioClient and AsyncStudioClient: configuration, one connection pool, retries.

The twins share everything but sending and sleeping: each has a ``_send``, a ``_sleep`` (the
test hook for instant retries) and a three-line ``_get`` loop that awaits them or not; what to
do with each outcome is decided once, by :class:`~._retry.Attempts`.
"""

from __future__ import annotations

import functools
import inspect
import os
import time
import warnings
from types import ModuleType, TracebackType
from typing import TYPE_CHECKING, ClassVar, Generic, Self, TypeVar, cast

import httpx

from ._body import Answer
from ._config import (
    DEFAULT_MAX_RESPONSE_BYTES,
    DEFAULT_MAX_RETRIES,
    DEFAULT_TIMEOUT,
    Limits,
    Settings,
)
from ._request import build_request, request_headers
from ._resources import AsyncEngagements, AsyncFlows, AsyncSteps, Engagements, Flows, Steps
from ._retry import Attempts, OnRetry, RetryEvent

if TYPE_CHECKING:
    from ._deadline import DeadlineTransport

__all__ = ["AsyncStudioClient", "StudioClient"]

DEPRECATION = (
    "Twilio has deprecated Studio Engagements; new integrations should read Executions "
    "(GET /v1/Flows/{FlowSid}/Executions). This client keeps reading engagement history."
)
# What sending may raise. httpx.InvalidURL is not an httpx.HTTPError: httpx raises it from send()
# even with follow_redirects=False, when a 3xx has a Location it cannot resolve (e.g. "http:1").
_SEND_ERRORS = (httpx.HTTPError, httpx.InvalidURL)
# What a client sends through: a user's httpx client, or (no http_client given) its own.
HttpT = TypeVar("HttpT", "httpx.Client | DeadlineTransport", httpx.AsyncClient)
Sent = tuple[Answer | None, Exception | None]


class _ClientBase(Generic[HttpT]):
    """What both clients share: configuration, connections, options, the deprecation warning."""

    _http_type: ClassVar[type[httpx.Client | httpx.AsyncClient]]

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
        http_client: HttpT | None = None,
        max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES,
        on_retry: OnRetry | None = None,
    ) -> None:
        settings = Settings.resolve(
            account_sid=account_sid,
            auth_token=auth_token,
            api_key=api_key,
            api_secret=api_secret,
            region=region,
            edge=edge,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            max_response_bytes=max_response_bytes,
            environ=os.environ,
        )
        if http_client is not None and not isinstance(http_client, self._http_type):
            raise TypeError(
                f"http_client must be an httpx.{self._http_type.__name__}, "
                f"not {type(http_client).__name__}"
            )
        if on_retry is not None and not callable(on_retry):
            raise TypeError(f"on_retry must be callable, not {type(on_retry).__name__}")
        self._on_retry = on_retry
        self._wire(settings, http_client)

    def _wire(self, settings: Settings, http_client: HttpT | None) -> None:
        self._settings: Settings = settings
        self._owns_http: bool = http_client is None
        self._http: HttpT = (
            http_client
            if http_client is not None
            else cast(HttpT, _sending().new_http(self._http_type, settings.base_url))
        )
        self._warned = False
        # The bounds every response is read within; bodies are read into its buffers.
        self._limits = Limits(
            timeout=settings.timeout, max_bytes=settings.max_response_bytes, buffers=[]
        )

    def with_options(
        self,
        *,
        timeout: float | httpx.Timeout | None = None,
        max_retries: int | None = None,
        max_response_bytes: int | None = None,
    ) -> Self:
        """A client sharing this one's connections, with another timeout, retry count or cap."""
        clone = object.__new__(type(self))
        clone._on_retry = self._on_retry
        clone._wire(self._settings.evolve(timeout, max_retries, max_response_bytes), self._http)
        return clone

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

    def _attempts(self, url: httpx.URL, model: str) -> Attempts:
        """Start a GET of ``url``: warn once, build the request."""
        if not self._warned:
            self._warned = True
            warnings.warn(DEPRECATION, DeprecationWarning, stacklevel=_user_stacklevel())
        headers = request_headers(self._settings.authorization)
        request = build_request(self._http, url, headers, timeout=self.timeout)
        return Attempts(request, self.max_retries, model, self._on_retry)

    def __repr__(self) -> str:
        user = self._settings.credentials.account_sid or self._settings.credentials.username
        return f"{type(self).__name__}(account_sid={user!r}, base_url={self.base_url!r})"


class StudioClient(_ClientBase["httpx.Client | DeadlineTransport"]):
    """A client for Studio's List Engagements endpoint; a context manager, or close() it.

    ``on_retry``, if given, is called with a :class:`~studio_engagements.RetryEvent` for every
    retry, before the wait (``with_options`` keeps it); an exception it raises propagates to the
    caller of the request, with no further attempt.
    """

    _http_type = httpx.Client
    flows: Flows
    engagements: Engagements
    steps: Steps

    def _wire(
        self, settings: Settings, http_client: httpx.Client | DeadlineTransport | None
    ) -> None:
        super()._wire(settings, http_client)
        self.flows = Flows(self._get, settings.base_url)
        self.engagements = Engagements(self._get, settings.base_url)
        self.steps = Steps(self._get, settings.base_url)

    def _get(self, url: httpx.URL, model: str = "Page") -> object:
        """GET one page (or record: the ``_models`` class ``model``), retrying what may be
        retried; raise the typed error otherwise."""
        attempts = self._attempts(url, model)
        while isinstance(step := attempts.outcome(*self._send(attempts.request)), RetryEvent):
            self._sleep(step.wait)
        return step.value

    def _send(self, request: httpx.Request) -> Sent:
        try:
            return _sending().send(self._http, request, self._limits), None
        except _SEND_ERRORS as error:
            return None, error

    def _sleep(self, seconds: float) -> None:
        time.sleep(seconds)

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


class AsyncStudioClient(_ClientBase[httpx.AsyncClient]):
    """The asyncio twin of :class:`StudioClient`: same names; awaitables and async iterators."""

    _http_type = httpx.AsyncClient
    flows: AsyncFlows
    engagements: AsyncEngagements
    steps: AsyncSteps

    def _wire(self, settings: Settings, http_client: httpx.AsyncClient | None) -> None:
        super()._wire(settings, http_client)
        self.flows = AsyncFlows(self._get, settings.base_url)
        self.engagements = AsyncEngagements(self._get, settings.base_url)
        self.steps = AsyncSteps(self._get, settings.base_url)

    async def _get(self, url: httpx.URL, model: str = "Page") -> object:
        """GET one page (or record: the ``_models`` class ``model``), retrying what may be
        retried; raise the typed error otherwise."""
        attempts = self._attempts(url, model)
        while isinstance(step := attempts.outcome(*await self._send(attempts.request)), RetryEvent):
            await self._sleep(step.wait)
        return step.value

    async def _send(self, request: httpx.Request) -> Sent:
        try:
            return await _sending().send_async(self._http, request, self._limits), None
        except _SEND_ERRORS as error:
            return None, error

    async def _sleep(self, seconds: float) -> None:
        import anyio  # as in _bounded.send_async; imported on the first retry

        await anyio.sleep(seconds)

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


@functools.cache  # asked for on every request
def _sending() -> ModuleType:
    """``_bounded``: sending within the deadline and the cap, on httpcore (and anyio).

    Imported when the first request is sent or client made, not with the package: importing
    ``studio_engagements`` then costs little more than importing httpx, which itself imports
    httpcore only when a transport is made.
    """
    from . import _bounded

    return _bounded


def _user_stacklevel() -> int:
    """The stacklevel that points a warning at the first frame outside this package."""
    frame = inspect.currentframe()
    # From the caller of _attempts (what warnings.warn counts as stacklevel 2) outwards.
    frame = frame.f_back.f_back if frame is not None and frame.f_back is not None else None
    level = 2
    package = __package__ or ""
    while (
        frame is not None
        and frame.f_back is not None
        and frame.f_globals.get("__name__", "").startswith(package)
    ):
        frame = frame.f_back
        level += 1
    return level
