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

Relations within a list (a step's parent, chained transitions) are in ``_relations``.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from . import _seeds
from ._clock import WINDOW, Arrivals, World, naive_second
from ._drafts import Moment, RecordMaker
from ._paging import OffsetList, PagedList
from ._records import compile_records
from ._relations import Level, chain, level_of
from ._spec import ApiSpec, OperationSpec, SchemaReader
from ._window import EngagementWindow, SidIndex

MAX_NESTED = 12
EVERYTHING = 2**62  # a page size no list reaches
FLOW_AGE = timedelta(days=1)  # flows were created a day apart, before the oldest engagement


class NotFound(KeyError):
    """No such flow, engagement, step or route: the 404 of ``path``."""

    def __init__(self, path: str) -> None:
        super().__init__(path)
        self.path = path


@dataclasses.dataclass(frozen=True, slots=True)
class Listing:
    """A list that exists, as paging sees it at one moment."""

    path: str
    operation: OperationSpec
    paged: PagedList

    def everything(self) -> list[dict[str, Any]]:
        """Every record, in page order."""
        return self.paged.page(self.paged.position(0), EVERYTHING)[0]


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
                self._lists[operation.shape] = level_of(reader, operation, maker, schema)
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
        self._sid_indexes = {sid: SidIndex() for sid in self._flow_sids}

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
            lambda index: self.engagement(flow_sid, index, world),
            flow_sid,
            world,
            arrivals.oldest(world.now),
            arrivals.newest(world.now),
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
            chain(level, made)
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
            index = self._sid_indexes[values[0]].find(
                sid, window.oldest, window.newest + 1, lambda i: self.sid_at(1, values[:1], i)
            )
            if index is None or world.is_deleted(values[0], index):
                return None
            return index if window.oldest <= index <= window.newest else None
        count = self.count(depth, values, indexes, world)
        return next((i for i in range(count) if self.sid_at(depth, values, i) == sid), None)

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
