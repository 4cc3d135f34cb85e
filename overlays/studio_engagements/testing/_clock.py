"""The mock's clock and the life of each engagement: when it arrives, ends and expires.

Everything is a pure function of (seed, flow, creation index, now), in whole microseconds since
the epoch, so that nothing is stored per engagement:

- a flow given ``count`` engagements receives ``count`` per :data:`RETENTION` window, one in each
  equal slot of it: engagement ``k`` arrives at a seeded whole second of slot ``k`` (slot ``k`` ends
  ``(k + 1) * RETENTION / count`` after the window that was visible at the start began). So the
  ``count`` engagements ``0`` to ``count - 1`` are visible at the start, and advancing the clock
  by a whole number of slots brings that many new ones and retires as many old ones;
- engagement ``k`` lasts a seeded duration (minutes mostly, some hours, a few days; always
  less than :data:`RETENTION`): while it lasts it is active and its steps appear one by one,
  evenly spread over it (the first when it starts); then it is ended, with every step;
- it is visible from its arrival until :data:`RETENTION` after it, then gone from every
  operation, as Twilio drops engagement and step data 30 days after an engagement starts.

:class:`MockClock` holds what changes (the time, deleted engagements and flows) as one immutable
:class:`World` swapped under a lock: a request reads one snapshot and answers from it alone.
"""

from __future__ import annotations

import bisect
import dataclasses
import threading
import time
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import NamedTuple

from . import _seeds

RETENTION = timedelta(days=30)
"""How long Twilio keeps an engagement and its steps after the engagement starts."""
START = datetime(2024, 7, 1, 12, 0, 0, tzinfo=UTC)
"""The clock of a mock built without ``now``."""

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
SECOND = 1_000_000  # microseconds
TICK = 1.0  # real seconds between moves of a running clock
WINDOW = RETENTION // timedelta(microseconds=1)
# Durations, by a seeded byte: (share out of 256, shortest, longest), in seconds.
DURATIONS = (
    (128, 30, 30 * 60),  # half end within half an hour
    (80, 30 * 60, 6 * 3600),
    (36, 6 * 3600, 3 * 86400),
    (12, 3 * 86400, 20 * 86400),  # a few wait for days (a reply that comes late)
)


def micros(moment: datetime) -> int:
    """Microseconds since the epoch of a timezone-aware ``moment``."""
    if moment.tzinfo is None:
        raise ValueError(f"the mock's clock needs a timezone-aware datetime, not {moment!r}")
    return (moment - EPOCH) // timedelta(microseconds=1)


def moment_of(value: int) -> datetime:
    """The timezone-aware UTC datetime ``value`` microseconds after the epoch."""
    return EPOCH + timedelta(microseconds=value)


