"""When to retry a request and how long to wait, and what each attempt's outcome means.

Shared by both clients: they only send the request and sleep the waits decided here. Each
outcome is a typed value: :class:`Done` (the body read) or a :class:`RetryEvent` (wait, then
send again), which the client's ``on_retry`` hook is given first.
"""

from __future__ import annotations

import email.utils
import logging
import math
import random
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, NamedTuple

import httpx

from ._body import Answer
from ._response import api_error, read_page
from .errors import RequestTimeoutError, TransportError

logger = logging.getLogger("studio_engagements")

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BASE_DELAY = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0


def retryable_exception(exc: BaseException) -> bool:
    """Failures where the request may not have been served: safe to repeat an idempotent GET."""
    return isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` (seconds or an HTTP date) as seconds from ``now``, at most 60, or None.

    None (the client's own backoff applies) when it is absent, unparseable, negative or a date
    already past: such a hint would mean retrying at once, with no backoff at all.
    """
    if not value:
        return None
    value = value.strip()
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = email.utils.parsedate_to_datetime(value)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - now).total_seconds()
    if math.isnan(seconds) or seconds < 0:
        return None
    return min(seconds, MAX_RETRY_AFTER)


def retry_delay(
    attempt: int,
    max_retries: int,
    *,
    status: int | None,
    retry_after: str | None,
    random: Callable[[], float],
    now: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> float | None:
    """Seconds to wait before retrying after failed attempt number ``attempt`` (0-based), or None.

    ``status`` is the response status, or None when the request failed with a retryable
    exception. The server's ``Retry-After`` wins; otherwise exponential backoff with full jitter.
    """
    if attempt >= max_retries:
        return None
    if status is not None and status not in RETRY_STATUSES:
        return None
    hinted = parse_retry_after(retry_after, now()) if status is not None else None
    if hinted is not None:
        return hinted
    return random() * min(MAX_BACKOFF, BASE_DELAY * 2.0**attempt)


class RetryEvent(NamedTuple):
    """One retry about to happen: given to ``on_retry`` before the client waits ``wait`` seconds.

    ``request`` is the request sent again; its URL never holds credentials (they travel in its
    ``Authorization`` header: do not log its headers).
    """

    attempt: int
    """The number of this retry: 1 for the first."""
    wait: float
    """Seconds the client waits before sending again."""
    reason: str
    """What failed, shortly: the status (``"429"``, ``"503"``) or the exception's class name
    (``"ConnectError"``, ``"ReadTimeout"``)."""
    status: int | None
    """The response status, or None when no response came (a connection error, a timeout)."""
    request: httpx.Request


class Done(NamedTuple):
    """The attempts are over: ``value`` is the body read (a page or a record)."""

    value: Any


OnRetry = Callable[[RetryEvent], object]
"""The clients' ``on_retry`` hook: called with each retry's event; what it raises propagates."""


class Attempts:
    """The attempts at one GET: what each outcome means, and how long to wait before the next."""

    def __init__(
        self,
        request: httpx.Request,
        max_retries: int,
        model: str = "Page",
        on_retry: OnRetry | None = None,
    ) -> None:
        self.request = request
        self._model = model
        self._max_retries = max_retries
        self._on_retry = on_retry
        self._attempt = 0
        self._started = time.monotonic()

    def outcome(self, answer: Answer | None, exc: Exception | None) -> Done | RetryEvent:
        """:class:`Done` with the body as the ``model`` (a page by default), or the
        :class:`RetryEvent` to wait for before sending again (``on_retry`` has been given it);
        raises the typed error when no attempt is left."""
        self._log(str(answer.status) if answer is not None else type(exc).__name__)
        if answer is not None and answer.status == 200:
            return Done(read_page(answer, self.request, self._model))
        if answer is not None:
            delay = retry_delay(
                self._attempt,
                self._max_retries,
                status=answer.status,
                retry_after=answer.headers.get("Retry-After"),
                random=random.random,
            )
            if delay is None:
                raise api_error(answer, self.request)
        else:
            assert exc is not None
            delay = None
            if retryable_exception(exc):
                delay = retry_delay(
                    self._attempt, self._max_retries, status=None, retry_after=None,
                    random=random.random,
                )  # fmt: skip
            if delay is None:
                timed_out = isinstance(exc, httpx.TimeoutException)
                raise (RequestTimeoutError if timed_out else TransportError)(
                    f"{type(exc).__name__}: {exc}".rstrip(": "),
                    url=str(self.request.url),
                    attempts=self._attempt + 1,
                ) from exc
        self._attempt += 1
        self._started = time.monotonic() + delay
        status = answer.status if answer is not None else None
        reason = str(status) if status is not None else type(exc).__name__
        # One INFO line per retry; its attributes (retry_url, retry_reason, retry_delay,
        # retry_number) are a published seam, e.g. for a progress display.
        logger.info(
            "retrying GET %s in %.1f s after %s (retry %d of %d)",
            self.request.url, delay, reason, self._attempt, self._max_retries,
            extra={"retry_url": str(self.request.url), "retry_reason": reason,
                   "retry_delay": delay, "retry_number": self._attempt},
        )  # fmt: skip
        event = RetryEvent(self._attempt, delay, reason, status, self.request)
        if self._on_retry is not None:
            self._on_retry(event)  # what it raises ends the request: the caller's decision
        return event

    def _log(self, outcome: str) -> None:
        """One DEBUG line per attempt; the URL never holds credentials (they travel in a header)."""
        if logger.isEnabledFor(logging.DEBUG):
            logger.debug(
                "GET %s -> %s in %.0f ms (attempt %d)",
                self.request.url,
                outcome,
                (time.monotonic() - self._started) * 1000,
                self._attempt + 1,
            )
