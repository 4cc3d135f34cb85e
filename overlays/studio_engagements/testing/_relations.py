"""Relations between neighbouring records of a list, read from its record schema.

A property with the pattern of the record's own SID (``parent_step_sid``) is the previous
record's SID, null for the first; a pair of properties ``X_from``/``X_to`` chains, each record's
``_from`` the previous one's ``_to``, the first's the ``_from`` property's first documented
example (``Trigger``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

from ._drafts import RecordMaker
from ._spec import OperationSpec, SchemaReader


@dataclasses.dataclass(frozen=True, slots=True)
class Level:
    """One list operation: its records' maker and the relations between neighbours."""

    operation: OperationSpec
    maker: RecordMaker
    chains: tuple[tuple[str, str, Any], ...]  # (from, to, first from)
    kin: tuple[str, ...]  # properties with the own SID's pattern: the previous record's SID
    own_pattern: str | None  # the own SID's pattern

    @property
    def chained(self) -> bool:
        """Whether a record depends on the one before it."""
        return bool(self.chains or self.kin)


def level_of(
    reader: SchemaReader, operation: OperationSpec, maker: RecordMaker, schema: Mapping[str, Any]
) -> Level:
    """The list ``operation`` of records of ``schema`` made by ``maker``, with its relations."""
    kin, own = _kin(reader, schema, maker.own_sid)
    return Level(operation, maker, _chains(schema), kin, own)


def _chains(schema: Mapping[str, Any]) -> tuple[tuple[str, str, Any], ...]:
    """The ``X_from``/``X_to`` pairs of a record schema, each with its first ``_from``."""
    properties: Mapping[str, Any] = schema.get("properties", {})
    documented = schema.get("example")
    example: Mapping[str, Any] = documented if isinstance(documented, Mapping) else {}
    found = []
    for name, node in properties.items():
        target = name.removesuffix("_from") + "_to"
        if name.endswith("_from") and target in properties:
            examples = node.get("examples") or [example.get(name)]
            found.append((name, target, examples[0]))
    return tuple(found)


def _kin(
    reader: SchemaReader, schema: Mapping[str, Any], own: str | None
) -> tuple[tuple[str, ...], str | None]:
    """The properties other than ``own`` (the own SID) with its pattern, and that pattern."""
    properties = {n: reader.resolve(p) for n, p in schema.get("properties", {}).items()}
    pattern = properties[own].get("pattern") if own is not None else None
    if pattern is None:
        return (), None
    kin = [n for n, node in properties.items() if n != own and node.get("pattern") == pattern]
    return tuple(kin), str(pattern)


def chain(level: Level, records: list[dict[str, Any]]) -> None:
    """Link each record to the one before it, as the module docstring says."""
    own = level.maker.own_sid
    previous: dict[str, Any] | None = None
    for record in records:
        for name in level.kin:
            record[name] = None if previous is None or own is None else previous[own]
        for source, target, first in level.chains:
            record[source] = first if previous is None else previous[target]
        previous = record
