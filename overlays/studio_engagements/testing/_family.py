"""The resource family's data: which records exist under which path, made on demand from the seed.

The spec's list operations form a tree by their routes (``/v1/Flows``, then
``/v1/Flows/{}/Engagements``, then ``.../Engagements/{}/Steps``): each list's records come from
its item schema through the record compiler. A GET whose route is a list's and one parameter more
fetches a record of that list; any other GET below a record (``.../Context``) is a singleton
resource of it, compiled from its body schema, that takes the record's value of every property
the two share (its ``context``), its own URL aside.

How many records, and when: the top list holds the seeded flows (with their SIDs); the list below
it (a flow's engagements) follows the mock's clock (``_clock``): the count given for each flow is
how many it keeps at any time, newest first, each made at the moment of its life the clock says
(its creation, last update and whether it ended); every deeper list (an engagement's steps)
holds 0 to :data:`MAX_NESTED` records, from a hash of the seed and the path (the engagement's
SID), of which those that have happened by then (all, once the engagement ended).

Relations within a list: a property with the pattern of the record's own SID
(``parent_step_sid``) is the previous record's SID, null for the first; a pair of properties
``X_from``/``X_to`` chains, each record's ``_from`` the previous one's ``_to``, the first's the
``_from`` property's first documented example (``Trigger``).
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from . import _seeds
from ._clock import WINDOW, Arrivals, World, naive_second
from ._drafts import Moment, RecordMaker
from ._paging import OffsetList, PagedList
from ._records import compile_records
from ._spec import ApiSpec, OperationSpec, SchemaReader

MAX_NESTED = 12
SCAN_LIMIT = 64  # lists up to this long are searched by SID; longer ones get an index
EVERYTHING = 2**62  # a page size no list reaches
FLOW_AGE = timedelta(days=1)  # flows were created a day apart, before the oldest engagement


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
    """A list that exists, as paging sees it at one moment."""

    path: str
    operation: OperationSpec
    paged: PagedList

    def everything(self) -> list[dict[str, Any]]:
        """Every record, in page order."""
        return self.paged.page(self.paged.position(0), EVERYTHING)[0]


@dataclasses.dataclass(frozen=True, slots=True)
class EngagementWindow:
    """A flow's engagements kept at ``world.now``, newest first (by creation, as Twilio lists
    them). A position is a creation index bound: the page at ``p`` holds those created before
    engagement ``p`` (``newest + 1``: from the top). A next page continues below the last
    record served, so a walk while the clock moves repeats and skips nothing it could see:
    engagements that arrive meanwhile are at the head, which a walk in progress has passed
    (as on Twilio), and those that expire meanwhile are simply no longer there."""

    family: Family
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
        made = [self.family.engagement(self.flow_sid, i, self.world) for i in indexes[:size]]
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


class Family:
    """Every list, record and singleton the spec describes, for seeded ``flows``, from the
    clock's ``start`` (microseconds since the epoch)."""

    def __init__(
        self,
        spec: ApiSpec,
        flows: Mapping[str, int],
        seed: int,
        account_sid: str,
        start: int,
    ) -> None:
        self.spec, self.flows, self.seed = spec, dict(flows), seed
        self._flow_sids = list(self.flows)
        self._flow_index = {sid: i for i, sid in enumerate(self._flow_sids)}
        self.arrivals = {sid: Arrivals(seed, sid, count, start) for sid, count in flows.items()}
        self._flows_born = naive_second(start - WINDOW)
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
        self._indexes: dict[str, dict[str, int]] = {}  # flow SID: engagement SID: index
        self._indexed: dict[str, int] = {}  # flow SID: how far its index reaches (exclusive)

    # -- counting and making ---------------------------------------------------------------------

    def level(self, depth: int) -> Level:
        """The list below ``depth`` records (0: the flows)."""
        for shape, level in self._lists.items():
            if shape.count("{}") == depth:
                return level
        raise NotFound(f"depth {depth}")

    def window(self, flow_sid: str, world: World) -> EngagementWindow:
        """The flow's engagements kept at ``world.now``."""
        arrivals = self.arrivals[flow_sid]
        return EngagementWindow(
            self, flow_sid, world, arrivals.oldest(world.now), arrivals.newest(world.now)
        )

    def flow(self, index: int) -> dict[str, Any]:
        """Flow ``index`` (created before any of the engagements the mock ever shows)."""
        created = self._flows_born - FLOW_AGE * (index + 1)
        return self.level(0).maker.make(
            self.seed, index, {}, self._flow_sids[index], Moment(created)
        )

    def engagement(self, flow_sid: str, index: int, world: World) -> dict[str, Any]:
        """Engagement ``index`` (by creation) of a flow as it stands at ``world.now``."""
        sid = self.sid_at(1, (flow_sid,), index)
        life = self.arrivals[flow_sid].life(index)
        steps = self._steps_in_all((flow_sid, sid))
        moment = Moment(
            naive_second(life.arrival),
            naive_second(life.updated(steps, world.now)),
            life.ended(world.now),
        )
        maker = self.level(1).maker
        return maker.make(self.seed, index, {maker.path_names[0]: flow_sid}, sid, moment)

    def count(
        self, depth: int, values: tuple[str, ...], indexes: tuple[int, ...], world: World
    ) -> int:
        """How many records the list at ``depth`` (2 or more) below the records ``values``
        (at ``indexes`` in their lists) holds at ``world.now``."""
        total = self._steps_in_all(values)
        if depth != 2:
            return total
        return self.arrivals[values[0]].life(indexes[1]).steps_seen(total, world.now)

    def records(
        self,
        depth: int,
        values: tuple[str, ...],
        indexes: tuple[int, ...],
        start: int,
        end: int,
        world: World,
    ) -> list[dict[str, Any]]:
        """Records ``start`` to ``end`` of the list at ``depth`` (2 or more) below ``values``."""
        level = self.level(depth)
        path = dict(zip(level.maker.path_names, values, strict=True))
        first = 0 if level.chained else start
        moments: list[Moment | None] = [None] * end
        if depth == 2:
            life, total = self.arrivals[values[0]].life(indexes[1]), self._steps_in_all(values)
            for i in range(first, end):
                happened = naive_second(life.step_time(i, total))
                moments[i] = Moment(happened, happened)
        made = [
            level.maker.make(self.seed, i, path, self._given_sid(depth, values, i), moments[i])
            for i in range(first, end)
        ]
        if level.chained:
            _chain(level, made)
        return made[start - first :]

    def _steps_in_all(self, values: tuple[str, ...]) -> int:
        """How many records the list below ``values`` holds in the end."""
        return _seeds.digest("records", self.seed, *values)[0] % (MAX_NESTED + 1)

    def sid_at(self, depth: int, values: tuple[str, ...], index: int) -> str:
        """The own SID of record ``index`` of the list at ``depth`` below ``values``."""
        given = self._given_sid(depth, values, index)
        if given is not None:
            return given
        maker = self.level(depth).maker
        return maker.sid_of(self.seed, index, dict(zip(maker.path_names, values, strict=True)))

    def find(
        self,
        depth: int,
        values: tuple[str, ...],
        indexes: tuple[int, ...],
        sid: str,
        world: World,
    ) -> int | None:
        """The index of record ``sid`` in the list at ``depth`` below ``values`` (at
        ``indexes``), if it is there at ``world.now``."""
        if depth == 0:
            return None if sid in world.deleted_flows else self._flow_index.get(sid)
        if depth == 1:
            window = self.window(values[0], world)
            index = self._engagement_index(window, sid)
            if index is None or world.is_deleted(values[0], index):
                return None
            return index if window.oldest <= index <= window.newest else None
        count = self.count(depth, values, indexes, world)
        return next((i for i in range(count) if self.sid_at(depth, values, i) == sid), None)

    def _engagement_index(self, window: EngagementWindow, sid: str) -> int | None:
        """The creation index of engagement ``sid`` of the window's flow, if it has arrived."""
        flow, low, high = (window.flow_sid,), window.oldest, window.newest + 1
        if high - low <= SCAN_LIMIT:
            return next((i for i in range(low, high) if self.sid_at(1, flow, i) == sid), None)
        with self._lock:  # a long list: its SIDs indexed once, then as new ones arrive
            index = self._indexes.setdefault(window.flow_sid, {})
            reached = max(self._indexed.get(window.flow_sid, low), low)
            index.update((self.sid_at(1, flow, i), i) for i in range(reached, high))
            self._indexed[window.flow_sid] = max(reached, high)
            return index.get(sid)

    def _given_sid(self, depth: int, values: tuple[str, ...], index: int) -> str | None:
        """The own SID record ``index`` is given: a flow's; the example SID of its kind for the
        first record below example SIDs (of engagements: the newest at the start); else None
        (seeded)."""
        if depth == 0:
            return self._flow_sids[index]
        first = self.flows[values[0]] - 1 if depth == 1 else 0
        examples = self._examples.values()
        if index == first and all(value in examples for value in values):
            return self._examples.get(self.level(depth).own_pattern)
        return None

    # -- resolving a request's path -------------------------------------------------------------

    def resolve(
        self, operation: OperationSpec, params: Mapping[str, str], world: World
    ) -> Listing | dict[str, Any]:
        """What ``operation`` at ``params`` serves at ``world.now``: a :class:`Listing` or one
        record (a dict). :class:`NotFound` if a flow, engagement or step on the way does not
        exist (or no longer does: expired or deleted)."""
        values = tuple(params.values())
        path = operation.path.format_map(params)
        indexes: list[int] = []
        for depth, sid in enumerate(values):
            index = self.find(depth, values[:depth], tuple(indexes), sid, world)
            if index is None:
                raise NotFound(path)
            indexes.append(index)
        if operation.list_key is not None:
            return Listing(path, operation, self._paged(values, tuple(indexes), world))
        if not indexes:
            raise NotFound(path)  # a GET of no record: the spec has none such
        record = self._record(values[:-1], tuple(indexes), world)
        if operation.shape.endswith("{}"):
            return record
        maker = self._singletons[operation.shape]
        own = maker.make(self.seed, 0, params)
        return {
            name: record[name] if name in record and name != maker.own_url else value
            for name, value in own.items()
        }

    def _paged(self, values: tuple[str, ...], indexes: tuple[int, ...], world: World) -> PagedList:
        """The list below the records ``values`` (at ``indexes``), as paging sees it."""
        depth = len(values)
        if depth == 0:
            kept = [i for i, sid in enumerate(self._flow_sids) if sid not in world.deleted_flows]
            return OffsetList(len(kept), lambda start, end: [self.flow(i) for i in kept[start:end]])
        if depth == 1:
            return self.window(values[0], world)
        count = self.count(depth, values, indexes, world)
        return OffsetList(
            count, lambda start, end: self.records(depth, values, indexes, start, end, world)
        )

    def _record(
        self, parents: tuple[str, ...], indexes: tuple[int, ...], world: World
    ) -> dict[str, Any]:
        """The record at ``indexes`` (the last its own) below the records ``parents``."""
        depth, index = len(parents), indexes[-1]
        if depth == 0:
            return self.flow(index)
        if depth == 1:
            return self.engagement(parents[0], index, world)
        return self.records(depth, parents, indexes[:-1], index, index + 1, world)[0]


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
