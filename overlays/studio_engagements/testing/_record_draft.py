"""A record in the making: its seeded bytes, shared out among properties, and nulls from them."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

import attrs

# The newest record of every flow; older ones step back a minute or so each. Naive, read as UTC:
# isoformat() then needs only a "Z", and is much cheaper than strftime().
NEWEST = datetime(2024, 6, 1, 12, 0, 0)
NULL_ONE_IN = 8


class RecordDraft:
    """One record in the making: its bytes and the values other properties derive from."""

    __slots__ = ("created", "data", "path", "sid", "url")

    def __init__(self, data: bytes, path: Mapping[str, str]) -> None:
        self.data = data
        self.path = path
        self.sid = ""
        self.created = NEWEST
        self.url = ""


Maker = Callable[[RecordDraft], Any]
"""Makes one property's value from a draft."""
Anchor = Callable[[RecordDraft, int], None]
"""Sets, from a draft and the record's index, a value later properties build on."""


@attrs.define
class ByteBudget:
    """How one record's seeded bytes are shared out: each maker reserves its own slice."""

    size: int = 0
    """How many bytes are reserved so far: what one record consumes."""

    def take(self, count: int) -> int:
        """Reserve ``count`` of each record's seeded bytes; their offset."""
        offset, self.size = self.size, self.size + count
        return offset

    def or_null(self, nullable: bool, make: Maker, one_in: int = NULL_ONE_IN) -> Maker:
        """``make``, or if ``nullable`` a maker that is null for about one record in ``one_in``."""
        if not nullable:
            return make
        at = self.take(1)
        return lambda record: None if record.data[at] % one_in == 0 else make(record)
