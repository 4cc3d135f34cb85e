"""Seeded records made from the record schema, compiled once into one value maker per property.

The mock holds no list of the record's fields: whatever properties the spec gives the record
schema (the items of the list operation's array, ``Engagement``), every record has all of them,
in schema order, each a value valid against its property schema or, if that allows it, null.
:func:`compile_records` reads the schema once, when the mock is built, and refuses (with
:class:`UnsupportedSchemaError`, naming the property) a schema it cannot make valid values for,
so a spec change never silently yields invalid data. Making a record is then one hash of
``(seed, path parameter values, index)`` and one call per property: a flow of a million records
costs no memory and the same inputs give the same record in every process.

How a property's value is chosen, first rule that applies:

- ``const``: that value. ``enum`` (directly or in an ``anyOf``/``oneOf`` branch, e.g.
  ``anyOf: [$ref EngagementStatus, string]``): one of the enum's values.
- ``pattern``: a literal prefix followed by character classes with ``{n}`` counts (Twilio SIDs,
  ``^FN[0-9a-fA-F]{32}$``); any other pattern is refused. The values:

  * a SID the request identifies, when its pattern has the same literal prefix: a path
    parameter's value (``FlowSid``, ``^FW...``) and the account SID the mock authenticates
    (``AC...``, when it matches the property's pattern);
  * otherwise made from the seed. The first such property in schema order is the record's own
    SID (never null: its URL ends with it); later ones are null now and then when nullable.
- ``format: date-time``: RFC 3339 UTC (``...Z``). The first date-time property in schema order is
  the creation time (never null): the newest record of a flow is from :data:`NEWEST`, each later
  index about a minute older. Later date-time properties are updates: at or after the creation,
  or null (often) when nullable.
- ``format: uri``: URLs on the spec's canonical server (``servers[0].url``). The first uri
  property is the record's own URL, the operation's path (path parameters filled in) followed by
  ``/`` and the record's own SID, as Twilio's ``url``. A later uri property, and each entry of an
  object whose ``additionalProperties`` are uri strings (``links``), is a sub-resource of it: the
  suffix the record schema's ``example`` gives it relative to the example's own URL (``/Steps``),
  else ``/`` and its name. Such an object's keys are those of the schema's ``example`` for it.
- documented examples (the property's ``examples``, else the record schema's ``example`` value):
  one of them, varied: each run of digits keeps its first digit and gets seeded others
  (``+16175551212``), and the word ``name``, the placeholder Twilio's docs use for a person's
  name (``name@company.com``, ``client:name``), becomes a first name.
- no ``type`` (any JSON, ``context``): one of the property's documented ``examples`` (Studio's
  flow state), each string varied as above; without ``examples``, one of a few JSON shapes, the
  record schema's example for the property (its strings replaced by first names) among them.
- other plain types: a string of hex digits (within ``minLength``/``maxLength``), an integer
  or number within ``minimum``/``maximum``, a boolean, an empty array or object when allowed.

A nullable property (``type: [X, 'null']``, or a ``null`` branch of ``anyOf``/``oneOf``) is null
for about one record in eight (updates: one in four), except the record's own SID, URL and
creation time and the SIDs taken from the request, which are never null.

This module picks the rule; ``_identity_values`` makes SIDs, times and URLs (``_patterns`` reads
the patterns), ``_json_values`` examples and any-JSON shapes, all from the bytes that
``_record_draft`` shares out.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from ._data import entropy
from ._identity_values import IdentityValues
from ._json_values import any_json_maker, documented_json_maker, example_maker
from ._record_draft import Anchor, ByteBudget, Maker, RecordDraft
from ._schema_reading import SchemaReader, UnsupportedSchemaError

__all__ = ["RecordMaker", "UnsupportedSchemaError", "compile_records"]


@attrs.frozen
class RecordMaker:
    """The record schema compiled: ``make(seed, index, path)`` is record ``index``."""

    makers: tuple[tuple[str, Maker], ...]
    """One value maker per property, in schema order."""
    size: int
    """How many seeded bytes one record consumes."""
    path_names: tuple[str, ...]
    """The path parameters a record derives from (``FlowSid``), in the route's order."""
    anchors: tuple[Anchor, ...]
    """What later properties build on (own SID, creation time, own URL), set first."""

    def make(self, seed: int, index: int, path: Mapping[str, str]) -> dict[str, Any]:
        """Record ``index`` of the collection at ``path`` (path parameter values by name)."""
        record = RecordDraft(
            entropy(seed, *[path[name] for name in self.path_names], index, size=self.size), path
        )
        for anchor in self.anchors:
            anchor(record, index)
        return {name: make(record) for name, make in self.makers}


