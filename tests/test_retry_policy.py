"""The retry decision: a pure function of the attempt, the outcome and the server's hint."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx
import pytest

from studio_engagements._retry import (
    MAX_BACKOFF,
    MAX_RETRY_AFTER,
    parse_retry_after,
    retry_delay,
    retryable_exception,
)

NOW = datetime(2026, 1, 1, 12, 0, 0, tzinfo=UTC)


def delay(
    attempt: int,
    status: int | None,
    retry_after: str | None = None,
    max_retries: int = 2,
    rnd: float = 1.0,
) -> float | None:
    return retry_delay(
        attempt,
        max_retries,
        status=status,
        retry_after=retry_after,
        random=lambda: rnd,
        now=lambda: NOW,
    )


@pytest.mark.parametrize("status", [429, 500, 502, 503, 504, None])
def test_retryable_outcomes_are_retried_until_max(status: int | None) -> None:
    assert delay(0, status) is not None
    assert delay(1, status) is not None
    assert delay(2, status) is None


@pytest.mark.parametrize("status", [400, 401, 403, 404, 405, 409, 501])
def test_other_statuses_are_final(status: int) -> None:
    assert delay(0, status) is None


def test_zero_max_retries_disables() -> None:
    assert delay(0, 503, max_retries=0) is None


def test_backoff_is_exponential_with_full_jitter() -> None:
    assert [delay(a, 500, max_retries=10) for a in range(6)] == [
        0.5,
        1.0,
        2.0,
        4.0,
        MAX_BACKOFF,
        MAX_BACKOFF,
    ]
    assert delay(3, 500, max_retries=10, rnd=0.25) == 1.0
    assert delay(3, 500, max_retries=10, rnd=0.0) == 0.0


@pytest.mark.parametrize(
    ("header", "seconds"),
    [
        ("3", 3.0),
        ("0", 0.0),
        ("1.5", 1.5),
        ("100000", MAX_RETRY_AFTER),
        ("inf", MAX_RETRY_AFTER),
        ("Wed, 01 Jan 2026 12:00:07 GMT", 7.0),
        ("Wed, 01 Jan 2026 12:00:00 GMT", 0.0),
    ],
)
def test_retry_after_is_honoured_and_capped(header: str, seconds: float) -> None:
    assert delay(0, 429, header, rnd=0.123) == seconds
    assert parse_retry_after(header, NOW) == seconds


# Negative or past: honouring them would retry at once, with no backoff at all.
@pytest.mark.parametrize(
    "header", ["soon", "", "nan", "Thu, 99 Foo", "-4", "-0.5", "Wed, 01 Jan 2026 11:00:00 GMT"]
)
def test_unusable_retry_after_falls_back_to_backoff(header: str) -> None:
    assert parse_retry_after(header, NOW) is None
    assert delay(1, 429, header, rnd=0.5) == 0.5


@pytest.mark.parametrize(
    ("exc", "retryable"),
    [
        (httpx.ConnectError("refused"), True),
        (httpx.ReadTimeout("slow"), True),
        (httpx.ConnectTimeout("slow"), True),
        (httpx.RemoteProtocolError("cut"), True),
        (httpx.ReadError("reset"), True),
        (httpx.UnsupportedProtocol("gopher"), False),
        (httpx.LocalProtocolError("bad header"), False),
    ],
)
def test_which_exceptions_are_retried(exc: Exception, retryable: bool) -> None:
    assert retryable_exception(exc) is retryable
