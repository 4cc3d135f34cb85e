"""Faults to inject, and the plan that decides, request by request, which one happens."""

from __future__ import annotations

import dataclasses
import enum
import random
import threading
from collections import deque
from collections.abc import Sequence


class FaultKind(enum.StrEnum):
    """What goes wrong."""

    RATE_LIMIT = "rate_limit"
    SERVER_ERROR = "server_error"
    DROP_CONNECTION = "drop_connection"
    TRUNCATED_BODY = "truncated_body"
    NOT_JSON = "not_json"
    NULL_META = "null_meta"
    DELAY = "delay"


SERVER_ERROR_STATUSES = frozenset({500, 502, 503, 504})


@dataclasses.dataclass(frozen=True, slots=True)
class Fault:
    """One injected failure; build it with the class methods, e.g. ``Fault.rate_limit(2)``."""

    kind: FaultKind
    status: int | None = None
    retry_after: str | None = None
    seconds: float = 0.0

    @classmethod
    def rate_limit(cls, retry_after: float | str = 1) -> Fault:
        """429, Twilio code 20429, with ``Retry-After`` (seconds, or an HTTP date as a string)."""
        if isinstance(retry_after, str):
            value = retry_after
        elif retry_after < 0:
            raise ValueError(f"retry_after must be >= 0, not {retry_after}")
        else:
            value = f"{retry_after:g}"
        return cls(FaultKind.RATE_LIMIT, status=429, retry_after=value)

    @classmethod
    def server_error(cls, status: int = 500) -> Fault:
        """A 5xx (500, 502, 503 or 504) with a Twilio error body."""
        if status not in SERVER_ERROR_STATUSES:
            raise ValueError(f"status must be one of {sorted(SERVER_ERROR_STATUSES)}, not {status}")
        return cls(FaultKind.SERVER_ERROR, status=status)

    @classmethod
    def drop_connection(cls) -> Fault:
        """The connection closes before any response."""
        return cls(FaultKind.DROP_CONNECTION)

    @classmethod
    def truncated_body(cls) -> Fault:
        """The normal answer, cut short: ``Content-Length`` promises more than is sent."""
        return cls(FaultKind.TRUNCATED_BODY)

    @classmethod
    def not_json(cls) -> Fault:
        """A 200 whose body is an HTML error page, as a misbehaving proxy sends."""
        return cls(FaultKind.NOT_JSON)

    @classmethod
    def null_meta(cls) -> Fault:
        """The normal page with every ``meta`` key null but the next and previous page URLs."""
        return cls(FaultKind.NULL_META)

    @classmethod
    def delay(cls, seconds: float) -> Fault:
        """The normal answer after ``seconds`` (a read timeout shorter than that fires first)."""
        if seconds < 0:
            raise ValueError(f"seconds must be >= 0, not {seconds}")
        return cls(FaultKind.DELAY, seconds=float(seconds))


@dataclasses.dataclass(frozen=True, slots=True)
class _Rate:
    rate: float
    faults: tuple[Fault, ...]
    rng: random.Random = dataclasses.field(compare=False)


class FaultPlan:
    """Queued faults first (each for its next N requests), then faults drawn at a rate.

    While the queue is not empty it decides alone: a queued pass is a normal answer.
    """

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._queue: deque[Fault | None] = deque()  # None: a request answered normally
        self._rate: _Rate | None = None

    def inject(self, fault: Fault, times: int = 1, after: int = 0) -> None:
        """Queue ``fault`` for ``times`` requests, once ``after`` more were answered normally."""
        if times < 1:
            raise ValueError(f"times must be >= 1, not {times}")
        if after < 0:
            raise ValueError(f"after must be >= 0, not {after}")
        with self._lock:
            self._queue.extend([None] * after + [fault] * times)

    def inject_rate(self, rate: float, faults: Sequence[Fault], seed: int) -> None:
        """From now on, fault a ``rate`` share of requests with ``faults``, drawn by ``seed``."""
        if not 0 <= rate <= 1:
            raise ValueError(f"rate must be from 0 to 1, not {rate}")
        if not faults:
            raise ValueError("faults must not be empty")
        with self._lock:
            self._rate = _Rate(rate, tuple(faults), random.Random(seed))  # noqa: S311 (not crypto)

    def clear(self) -> None:
        """No more faults, queued or at a rate."""
        with self._lock:
            self._queue.clear()
            self._rate = None

    def next(self) -> Fault | None:
        """The fault for the request arriving now, if any."""
        with self._lock:
            if self._queue:
                return self._queue.popleft()
            if self._rate is None:
                return None
            # One draw per request, fault or not: the sequence depends on the seed only.
            draw = self._rate.rng.random()
            if draw >= self._rate.rate:
                return None
            faults = self._rate.faults
            return faults[min(int(draw / self._rate.rate * len(faults)), len(faults) - 1)]