def compile_records(
    document: Mapping[str, Any],
    record_schema: Mapping[str, Any],
    *,
    route: str,
    path_patterns: Mapping[str, str | None],
    origin: str,
    account_sid: str,
) -> RecordMaker:
    """Compile ``record_schema`` (an object schema of ``document``) into a :class:`RecordMaker`.

    ``route`` is the list operation's path template and ``path_patterns`` its path parameters'
    patterns; ``origin`` is where URLs point; ``account_sid`` is the account the mock serves.
    """
    reader = SchemaReader(document)
    schema = reader.resolve(record_schema)
    example = schema.get("example")
    example = example if isinstance(example, Mapping) else {}
    budget = ByteBudget()
    identity = IdentityValues(
        budget, reader, route, path_patterns, origin, account_sid, example=example
    )
    makers: list[tuple[str, Maker]] = []
    compiler = _PropertyCompiler(reader, budget, identity, example)
    for name, node in schema.get("properties", {}).items():
        try:
            makers.append((name, compiler.property(name, reader.resolve(node))))
        except UnsupportedSchemaError as error:
            raise UnsupportedSchemaError(
                f"the mock cannot make values for property {name!r} of the record schema: {error}"
            ) from None
    return RecordMaker(
        makers=tuple(makers),
        size=max(budget.size, 1),
        path_names=tuple(path_patterns),
        anchors=identity.all_anchors(),
    )


@attrs.frozen
class _PropertyCompiler:
    """Picks the first rule that applies to a property and builds its value maker."""

    reader: SchemaReader
    budget: ByteBudget
    identity: IdentityValues
    example: Mapping[str, Any]
    """The record schema's ``example``."""

    def property(self, name: str, schema: dict[str, Any]) -> Maker:
        made = self.value(name, schema)
        if made is not None:
            return made
        kind = self.reader.kind(schema)
        if "type" not in schema and kind not in (None, "null"):
            # The type is in a branch (``anyOf: [$ref EngagementLinks, null]``): read its keywords.
            schema = {**self.reader.non_null_branch(schema), **schema}
            made = self.value(name, schema)
            if made is not None:
                return made
        return self.by_type(name, schema, kind)

    def value(self, name: str, schema: dict[str, Any]) -> Maker | None:
        """A maker from the value-shaping keywords, or None if there are none."""
        if "const" in schema:
            constant = schema["const"]
            return lambda record: constant
        enums = [schema["enum"]] if "enum" in schema else []
        enums += [b["enum"] for b in self.reader.branches(schema) if "enum" in b]
        if enums:
            return self.choice(tuple(enums[0]), schema)
        if "pattern" in schema:
            return self.identity.sid(name, schema)
        if schema.get("format") == "date-time":
            return self.identity.date_time(name, schema)
        if schema.get("format") == "uri":
            return self.identity.uri(name, schema)
        return None

    def by_type(self, name: str, schema: dict[str, Any], kind: str | None) -> Maker:
        """A maker from documented examples, else from the property's type."""
        nullable = self.reader.nullable(schema)
        or_null = self.budget.or_null
        examples = schema.get("examples") or (
            [self.example[name]] if isinstance(self.example.get(name), str) else []
        )
        if kind == "string" and examples:
            return or_null(nullable, example_maker(self.budget, [str(e) for e in examples]))
        if kind is None and schema.get("examples"):
            return documented_json_maker(self.budget, schema["examples"])
        if kind is None:
            return any_json_maker(self.budget, [self.example[name]] if name in self.example else [])
        if kind == "null":
            return lambda record: None
        if kind == "string":
            return or_null(nullable, self.hex_string(schema))
        if kind in ("integer", "number"):
            return or_null(nullable, self.number(schema, kind))
        if kind == "boolean":
            at = self.budget.take(1)
            return or_null(nullable, lambda record: bool(record.data[at] & 1))
        if kind == "object":
            return or_null(nullable, self.obj(name, schema))
        if kind == "array" and not schema.get("minItems"):
            return or_null(nullable, lambda record: [])
        raise UnsupportedSchemaError(f"no rule makes values of type {kind!r}")

    def choice(self, values: tuple[Any, ...], schema: Mapping[str, Any]) -> Maker:
        at = self.budget.take(1)
        count = len(values)
        return self.budget.or_null(
            self.reader.nullable(schema) and None not in values,
            lambda record: values[record.data[at] % count],
        )

    def obj(self, name: str, schema: Mapping[str, Any]) -> Maker:
        if schema.get("required") or schema.get("minProperties"):
            raise UnsupportedSchemaError("an object with required properties")
        extra = schema.get("additionalProperties")
        if isinstance(extra, Mapping) and self.reader.resolve(extra).get("format") == "uri":
            return self.identity.links(name)
        return lambda record: {}

    def hex_string(self, schema: Mapping[str, Any]) -> Maker:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        length = max(16, low) if high is None else min(max(16, low), high)
        at = self.budget.take((length + 1) // 2)
        return lambda record: record.data[at : at + (length + 1) // 2].hex()[:length]

    def number(self, schema: Mapping[str, Any], kind: str) -> Maker:
        low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 1000) - 1)
        if high < low:
            raise UnsupportedSchemaError(f"no {kind} between {low} and {high}")
        at = self.budget.take(4)
        span = int(high - low) + 1
        return lambda record: low + int.from_bytes(record.data[at : at + 4]) % span
