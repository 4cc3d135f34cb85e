"""The resource family's data: which records exist under which path, made on demand from the seed.

The spec's list operations form a tree by their routes (``/v1/Flows``, then
``/v1/Flows/{}/Engagements``, then ``.../Engagements/{}/Steps``): each list's records come from
its item schema through the record compiler. A GET whose route is a list's and one parameter more
fetches a record of that list; any other GET below a record (``.../Context``) is a singleton
resource of it, compiled from its body schema, that takes the record's value of every property
the two share (its ``context``), its own URL aside.

How many records: the top list holds the seeded flows (with their SIDs), the list below it the
count given for each flow, and every deeper list 0 to :data:`MAX_NESTED`, from a hash of the seed
and the path (the engagement's SID). Relations within a list: a property with the pattern of the
record's own SID (``parent_step_sid``) is the previous record's SID, null for the first; a pair
of properties ``X_from``/``X_to`` chains, each record's ``_from`` the previous one's ``_to``, the
first's the ``_from`` property's first documented example (``Trigger``).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from typing import Any

from . import _seeds
from ._drafts import RecordMaker
from ._records import compile_records
from ._spec import ApiSpec, OperationSpec, SchemaReader

MAX_NESTED = 12
SCAN_LIMIT = 64  # lists up to this long are searched by SID; longer ones get an index


class NotFound(KeyError):
    """No such flow, engagement, step or route: the 404 of ``path``."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


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


@dataclasses.dataclass(frozen=True, slots=True)
class Listing:
    """A list that exists: ``count`` records, ``records(start, end)`` made on demand."""

    path: str
    operation: OperationSpec
    count: int
    family: Family = dataclasses.field(repr=False)
    values: tuple[str, ...]

    def records(self, start: int, end: int) -> list[dict[str, Any]]:
        """Records ``start`` to ``end`` (exclusive)."""
        return self.family.records(len(self.values), self.values, start, end)


class Family:
    """Every list, record and singleton the spec describes, for seeded ``flows``."""

    def __init__(
        self, spec: ApiSpec, flows: Mapping[str, int], seed: int, account_sid: str
    ) -> None:
        self.spec, self.flows, self.seed = spec, dict(flows), seed
        self._flow_sids = list(self.flows)
        self._lists: dict[str, Level] = {}
        self._singletons: dict[str, RecordMaker] = {}
        reader = SchemaReader(spec.document)
        for operation in spec.operations:
            patterns = {rule.name: rule.pattern for rule in operation.path_rules()}
            listed = operation.list_key is not None
            if not listed and operation.shape.endswith("{}"):
                continue  # a fetch of a list's record: served from that list
            maker = compile_records(
                spec.document,
                operation.record_schema,
                route=operation.path,
                path_patterns=patterns,
                origin=spec.canonical_origin,
                account_sid=account_sid,
                singleton=not listed,
            )
            if listed:
                schema = reader.resolve(operation.record_schema)
                kin, own = _kin(reader, schema, maker.own_sid)
                self._lists[operation.shape] = Level(operation, maker, _chains(schema), kin, own)
            else:
                self._singletons[operation.shape] = maker
        # The documented example SIDs (FNaaaa...), by pattern: the first record below examples
        # takes its kind's, so that the spec's examples (and schemathesis') reach real records.
        self._examples = {
            rule.pattern: operation.examples[rule.name]
            for operation in spec.operations
            for rule in operation.path_rules()
            if rule.name in operation.examples
        }
        self._lock = threading.Lock()
        self._indexes: dict[tuple[str, ...], dict[str, int]] = {}

    # -- counting and making ---------------------------------------------------------------------

    def level(self, depth: int) -> Level:
        """The list below ``depth`` records (0: the flows)."""
        for shape, level in self._lists.items():
            if shape.count("{}") == depth:
                return level
        raise NotFound(f"depth {depth}")

    def count(self, depth: int, values: tuple[str, ...]) -> int:
        """How many records the list at ``depth`` below the records ``values`` holds."""
        if depth == 0:
            return len(self._flow_sids)
        if depth == 1:
            return self.flows[values[0]]
        return _seeds.digest("records", self.seed, *values)[0] % (MAX_NESTED + 1)

    def records(
        self, depth: int, values: tuple[str, ...], start: int, end: int
    ) -> list[dict[str, Any]]:
        """Records ``start`` to ``end`` of the list at ``depth`` below ``values``."""
        level = self.level(depth)
        path = dict(zip(level.maker.path_names, values, strict=True))
        first = 0 if level.chained else start
        made = [
            level.maker.make(self.seed, i, path, self._given_sid(depth, values, i))
            for i in range(first, end)
        ]
        if level.chained:
            _chain(level, made)
        return made[start - first :]

    def find(self, depth: int, values: tuple[str, ...], sid: str) -> int | None:
        """The index of record ``sid`` in the list at ``depth`` below ``values``, if any."""
        count = self.count(depth, values)
        if depth == 0:
            return self._flow_sids.index(sid) if sid in self.flows else None
        maker = self.level(depth).maker
        path = dict(zip(maker.path_names, values, strict=True))
        given = self._given_sid(depth, values, 0) if count else None
        if given is not None and given == sid:
            return 0
        first = 0 if given is None else 1  # the first record's SID is seeded, or given
        if count <= SCAN_LIMIT:
            sids = (maker.sid_of(self.seed, i, path) for i in range(first, count))
            return next((i for i, made in enumerate(sids, first) if made == sid), None)
        with self._lock:  # a long list: its SIDs indexed once, on the first fetch
            if values not in self._indexes:
                self._indexes[values] = {
                    maker.sid_of(self.seed, i, path): i for i in range(first, count)
                }
            return self._indexes[values].get(sid)

    def _given_sid(self, depth: int, values: tuple[str, ...], index: int) -> str | None:
        """The own SID record ``index`` is given: a flow's; the example SID of its kind for the
        first record below example SIDs; else None (seeded)."""
        if depth == 0:
            return self._flow_sids[index]
        examples = self._examples.values()
        if index == 0 and all(value in examples for value in values):
            return self._examples.get(self.level(depth).own_pattern)
        return None

    # -- resolving a request's path -------------------------------------------------------------

    def resolve(
        self, operation: OperationSpec, params: Mapping[str, str]
    ) -> Listing | dict[str, Any]:
        """What ``operation`` at ``params`` serves: a :class:`Listing` or one record (a dict).
        :class:`NotFound` if a flow, engagement or step on the way does not exist."""
        values = tuple(params.values())
        path = operation.path.format_map(params)
        index: int | None = None
        for depth, sid in enumerate(values):
            index = self.find(depth, values[:depth], sid)
            if index is None:
                raise NotFound(path)
        if operation.list_key is not None:
            count = self.count(len(values), values)
            return Listing(path, operation, count, self, values)
        if index is None:
            raise NotFound(path)  # a GET of no record: the spec has none such
        depth = len(values) - 1
        (record,) = self.records(depth, values[:depth], index, index + 1)
        if operation.shape.endswith("{}"):
            return record
        maker = self._singletons[operation.shape]
        own = maker.make(self.seed, 0, params)
        return {
            name: record[name] if name in record and name != maker.own_url else value
            for name, value in own.items()
        }


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


def _chain(level: Level, records: list[dict[str, Any]]) -> None:
    """Link each record to the one before it, as the module docstring says."""
    own = level.maker.own_sid
    previous: dict[str, Any] | None = None
    for record in records:
        for name in level.kin:
            record[name] = None if previous is None or own is None else previous[own]
        for source, target, first in level.chains:
            record[source] = first if previous is None else previous[target]
        previous = record