def naive_second(value: int) -> datetime:
    """``value`` as a naive UTC datetime cut to the whole second (what records show)."""
    return datetime(1970, 1, 1) + timedelta(seconds=value // SECOND)


class World(NamedTuple):
    """What changes as the mock runs, at one moment: the time, and what tests deleted."""

    now: int  # microseconds since the epoch
    deleted: Mapping[str, tuple[int, ...]]  # flow SID: creation indexes deleted, sorted
    deleted_flows: frozenset[str]

    def deleted_between(self, flow_sid: str, low: int, high: int) -> int:
        """How many engagements of the flow with a creation index in ``low..high`` are deleted."""
        indexes = self.deleted.get(flow_sid, ())
        return bisect.bisect_right(indexes, high) - bisect.bisect_left(indexes, low)

    def is_deleted(self, flow_sid: str, index: int) -> bool:
        """Whether engagement ``index`` of the flow was deleted."""
        return self.deleted_between(flow_sid, index, index) > 0


class MockClock:
    """The mock's time and deletions: one :class:`World` at a time, replaced under a lock."""

    def __init__(self, start: datetime) -> None:
        self.start = micros(start)
        self._lock = threading.Lock()
        self._world = World(self.start, {}, frozenset())

    def world(self) -> World:
        """The current snapshot (immutable: safe to read while the clock moves)."""
        return self._world

    def advance(self, delta: timedelta) -> datetime:
        """Move the time forward by ``delta``; the new time."""
        step = delta // timedelta(microseconds=1)
        if step < 0:
            raise ValueError(f"the mock's clock only moves forward, not by {delta}")
        with self._lock:
            self._world = self._world._replace(now=self._world.now + step)
            return moment_of(self._world.now)

    def run(self, stop: threading.Event, days_per_minute: float) -> None:
        """Until ``stop`` is set, move the time every :data:`TICK` by the real time passed,
        ``days_per_minute`` days a minute (0: wait, the time standing still)."""
        speed = days_per_minute * 1440  # mock seconds per real second
        last = time.monotonic()
        while not stop.wait(TICK if speed else None):
            now = time.monotonic()
            self.advance(timedelta(seconds=(now - last) * speed))
            last = now

    def delete(self, flow_sid: str, index: int) -> None:
        """Delete engagement ``index`` of the flow from now on."""
        with self._lock:
            deleted = dict(self._world.deleted)
            deleted[flow_sid] = tuple(sorted({*deleted.get(flow_sid, ()), index}))
            self._world = self._world._replace(deleted=deleted)

    def delete_flow(self, flow_sid: str) -> None:
        """Delete a flow (and so everything below it) from now on."""
        with self._lock:
            gone = self._world.deleted_flows | {flow_sid}
            self._world = self._world._replace(deleted_flows=gone)


class Life(NamedTuple):
    """One engagement's times, in microseconds since the epoch."""

    arrival: int
    end: int

    def ended(self, now: int) -> bool:
        """Whether the engagement has ended at ``now``."""
        return now >= self.end

    def step_time(self, step: int, steps: int) -> int:
        """When step ``step`` of ``steps`` happened (the first when the engagement started)."""
        return self.arrival + (self.end - self.arrival) * step // steps

    def steps_seen(self, steps: int, now: int) -> int:
        """How many of its ``steps`` have happened at ``now``."""
        if self.ended(now):
            return steps
        if now < self.arrival or steps == 0:
            return 0
        elapsed, duration = now - self.arrival, self.end - self.arrival
        # step j has happened when duration * j // steps <= elapsed
        return min(steps, ((elapsed + 1) * steps - 1) // duration + 1)

    def updated(self, steps: int, now: int) -> int:
        """When it was last updated at ``now``: its end, else its latest step, else its start."""
        if self.ended(now):
            return self.end
        seen = self.steps_seen(steps, now)
        return self.step_time(seen - 1, steps) if seen else self.arrival


@dataclasses.dataclass(frozen=True, slots=True)
class Arrivals:
    """When a flow's engagements arrive: ``count`` per :data:`RETENTION`, from ``start``."""

    seed: int
    flow_sid: str
    count: int
    start: int  # the clock when the mock was built

    @property
    def base(self) -> int:
        """Where slot 0 begins: one retention window before the start."""
        return self.start - WINDOW

    def slot_end(self, index: int) -> int:
        """The end of slot ``index`` (the start of slot ``index + 1``)."""
        return self.base + (index + 1) * WINDOW // self.count

    def life(self, index: int) -> Life:
        """When engagement ``index`` arrives and ends."""
        data = _seeds.digest("life", self.seed, self.flow_sid, index, size=8)
        end = self.slot_end(index)
        # A whole second of the slot, so that it expires exactly 30 days after the date shown.
        last, seconds = end // SECOND, end // SECOND - self.slot_end(index - 1) // SECOND
        arrival = (last - int.from_bytes(data[:4]) % seconds) * SECOND if seconds else end
        return Life(arrival, arrival + _duration(data[4], int.from_bytes(data[5:8])))

    def newest(self, now: int) -> int:
        """The creation index of the newest engagement arrived at ``now`` (-1: none yet)."""
        if self.count == 0 or now <= self.base:
            return -1
        index = ((now - self.base) * self.count - 1) // WINDOW  # the slot ``now`` falls in
        return index if self.life(index).arrival <= now else index - 1

    def oldest(self, now: int) -> int:
        """The creation index of the oldest engagement still kept at ``now``."""
        cut = now - WINDOW
        if self.count == 0 or cut <= self.base:
            return 0
        index = ((cut - self.base) * self.count - 1) // WINDOW
        return index if self.life(index).arrival > cut else index + 1

    def kept(self, index: int, now: int) -> bool:
        """Whether engagement ``index`` has arrived and is still kept at ``now``."""
        return index >= 0 and self.oldest(now) <= index <= self.newest(now)


def _duration(share: int, spread: int) -> int:
    """A duration in microseconds from a seeded byte (which band) and number (where in it)."""
    for weight, shortest, longest in DURATIONS:
        if share < weight:
            return (shortest + spread % (longest - shortest)) * SECOND
        share -= weight
    raise AssertionError("the duration bands cover every byte")  # pragma: no cover
