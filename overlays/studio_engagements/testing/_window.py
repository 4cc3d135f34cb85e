"""A flow's engagements at one moment of the clock, as paging and fetches see them: newest
first, with positions that stay true while the clock moves, and their SIDs indexed."""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import Any

from ._clock import World

SCAN_LIMIT = 64  # lists up to this long are searched by SID; longer ones get an index


@dataclasses.dataclass(frozen=True, slots=True)
class EngagementWindow:
    """A flow's engagements kept at ``world.now``, newest first (by creation, as Twilio lists
    them). A position is a creation index bound: the page at ``p`` holds those created before
    engagement ``p`` (``newest + 1``: from the top). A next page continues below the last
    record served, so a walk while the clock moves repeats and skips nothing it could see:
    engagements that arrive meanwhile are at the head, which a walk in progress has passed
    (as on Twilio), and those that expire meanwhile are simply no longer there."""

    make: Callable[[int], dict[str, Any]]  # the engagement of a creation index, at world.now
    flow_sid: str
    world: World
    oldest: int
    newest: int

    def count(self) -> int:
        """How many engagements are kept (arrived, not expired, not deleted)."""
        if self.newest < self.oldest:
            return 0
        deleted = self.world.deleted_between(self.flow_sid, self.oldest, self.newest)
        return self.newest - self.oldest + 1 - deleted

    def position(self, offset: int) -> int:
        index = self.newest - offset
        while index >= self.oldest:  # step down by as many as deletions hid, until none is
            hidden = self.world.deleted_between(self.flow_sid, index, self.newest)
            kept = self.newest - index + 1 - hidden
            if kept == offset + 1:
                return index + 1
            index -= offset + 1 - kept
        return 0  # past the end: an empty page

    def page(self, position: int, size: int) -> tuple[list[dict[str, Any]], int | None]:
        indexes = self._below(position, size + 1)
        made = [self.make(i) for i in indexes[:size]]
        return made, indexes[size - 1] if len(indexes) > size else None

    def previous(self, position: int, size: int) -> int | None:
        newer = self._above(position, size)
        return newer[-1] + 1 if newer else None

    def _below(self, bound: int, size: int) -> list[int]:
        """Up to ``size`` kept creation indexes below ``bound``, newest first."""
        found: list[int] = []
        index = min(bound - 1, self.newest)
        while index >= self.oldest and len(found) < size:
            if not self.world.is_deleted(self.flow_sid, index):
                found.append(index)
            index -= 1
        return found

    def _above(self, bound: int, size: int) -> list[int]:
        """Up to ``size`` kept creation indexes at or above ``bound``, oldest first."""
        found: list[int] = []
        index = max(bound, self.oldest)
        while index <= self.newest and len(found) < size:
            if not self.world.is_deleted(self.flow_sid, index):
                found.append(index)
            index += 1
        return found


class SidIndex:
    """Engagement SIDs to creation indexes, for a flow too long to search: built on the first
    fetch, then extended as engagements arrive (made SIDs are never stored otherwise)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._indexes: dict[str, int] = {}
        self._reached = -1  # how far the index reaches (exclusive; -1: not built)

    def find(self, sid: str, low: int, high: int, sid_at: Callable[[int], str]) -> int | None:
        """The creation index of ``sid`` among ``low`` to ``high`` (exclusive), if there."""
        if high - low <= SCAN_LIMIT:
            return next((i for i in range(low, high) if sid_at(i) == sid), None)
        with self._lock:
            start = max(self._reached, low)
            self._indexes.update((sid_at(i), i) for i in range(start, high))
            self._reached = max(start, high)
            return self._indexes.get(sid)
