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
- no ``type`` (any JSON, ``context``): one of a few JSON shapes Studio flows store, the record
  schema's example for the property (its strings replaced by first names) among them.
- other plain types: a string of hex digits (within ``minLength``/``maxLength``), an integer
  or number within ``minimum``/``maximum``, a boolean, an empty array or object when allowed.

A nullable property (``type: [X, 'null']``, or a ``null`` branch of ``anyOf``/``oneOf``) is null
for about one record in eight (updates: one in four), except the record's own SID, URL and
creation time and the SIDs taken from the request, which are never null.
"""

from __future__ import annotations

import itertools
import marshal
import re
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

import attrs

from ._data import entropy

# The newest record of every flow; older ones step back a minute or so each. Naive, read as UTC:
# isoformat() then needs only a "Z", and is much cheaper than strftime().
NEWEST = datetime(2024, 6, 1, 12, 0, 0)
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Linus")
NAME_PLACEHOLDER = "name"
HEX = "0123456789abcdef"
NULL_ONE_IN = 8
UPDATE_NULL_ONE_IN = 4
# Untyped properties hold whatever a flow's widgets stored there: the shapes vary a lot.
JSON_SHAPES: tuple[Any, ...] = (
    {},
    {
        "trigger": {"message": {"Body": "Hi, I'm {name}", "NumMedia": "0"}},
        "widgets": {"send_reply": {"status": "delivered"}},
    },
    {"flow": {"data": {"items": [1, 2.5, "three", None, True], "count": 0}}},
    {"flow": {"variables": {"unicode": "Grüße, 世界", "nested": {"deep": [{"a": []}]}}}},
    None,
)


class UnsupportedSchemaError(ValueError):
    """The record schema has a property the mock cannot make valid values for."""


class _Record:
    """One record in the making: its bytes and the values other properties derive from."""

    __slots__ = ("created", "data", "path", "sid", "url")

    def __init__(self, data: bytes, path: Mapping[str, str]) -> None:
        self.data = data
        self.path = path
        self.sid = ""
        self.created = NEWEST
        self.url = ""


Maker = Callable[[_Record], Any]


@attrs.frozen
class RecordMaker:
    """The record schema compiled: ``make(seed, index, path)`` is record ``index``."""

    makers: tuple[tuple[str, Maker], ...]
    """One value maker per property, in schema order."""
    size: int
    """How many seeded bytes one record consumes."""
    path_names: tuple[str, ...]
    """The path parameters a record derives from (``FlowSid``), in the route's order."""
    anchors: tuple[Callable[[_Record, int], None], ...]
    """What later properties build on (own SID, creation time, own URL), set first."""

    def make(self, seed: int, index: int, path: Mapping[str, str]) -> dict[str, Any]:
        """Record ``index`` of the collection at ``path`` (path parameter values by name)."""
        record = _Record(
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
    return _Compiler(document, record_schema, route, path_patterns, origin, account_sid).run()


@attrs.define
class _Compiler:
    document: Mapping[str, Any]
    record_schema: Mapping[str, Any]
    route: str
    path_patterns: Mapping[str, str | None]
    origin: str
    account_sid: str
    size: int = 0
    own_sid: str | None = None
    created: str | None = None
    own_url: str | None = None
    example: Mapping[str, Any] = attrs.Factory(dict)
    anchors: list[Callable[[_Record, int], None]] = attrs.Factory(list)

    def run(self) -> RecordMaker:
        schema = self.resolve(self.record_schema)
        example = schema.get("example")
        self.example = example if isinstance(example, Mapping) else {}
        makers: list[tuple[str, Maker]] = []
        for name, node in schema.get("properties", {}).items():
            try:
                makers.append((name, self.property(name, self.resolve(node))))
            except UnsupportedSchemaError as error:
                raise UnsupportedSchemaError(
                    f"the mock cannot make values for property {name!r} of the record schema: "
                    f"{error}"
                ) from None
        self.anchors.append(self.url_anchor())
        return RecordMaker(
            makers=tuple(makers),
            size=max(self.size, 1),
            path_names=tuple(self.path_patterns),
            anchors=tuple(self.anchors),
        )

    # -- schema reading --------------------------------------------------------------------------

    def resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        """Follow local ``$ref``s until a plain schema."""
        seen = 0
        while "$ref" in node:
            target: Any = self.document
            for key in str(node["$ref"]).removeprefix("#/").split("/"):
                target = target[key]
            node = target
            seen += 1
            if seen > 32:
                raise UnsupportedSchemaError("a $ref cycle")
        return dict(node)

    def branches(self, schema: Mapping[str, Any]) -> list[dict[str, Any]]:
        return [self.resolve(b) for b in (*schema.get("anyOf", ()), *schema.get("oneOf", ()))]

    def nullable(self, schema: Mapping[str, Any]) -> bool:
        kind = schema.get("type")
        if kind == "null" or (isinstance(kind, list) and "null" in kind):
            return True
        return any(self.nullable(branch) for branch in self.branches(schema))

    def take(self, count: int) -> int:
        """Reserve ``count`` of each record's seeded bytes; their offset."""
        offset, self.size = self.size, self.size + count
        return offset

    # -- one property ----------------------------------------------------------------------------

    def property(self, name: str, schema: dict[str, Any]) -> Maker:
        made = self.value(name, schema)
        if made is not None:
            return made
        kind = self.kind(schema)
        if "type" not in schema and kind not in (None, "null"):
            # The type is in a branch (``anyOf: [$ref EngagementLinks, null]``): read its keywords.
            schema = {**self.non_null_branch(schema), **schema}
            made = self.value(name, schema)
            if made is not None:
                return made
        return self.by_type(name, schema, kind)

    def kind(self, schema: Mapping[str, Any]) -> str | None:
        """The one non-null type ``schema`` allows, ``null`` if only null, None if any JSON."""
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            if len(kinds) > 1:
                raise UnsupportedSchemaError(f"several types {kinds}")
            return kinds[0] if kinds else "null"
        if kind is not None:
            return str(kind)
        branches = self.branches(schema)
        if branches and all(b.get("type") == "null" for b in branches):
            return "null"
        return self.kind(self.non_null_branch(schema)) if branches else None

    def non_null_branch(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """The first ``anyOf``/``oneOf`` branch that is not ``type: null`` (``{}`` if none)."""
        for branch in self.branches(schema):
            if branch.get("type") != "null":
                return branch
        return {}

    def value(self, name: str, schema: dict[str, Any]) -> Maker | None:
        """A maker from the value-shaping keywords, or None if there are none."""
        if "const" in schema:
            constant = schema["const"]
            return lambda record: constant
        enums = [schema["enum"]] if "enum" in schema else []
        enums += [b["enum"] for b in self.branches(schema) if "enum" in b]
        if enums:
            return self.choice(tuple(enums[0]), schema)
        if "pattern" in schema:
            return self.pattern(name, schema)
        if schema.get("format") == "date-time":
            return self.date_time(name, schema)
        if schema.get("format") == "uri":
            return self.uri(name, schema)
        return None

    def by_type(self, name: str, schema: dict[str, Any], kind: str | None) -> Maker:
        nullable = self.nullable(schema)
        examples = schema.get("examples") or (
            [self.example[name]] if isinstance(self.example.get(name), str) else []
        )
        if kind == "string" and examples:
            return self.or_null(nullable, self.from_examples([str(e) for e in examples]))
        if kind is None:
            return self.any_json(name)
        if kind == "null":
            return lambda record: None
        if kind == "string":
            return self.or_null(nullable, self.hex_string(schema))
        if kind in ("integer", "number"):
            return self.or_null(nullable, self.number(schema, kind))
        if kind == "boolean":
            at = self.take(1)
            return self.or_null(nullable, lambda record: bool(record.data[at] & 1))
        if kind == "object":
            return self.or_null(nullable, self.obj(name, schema))
        if kind == "array" and not schema.get("minItems"):
            return self.or_null(nullable, lambda record: [])
        raise UnsupportedSchemaError(f"no rule makes values of type {kind!r}")

    def or_null(self, nullable: bool, make: Maker, one_in: int = NULL_ONE_IN) -> Maker:
        if not nullable:
            return make
        at = self.take(1)
        return lambda record: None if record.data[at] % one_in == 0 else make(record)

    # -- keyword rules ---------------------------------------------------------------------------

    def choice(self, values: tuple[Any, ...], schema: Mapping[str, Any]) -> Maker:
        at = self.take(1)
        count = len(values)
        return self.or_null(
            self.nullable(schema) and None not in values,
            lambda record: values[record.data[at] % count],
        )

    def pattern(self, name: str, schema: Mapping[str, Any]) -> Maker:
        pattern = str(schema["pattern"])
        shape = PatternShape.parse(pattern)
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if shape.length < low or (high is not None and shape.length > high):
            raise UnsupportedSchemaError(
                f"pattern {pattern} makes {shape.length} characters, outside its "
                f"minLength/maxLength"
            )
        for parameter, other in self.path_patterns.items():
            if other is not None and _literal_prefix(other) == shape.prefix and shape.prefix:
                return lambda record: record.path[parameter]
        if shape.matches(self.account_sid):
            account = self.account_sid
            return lambda record: account
        generate = shape.generator(self.take(shape.size))
        if self.own_sid is None:
            self.own_sid = name

            def own(record: _Record, index: int) -> None:
                record.sid = generate(record.data)

            self.anchors.insert(0, own)
            return lambda record: record.sid
        return self.or_null(self.nullable(schema), lambda record: generate(record.data))

    def date_time(self, name: str, schema: Mapping[str, Any]) -> Maker:
        at = self.take(2)
        if self.created is None:
            self.created = name

            def created(record: _Record, index: int) -> None:
                record.created = NEWEST - timedelta(seconds=61 * index + record.data[at] % 60)

            self.anchors.append(created)
            return lambda record: _iso(record.created)

        def updated(record: _Record) -> str:
            return _iso(record.created + timedelta(seconds=record.data[at + 1] * 7))

        return self.or_null(self.nullable(schema), updated, UPDATE_NULL_ONE_IN)

    def uri(self, name: str, schema: Mapping[str, Any]) -> Maker:
        if self.own_url is None:
            self.own_url = name
            return lambda record: record.url
        suffix = self.suffix(name, self.example.get(name))
        return self.or_null(self.nullable(schema), lambda record: record.url + suffix)

    def suffix(self, name: str, example: object) -> str:
        """Where sub-resource ``name`` is below the record's URL, as the example shows it."""
        own = self.example.get(self.own_url) if self.own_url is not None else None
        if isinstance(example, str) and isinstance(own, str) and example.startswith(own + "/"):
            return example[len(own) :]
        return "/" + name

    def obj(self, name: str, schema: Mapping[str, Any]) -> Maker:
        if schema.get("required") or schema.get("minProperties"):
            raise UnsupportedSchemaError("an object with required properties")
        extra = schema.get("additionalProperties")
        example = self.example.get(name)
        if isinstance(extra, Mapping) and self.resolve(extra).get("format") == "uri":
            links = example if isinstance(example, Mapping) else {}
            suffixes = [(key, self.suffix(key, value)) for key, value in links.items()]
            return lambda record: {key: record.url + tail for key, tail in suffixes}
        return lambda record: {}

    def from_examples(self, examples: Sequence[str]) -> Maker:
        at = self.take(1 + 1 + 8)
        variants = [_example_variant(example, at + 1) for example in examples]
        count = len(variants)
        return lambda record: variants[record.data[at] % count](record.data)

    def any_json(self, name: str) -> Maker:
        at = self.take(2)
        shapes: list[Any] = list(JSON_SHAPES)
        if name in self.example:
            shapes.insert(1, _with_names(self.example[name], "{name}"))
        # Each shape with each name, marshalled: loading one is a fast deep copy, so every record
        # gets its own objects (a caller may mutate what it is given).
        frozen = [[marshal.dumps(_fill(shape, n)) for n in FIRST_NAMES] for shape in shapes]
        count, names, load = len(frozen), len(FIRST_NAMES), marshal.loads
        return lambda record: load(frozen[record.data[at] % count][record.data[at + 1] % names])

    def hex_string(self, schema: Mapping[str, Any]) -> Maker:
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        length = max(16, low) if high is None else min(max(16, low), high)
        at = self.take((length + 1) // 2)
        return lambda record: record.data[at : at + (length + 1) // 2].hex()[:length]

    def number(self, schema: Mapping[str, Any], kind: str) -> Maker:
        low = schema.get("minimum", schema.get("exclusiveMinimum", -1) + 1)
        high = schema.get("maximum", schema.get("exclusiveMaximum", low + 1000) - 1)
        if high < low:
            raise UnsupportedSchemaError(f"no {kind} between {low} and {high}")
        at = self.take(4)
        span = int(high - low) + 1
        return lambda record: low + int.from_bytes(record.data[at : at + 4]) % span

    def url_anchor(self) -> Callable[[_Record, int], None]:
        route, origin = self.route, self.origin
        names = [(name, "{" + name + "}") for name in self.path_patterns]

        def url(record: _Record, index: int) -> None:
            path = route
            for name, placeholder in names:
                path = path.replace(placeholder, record.path[name])
            record.url = f"{origin}{path}/{record.sid or index}"

        return url


@attrs.frozen
class PatternShape:
    """A pattern the mock can make values for: literal text and character classes of fixed count.

    ``^FN[0-9a-fA-F]{32}$`` is the literal ``FN`` and 32 characters of ``0-9a-fA-F``.
    """

    pattern: str
    parts: tuple[tuple[str, int], ...]
    """Literal text (count 0) or a class's characters with their count, in order."""

    @classmethod
    def parse(cls, pattern: str) -> PatternShape:
        """The shape of ``pattern``, or :class:`UnsupportedSchemaError` if it has another."""
        body = pattern.removeprefix("^").removesuffix("$")
        parts: list[tuple[str, int]] = []
        i = 0

        def refuse(why: str) -> UnsupportedSchemaError:
            return UnsupportedSchemaError(
                f"pattern {pattern}: {why}; the mock generates values only for literal text "
                "and character classes with a {n} count, such as ^FN[0-9a-fA-F]{32}$"
            )

        while i < len(body):
            char = body[i]
            if char == "[":
                end = body.find("]", i + 1)
                if end < 0:
                    raise refuse("an unclosed character class")
                alphabet = _class_alphabet(body[i + 1 : end])
                if alphabet is None:
                    raise refuse(f"the character class {body[i : end + 1]!r}")
                i, count = _count(body, end + 1)
                if count is None:
                    raise refuse(f"the repetition after {body[: end + 1]!r}")
                parts.append((alphabet, count))
            elif char == "\\" and i + 1 < len(body) and not body[i + 1].isalnum():
                parts.append((body[i + 1], 0))
                i += 2
            elif char.isalnum() or char in "-_:/@,;=!~%&' <>#\"":
                parts.append((char, 0))
                i += 1
            else:
                raise refuse(f"{char!r} at position {i + len(pattern) - len(pattern.lstrip('^'))}")
        # Literal runs first merged, so that the leading literal is the SID prefix.
        merged: list[tuple[str, int]] = []
        for part in parts:
            if merged and part[1] == 0 and merged[-1][1] == 0:
                merged[-1] = (merged[-1][0] + part[0], 0)
            else:
                merged.append(part)
        shape = cls(pattern, tuple(merged))
        if not shape.matches(shape.generator(0)(bytes(shape.size))):
            raise refuse("its values would not match it")
        return shape

    @property
    def prefix(self) -> str:
        """The literal text the pattern starts with (``FN``)."""
        return self.parts[0][0] if self.parts and self.parts[0][1] == 0 else ""

    @property
    def length(self) -> int:
        """How many characters every value has."""
        return sum(count or len(text) for text, count in self.parts)

    @property
    def size(self) -> int:
        """How many seeded bytes one value needs."""
        return sum(_class_bytes(text, count) for text, count in self.parts if count)

    def matches(self, value: str) -> bool:
        """Whether ``value`` matches the pattern (as JSON Schema applies it)."""
        return re.search(self.pattern, value) is not None

    def generator(self, at: int) -> Callable[[bytes], str]:
        """A function of a record's bytes making a value from the ``size`` bytes at ``at``."""
        steps: list[Callable[[bytes], str]] = []
        offset = at
        for text, count in self.parts:
            if count == 0:
                steps.append(lambda data, text=text: text)  # type: ignore[misc]
                continue
            width = _class_bytes(text, count)
            start, stop = offset, offset + width
            offset = stop
            if set(HEX) <= set(text):
                steps.append(lambda data, s=start, e=stop, n=count: data[s:e].hex()[:n])  # type: ignore[misc]
            else:
                steps.append(
                    lambda data, s=start, e=stop, a=text: "".join(a[b % len(a)] for b in data[s:e])  # type: ignore[misc]
                )
        if len(self.parts) == 2 and self.parts[0][1] == 0 and set(HEX) <= set(self.parts[1][0]):
            # The common SID shape (literal prefix, hex digits), in one step.
            literal, count = self.parts[0][0], self.parts[1][1]
            start, stop = at, at + _class_bytes(HEX, count)
            if count % 2 == 0:
                return lambda data: literal + data[start:stop].hex()
            return lambda data: literal + data[start:stop].hex()[:count]
        return lambda data: "".join([step(data) for step in steps])


def _class_alphabet(inner: str) -> str | None:
    """The characters of a ``[...]`` class body such as ``0-9a-fA-F``, or None if unsupported."""
    if not inner or inner.startswith("^"):
        return None
    chars: list[str] = []
    i = 0
    while i < len(inner):
        if i + 2 < len(inner) and inner[i + 1] == "-":
            low, high = inner[i], inner[i + 2]
            if not (low.isascii() and high.isascii() and low.isalnum() and high.isalnum()):
                return None
            if ord(low) > ord(high):
                return None
            chars.extend(chr(c) for c in range(ord(low), ord(high) + 1))
            i += 3
        elif inner[i].isascii() and (inner[i].isalnum() or inner[i] in "_"):
            chars.append(inner[i])
            i += 1
        else:
            return None
    return "".join(sorted(set(chars)))


def _count(body: str, at: int) -> tuple[int, int | None]:
    """The ``{n}`` count at ``at`` (1 if none) and where the pattern goes on."""
    if at >= len(body) or body[at] != "{":
        return at, None if at < len(body) and body[at] in "*+?" else 1
    end = body.find("}", at)
    number = body[at + 1 : end] if end > 0 else ""
    if not number.isdigit():
        return at, None
    return end + 1, int(number)


def _class_bytes(alphabet: str, count: int) -> int:
    return (count + 1) // 2 if set(HEX) <= set(alphabet) else count


def _literal_prefix(pattern: str) -> str:
    try:
        return PatternShape.parse(pattern).prefix
    except UnsupportedSchemaError:
        return ""


def _iso(moment: datetime) -> str:
    """RFC 3339 UTC of a naive UTC ``moment`` with whole seconds (``2024-06-01T12:00:00Z``)."""
    return moment.isoformat() + "Z"


def _example_variant(example: str, at: int) -> Callable[[bytes], str]:
    """A function of a record's bytes varying ``example`` as the module docstring says."""
    template: list[str] = []
    moduli: list[int] = []
    for (digits, _), group in itertools.groupby(example, key=lambda c: (c.isdigit(), c.isalpha())):
        text = "".join(group)
        if digits and len(text) > 1:
            moduli.append(10 ** (len(text) - 1))
            template.append(f"{text[0]}{{{len(moduli)}:0>{len(text) - 1}}}")
        elif text == NAME_PLACEHOLDER:
            template.append("{0}")
        else:
            template.append(text.replace("{", "{{").replace("}", "}}"))
    form = "".join(template).format
    names = [name.lower() for name in FIRST_NAMES]
    count = len(names)

    def vary(data: bytes) -> str:
        number = int.from_bytes(data[at + 1 : at + 9])
        return form(names[data[at] % count], *[number % modulus for modulus in moduli])

    return vary


def _with_names(value: Any, placeholder: str) -> Any:
    """``value`` with every string replaced by ``placeholder`` (keys kept)."""
    if isinstance(value, str):
        return placeholder
    if isinstance(value, Mapping):
        return {key: _with_names(item, placeholder) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_names(item, placeholder) for item in value]
    return value


def _fill(value: Any, name: str) -> Any:
    if isinstance(value, str):
        return value.replace("{name}", name)
    if isinstance(value, Mapping):
        return {key: _fill(item, name) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, name) for item in value]
    return value
