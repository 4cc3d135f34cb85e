"""When to retry a request and how long to wait: pure functions shared by both clients."""

from __future__ import annotations

import email.utils
import math
from collections.abc import Callable
from datetime import UTC, datetime

import httpx

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BASE_DELAY = 0.5
MAX_BACKOFF = 8.0
MAX_RETRY_AFTER = 60.0


def retryable_exception(exc: BaseException) -> bool:
    """Failures where the request may not have been served: safe to repeat an idempotent GET."""
    return isinstance(exc, httpx.TimeoutException | httpx.NetworkError | httpx.RemoteProtocolError)


def parse_retry_after(value: str | None, now: datetime) -> float | None:
    """``Retry-After`` (seconds or an HTTP date) as capped seconds from ``now``, or None."""
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
    if math.isnan(seconds):
        return None
    return min(max(seconds, 0.0), MAX_RETRY_AFTER)


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
