"""Engagements as bytes of jsonl or csv, always valid whatever their strings hold; a table.

Without ``--fields`` a record's jsonl line is its JSON as the API sent it; otherwise one record
becomes one jsonl line in :func:`jsonl_line`: lone surrogates (``"\\ud800"``) are
written as JSON escapes, and numbers JSON cannot hold (NaN, Infinity, e.g. from ``1e999``) as
``null``. Csv cells are UTF-8; a lone surrogate in one is written as its ``\\ud800`` escape text.
"""

from __future__ import annotations

import csv
import io
import json
import math
from collections.abc import Sequence
from typing import Any

from rich.table import Table

from .. import Engagement

# The model's fields, as the spec names them: a field added to the spec is a column here.
FIELDS = Engagement.FIELDS
# The short view: the fields the spec marks `x-summary` (twilio-cli's default columns).
TABLE_FIELDS = Engagement.SUMMARY_FIELDS
FORMATS = ("jsonl", "csv", "table")


def jsonl_line(record: dict[str, Any]) -> bytes:
    """One record as one line of valid JSON (UTF-8, newline-terminated)."""
    try:
        text = json.dumps(record, ensure_ascii=False, allow_nan=False)
    except ValueError:  # NaN or Infinity: JSON has no such numbers
        text = json.dumps(_finite(record), ensure_ascii=False)
    try:
        return text.encode("utf-8") + b"\n"
    except UnicodeEncodeError:  # a lone surrogate: only its \u escape is valid JSON
        return json.dumps(_finite(record), ensure_ascii=True).encode("ascii") + b"\n"


def _finite(value: Any) -> Any:
    """``value`` with every NaN or infinite float replaced by None."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {key: _finite(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_finite(item) for item in value]
    return value


def render_rows(
    engagements: Sequence[Engagement], fields: Sequence[str], fmt: str, header: bool
) -> bytes:
    """Engagements as jsonl or csv bytes (``header``: start csv with the field names)."""
    if fmt == "jsonl":
        return b"".join(_jsonl_record(engagement, fields) for engagement in engagements)
    rows = [_select(engagement.to_dict(), fields) for engagement in engagements]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(fields)
    writer.writerows([cell(row[name]) for name in fields] for row in rows)
    return buffer.getvalue().encode("utf-8", errors="backslashreplace")


def _jsonl_record(engagement: Engagement, fields: Sequence[str]) -> bytes:
    """One engagement's jsonl line: as the API sent it when every field is asked for.

    The JSON as sent keeps fields this version does not know and numbers as written; a record
    known only from a body that is not strict JSON (e.g. NaN) is written from its typed values.
    """
    sent = engagement.sent_json() if tuple(fields) == FIELDS else None
    if sent is None:
        return jsonl_line(_select(engagement.to_dict(), fields))
    # Line breaks outside strings are whitespace (JSON escapes those within): one record a line.
    return sent.replace(b"\n", b"").replace(b"\r", b"") + b"\n"


def _select(record: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {name: record.get(name) for name in fields}


def cell(value: Any) -> str:
    """A value as text: strings as they are, None as empty, anything else as JSON."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return jsonl_line(value).decode("utf-8").rstrip("\n")


def engagement_table(engagements: Sequence[Engagement], fields: Sequence[str]) -> Table:
    """A rich Table of the given fields (values that are not strings, e.g. ``context``, as JSON)."""
    records = [engagement.to_dict() for engagement in engagements]
    table = Table()
    for name in fields:
        # On a narrow screen JSON folds, other long values (SIDs) are cut with an ellipsis, and
        # short columns keep their names' width.
        json_values = any(not isinstance(record.get(name), str | None) for record in records)
        table.add_column(
            name,
            overflow="fold" if json_values else "ellipsis",
            min_width=min(len(name), 8),
        )
    for record in records:
        table.add_row(*(cell(record.get(name)) for name in fields))
    return table
