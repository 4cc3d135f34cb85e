"""The values that identify a record: its SIDs, creation and update times, own URL and links."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import attrs

from ._patterns import PatternShape, literal_prefix
from ._record_draft import NEWEST, Anchor, ByteBudget, Maker, RecordDraft
from ._schema_reading import SchemaReader, UnsupportedSchemaError

UPDATE_NULL_ONE_IN = 4


@attrs.define
class IdentityValues:
    """Makers for ``pattern``, ``format: date-time`` and ``format: uri`` properties.

    The first of each kind is one of the record's anchors (own SID, creation time, own URL),
    set before any property is made; later ones derive from them. The rules are in
    :mod:`._records`' docstring.
    """

    budget: ByteBudget
    reader: SchemaReader
    route: str
    path_patterns: Mapping[str, str | None]
    origin: str
    account_sid: str
    example: Mapping[str, Any]
    """The record schema's ``example``: where it shows sub-resources below the own URL."""
    own_sid: str | None = None
    created: str | None = None
    own_url: str | None = None
    anchors: list[Anchor] = attrs.Factory(list)
    """Own SID first, then creation time; :meth:`all_anchors` adds the own URL."""

    def sid(self, name: str, schema: Mapping[str, Any]) -> Maker:
        """A value of the property's ``pattern``: a SID from the request, or seeded."""
        pattern = str(schema["pattern"])
        shape = PatternShape.parse(pattern)
        low, high = schema.get("minLength", 0), schema.get("maxLength")
        if shape.length < low or (high is not None and shape.length > high):
            raise UnsupportedSchemaError(
                f"pattern {pattern} makes {shape.length} characters, outside its "
                f"minLength/maxLength"
            )
        for parameter, other in self.path_patterns.items():
            if other is not None and literal_prefix(other) == shape.prefix and shape.prefix:
                return lambda record: record.path[parameter]
        if shape.matches(self.account_sid):
            account = self.account_sid
            return lambda record: account
        generate = shape.generator(self.budget.take(shape.size))
        if self.own_sid is None:
            self.own_sid = name

            def own(record: RecordDraft, index: int) -> None:
                record.sid = generate(record.data)

            self.anchors.insert(0, own)
            return lambda record: record.sid
        return self.budget.or_null(
            self.reader.nullable(schema), lambda record: generate(record.data)
        )

    def date_time(self, name: str, schema: Mapping[str, Any]) -> Maker:
        """The creation time (the first such property), else an update at or after it."""
        at = self.budget.take(2)
        if self.created is None:
            self.created = name

            def created(record: RecordDraft, index: int) -> None:
                record.created = NEWEST - timedelta(seconds=61 * index + record.data[at] % 60)

            self.anchors.append(created)
            return lambda record: iso(record.created)

        def updated(record: RecordDraft) -> str:
            return iso(record.created + timedelta(seconds=record.data[at + 1] * 7))

        return self.budget.or_null(self.reader.nullable(schema), updated, UPDATE_NULL_ONE_IN)

    def uri(self, name: str, schema: Mapping[str, Any]) -> Maker:
        """The record's own URL (the first such property), else a sub-resource of it."""
        if self.own_url is None:
            self.own_url = name
            return lambda record: record.url
        suffix = self.suffix(name, self.example.get(name))
        return self.budget.or_null(self.reader.nullable(schema), lambda record: record.url + suffix)

    def links(self, name: str) -> Maker:
        """An object of sub-resource URLs, keyed as the record schema's example for ``name``."""
        example = self.example.get(name)
        links = example if isinstance(example, Mapping) else {}
        suffixes = [(key, self.suffix(key, value)) for key, value in links.items()]
        return lambda record: {key: record.url + tail for key, tail in suffixes}

    def suffix(self, name: str, example: object) -> str:
        """Where sub-resource ``name`` is below the record's URL, as the example shows it."""
        own = self.example.get(self.own_url) if self.own_url is not None else None
        if isinstance(example, str) and isinstance(own, str) and example.startswith(own + "/"):
            return example[len(own) :]
        return "/" + name

    def all_anchors(self) -> tuple[Anchor, ...]:
        """Every anchor in the order to set them, the own URL (route, then own SID) last."""
        route, origin = self.route, self.origin
        names = [(name, "{" + name + "}") for name in self.path_patterns]

        def url(record: RecordDraft, index: int) -> None:
            path = route
            for name, placeholder in names:
                path = path.replace(placeholder, record.path[name])
            record.url = f"{origin}{path}/{record.sid or index}"

        return (*self.anchors, url)


def iso(moment: datetime) -> str:
    """RFC 3339 UTC of a naive UTC ``moment`` with whole seconds (``2024-06-01T12:00:00Z``)."""
    return moment.isoformat() + "Z"
