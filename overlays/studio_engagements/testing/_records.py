"""The record compiler: the record schema read once into one value maker per property.

The mock holds no list of fields: a record has every property of its schema (a list's items,
``Engagement``, or a body, ``StepContext``), in schema order, each valid or, if allowed, null.
:func:`compile_records` reads the schema once and refuses (:class:`UnsupportedSchemaError`,
naming the property) one it cannot make valid values for. Making a record is then one hash of
``(seed, path values, index)`` and one call per property: a million records cost no memory.

A property's value comes from the first rule that applies, in :meth:`_Compiler.property`'s
order: ``const`` or ``enum``; ``pattern`` (a SID: the request's, or seeded; the first seeded is
the record's own unless the caller gives it, as for flows); ``format: date-time`` (the first is
the creation time, later ones updates: a record made at a :class:`Moment` of the mock's clock
takes its creation and first update from it); ``format: uri`` (the first is the record's own
URL: its list's route and own SID, or a singleton's route; later ones and ``links``
sub-resources of it); documented examples, varied by the seed
(:meth:`_Compiler.documented_examples`); else the type.

The first enum property of two values or more is the record's lifecycle status: at a moment
that says whether the record ended, the enum's second value if it did (``ended``), else its
first (``active``), unless seeded null. A nullable property is null for about one record in eight
(updates: one in four), except the own SID, URL and creation time, the SIDs taken from the
request, and the update time a moment sets.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from . import _seeds
from ._drafts import NEWEST, Anchor, Maker, RecordDraft, RecordMaker, iso
from ._patterns import PatternShape, literal_prefix
from ._spec import SchemaReader, UnsupportedSchemaError

NULL_ONE_IN = 8
UPDATE_NULL_ONE_IN = 4


def compile_records(
    document: Mapping[str, Any],
    record_schema: Mapping[str, Any],
    *,
    route: str,
    path_patterns: Mapping[str, str | None],
    origin: str,
    account_sid: str,
    singleton: bool = False,
) -> RecordMaker:
    """``record_schema`` (of ``document``) compiled: the records of the list at ``route`` (path
    parameters' patterns in ``path_patterns``), or the one resource there if ``singleton``, with
    URLs on ``origin``, of the account ``account_sid``."""
    reader = SchemaReader(document)
    schema = reader.resolve(record_schema)
    example = schema["example"] if isinstance(schema.get("example"), Mapping) else {}
    compiler = _Compiler(reader, route, path_patterns, origin, account_sid, example, singleton)
    makers: list[tuple[str, Maker]] = []
    for name, node in schema.get("properties", {}).items():
        try:
            makers.append((name, compiler.property(name, reader.resolve(node))))
        except UnsupportedSchemaError as error:
            raise UnsupportedSchemaError(
                f"the mock cannot make values for property {name!r} of the record schema: {error}"
            ) from None
    return RecordMaker(
        makers=tuple(makers),
        size=max(compiler.size, 1),
        path_names=tuple(path_patterns),
        anchors=compiler.all_anchors(),
        own_sid=compiler.own_sid,
        own_url=compiler.own_url,
    )


@dataclasses.dataclass(slots=True)
class _Compiler:
    """Picks the first rule that applies to each property and builds its value maker."""

    reader: SchemaReader
    route: str
    path_patterns: Mapping[str, str | None]
    origin: str
    account_sid: str
    example: Mapping[str, Any]  # the record schema's
    singleton: bool
    size: int = 0  # how many of each record's seeded bytes the makers reserved so far
    own_sid: str | None = None
    created: str | None = None
    updated: str | None = None
    status: str | None = None
    own_url: str | None = None
    # own SID, creation time (all_anchors: URL)
    anchors: list[Anchor] = dataclasses.field(default_factory=list)

    def take(self, count: int) -> int:
        """Reserve ``count`` of each record's seeded bytes; their offset."""
        offset, self.size = self.size, self.size + count
        return offset

    def or_null(self, schema: Mapping[str, Any], make: Maker, one_in: int = NULL_ONE_IN) -> Maker:
        """``make``, or if ``schema`` is nullable, null for about one record in ``one_in``."""
        if not self.reader.nullable(schema):
            return make
        at = self.take(1)
        return lambda record: None if record.data[at] % one_in == 0 else make(record)

    def property(self, name: str, schema: dict[str, Any]) -> Maker:
        made = self.value(name, schema)
        if made is not None:
            return made
        kind = self.reader.kind(schema)
        if "type" not in schema and kind not in (None, "null"):
            # The type is in a branch (``anyOf: [$ref Links, null]``): read its keywords.
            schema = {**self.reader.non_null_branch(schema), **schema}
            made = self.value(name, schema)
            if made is not None:
                return made
        return self.documented_examples(name, schema, kind) or self.by_type(name, schema, kind)

    def value(self, name: str, schema: dict[str, Any]) -> Maker | None:
        """A maker from the value-shaping keywords, or None if there are none."""
        if "const" in schema:
            constant = schema["const"]
            return lambda record: constant
        enums = [schema["enum"]] if "enum" in schema else []
        enums += [b["enum"] for b in self.reader.branches(schema) if "enum" in b]
        if enums:
            values, at = tuple(enums[0]), self.take(1)

            def choose(record: RecordDraft) -> Any:
                return values[record.data[at] % len(values)]

            seeded = choose if None in values else self.or_null(schema, choose)
            lifecycle = [value for value in values if value is not None]
            if self.status is not None or len(lifecycle) < 2:
                return seeded
            self.status = name
            running, ended = lifecycle[0], lifecycle[1]  # as documented: active, ended

            def status(record: RecordDraft) -> Any:
                # Null stays null (the contract allows it): the clock changes only a value.
                value, moment = seeded(record), record.moment
                if value is None or moment is None or moment.ended is None:
                    return value
                return ended if moment.ended else running

            return status
        if "pattern" in schema:
            return self.sid(name, schema)
        if schema.get("format") == "date-time":
            return self.date_time(name, schema)
        if schema.get("format") == "uri":
            return self.uri(name, schema)
        return None

    def documented_examples(
        self, name: str, schema: dict[str, Any], kind: str | None
    ) -> Maker | None:
        """A maker from the documented examples, varied by the seed; None for other properties.

        A string or any JSON (no type) takes the property's ``examples``; else a string the record
        example's string value, any JSON the record example's value among Studio-like shapes.
        """
        documented = self.example.get(name)
        if kind is None and schema.get("examples"):
            studio = _seeds.documented_json(schema["examples"], self.take(2))
            return lambda record: studio(record.data)
        if kind is None:
            shapes = _seeds.any_json([documented] if name in self.example else [], self.take(2))
            return lambda record: shapes(record.data)
        examples = schema.get("examples") or ([documented] if isinstance(documented, str) else [])
        if kind != "string" or not examples:
            return None
        vary = _seeds.varied_examples([str(example) for example in examples], self.take(10))
        return self.or_null(schema, lambda record: vary(record.data))

    def by_type(self, name: str, schema: dict[str, Any], kind: str | None) -> Maker:
        """A maker from the type: hex digits within the lengths, a number within the range, a
        boolean, a ``links`` object of uris, an empty object or array."""
        if kind == "null":
            return lambda record: None
        if kind == "string":
            low, high = schema.get("minLength", 0), schema.get("maxLength")
            length = max(16, low) if high is None else min(max(16, low), high)
            at, size = self.take((length + 1) // 2), (length + 1) // 2
            return self.or_null(schema, lambda record: record.data[at : at + size].hex()[:length])
        if kind in ("integer", "number"):
            low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
            high = schema.get("maximum", schema.get("exclusiveMaximum", low + 1000) - 1)
            if high < low:
                raise UnsupportedSchemaError(f"no {kind} between {low} and {high}")
            at, span = self.take(4), int(high - low) + 1
            return self.or_null(
                schema, lambda record: low + int.from_bytes(record.data[at : at + 4]) % span
            )
        if kind == "boolean":
            at = self.take(1)
            return self.or_null(schema, lambda record: bool(record.data[at] & 1))
        if kind == "object":
            if schema.get("required") or schema.get("minProperties"):
                raise UnsupportedSchemaError("an object with required properties")
            extra = schema.get("additionalProperties")
            if isinstance(extra, Mapping) and self.reader.resolve(extra).get("format") == "uri":
                return self.or_null(schema, self.links(name))
            return self.or_null(schema, lambda record: {})
        if kind == "array" and not schema.get("minItems"):
            return self.or_null(schema, lambda record: [])
        raise UnsupportedSchemaError(f"no rule makes values of type {kind!r}")

    def sid(self, name: str, schema: Mapping[str, Any]) -> Maker:
        """A value of ``pattern``: the path parameter's with the same prefix (``FlowSid``) or
        the account SID if it matches, else seeded (the first seeded is the record's own SID)."""
        shape = PatternShape.parse(str(schema["pattern"]))
        shape.check_length(schema.get("minLength", 0), schema.get("maxLength"))
        for parameter, other in self.path_patterns.items():
            if other is not None and literal_prefix(other) == shape.prefix and shape.prefix:
                return lambda record: record.path[parameter]
        if shape.matches(self.account_sid):
            account = self.account_sid
            return lambda record: account
        generate = shape.generator(self.take(shape.size))
        if self.own_sid is not None:
            return self.or_null(schema, lambda record: generate(record.data))
        self.own_sid = name

        def own(record: RecordDraft, index: int) -> None:
            record.sid = record.sid or generate(record.data)

        self.anchors.insert(0, own)
        return lambda record: record.sid

    def date_time(self, name: str, schema: Mapping[str, Any]) -> Maker:
        """RFC 3339 UTC: the creation time (the first such property: the record's moment's, else
        the newest record is from :data:`NEWEST`, each later index a minute or so older), else an
        update at or after it (the first update: the moment's, when it has one)."""
        at = self.take(2)
        if self.created is not None:

            def updated(record: RecordDraft) -> str:
                return iso(record.created + timedelta(seconds=record.data[at + 1] * 7))

            seeded = self.or_null(schema, updated, UPDATE_NULL_ONE_IN)
            if self.updated is not None:
                return seeded
            self.updated = name

            def last_update(record: RecordDraft) -> Any:
                moment = record.moment
                if moment is None or moment.updated is None:
                    return seeded(record)
                return iso(moment.updated)

            return last_update
        self.created = name

        def created(record: RecordDraft, index: int) -> None:
            if record.moment is None:
                record.created = NEWEST - timedelta(seconds=61 * index + record.data[at] % 60)

        self.anchors.append(created)
        return lambda record: iso(record.created)

    def uri(self, name: str, schema: Mapping[str, Any]) -> Maker:
        """On the spec's server: the record's own URL (the first such property: the route with
        its path values, ``/`` and the own SID), else a sub-resource of it."""
        if self.own_url is None:
            self.own_url = name
            return lambda record: record.url
        suffix = self.suffix(name, self.example.get(name))
        return self.or_null(schema, lambda record: record.url + suffix)

    def links(self, name: str) -> Maker:
        """An object of sub-resource URLs, keyed as the record schema's example for ``name``."""
        example = self.example.get(name)
        links = example if isinstance(example, Mapping) else {}
        suffixes = [(key, self.suffix(key, value)) for key, value in links.items()]
        return lambda record: {key: record.url + tail for key, tail in suffixes}

    def suffix(self, name: str, example: object) -> str:
        """Where sub-resource ``name`` is below the record's URL: as the record example shows it
        (``/Steps``), else ``/`` and the name."""
        own = self.example.get(self.own_url) if self.own_url is not None else None
        if isinstance(example, str) and isinstance(own, str) and example.startswith(own + "/"):
            return example[len(own) :]
        return "/" + name

    def all_anchors(self) -> tuple[Anchor, ...]:
        """Every anchor in the order to set them, the own URL (route, then own SID) last."""
        route, origin, singleton = self.route, self.origin, self.singleton

        def url(record: RecordDraft, index: int) -> None:
            own = "" if singleton else f"/{record.sid or index}"
            record.url = f"{origin}{route.format_map(record.path)}{own}"

        return (*self.anchors, url)
