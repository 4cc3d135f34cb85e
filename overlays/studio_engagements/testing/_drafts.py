"""Records in the making and made: the draft a record's properties are read from, and the
compiled record schema (:class:`RecordMaker`) that makes records from the seed."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any, NamedTuple

from . import _seeds

# The newest record of a list no clock drives; older ones step back a minute or so each. Naive,
# read as UTC: isoformat() then needs only a "Z", and is much cheaper than strftime().
NEWEST = datetime(2024, 6, 1, 12, 0, 0)


class Moment(NamedTuple):
    """Where a record stands in time, as the clock says (naive UTC datetimes, whole seconds):
    its creation; its last update (None: seeded, as without a clock); whether it ended (its
    lifecycle status is the status enum's second value, else its first; None: seeded)."""

    created: datetime
    updated: datetime | None = None
    ended: bool | None = None


class RecordDraft:
    """One record in the making: its bytes and the values other properties derive from."""

    __slots__ = ("created", "data", "moment", "path", "sid", "url")

    def __init__(
        self, data: bytes, path: Mapping[str, str], sid: str | None, moment: Moment | None
    ) -> None:
        self.data = data
        self.path = path
        self.sid = sid or ""
        self.moment = moment
        self.created = NEWEST if moment is None else moment.created
        self.url = ""


Maker = Callable[[RecordDraft], Any]
"""Makes one property's value from a draft."""
Anchor = Callable[[RecordDraft, int], None]
"""Sets, from a draft and the record's index, a value later properties build on."""
Path = Mapping[str, str]


@dataclasses.dataclass(frozen=True, slots=True)
class RecordMaker:
    """The record schema compiled: ``make(seed, index, path)`` is record ``index``."""

    makers: tuple[tuple[str, Maker], ...]  # one per property, in schema order
    size: int  # how many seeded bytes one record consumes
    path_names: tuple[str, ...]  # the path parameters a record derives from (FlowSid)
    anchors: tuple[Anchor, ...]  # own SID, creation time, own URL: set before any property
    own_sid: str | None  # the property holding the record's own SID
    own_url: str | None  # the property holding the record's own URL

    def make(
        self,
        seed: int,
        index: int,
        path: Path,
        sid: str | None = None,
        moment: Moment | None = None,
    ) -> dict[str, Any]:
        """Record ``index`` of the list at ``path`` (path parameter values by name); its own
        SID ``sid`` if given, else seeded; its dates and status from ``moment`` if given."""
        record = self._draft(seed, index, path, sid, moment)
        return {name: make(record) for name, make in self.makers}

    def sid_of(self, seed: int, index: int, path: Path) -> str:
        """The own SID of record ``index``, without making the record."""
        return self._draft(seed, index, path, None, None).sid

    def _draft(
        self, seed: int, index: int, path: Path, sid: str | None, moment: Moment | None
    ) -> RecordDraft:
        values = [path[name] for name in self.path_names]
        data = _seeds.entropy(seed, *values, index, size=self.size)
        record = RecordDraft(data, path, sid, moment)
        for anchor in self.anchors:
            anchor(record, index)
        return record


def iso(moment: datetime) -> str:
    """RFC 3339 UTC of a naive UTC ``moment`` with whole seconds (``2024-06-01T12:00:00Z``)."""
    return moment.isoformat() + "Z"
