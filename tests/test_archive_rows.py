"""The archive's rows from records' JSON as sent: the values earlier versions wrote.

``row()`` reads a record that knows its JSON as sent again from those bytes (JSON columns as the
text sent, dates as the text sent); the version it replaced decoded the record with json.loads
and wrote each value again (kept here as ``_decoded_row``). For every record both give the same
scalar cells, type and value, and JSON cells of the same JSON value (the same text once written
the way the earlier version wrote it), each valid JSON text; records without JSON as sent (built
by ``from_dict``, read from a body msgspec refuses) keep the earlier rows byte for byte.
"""

from __future__ import annotations

import json
import warnings
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from studio_engagements import Engagement, Flow, Step
from studio_engagements.cli import _archive_store
from studio_engagements.cli._archive_store import (
    TABLES,
    ArchiveStore,
    columns,
    json_columns,
    json_text,
    row,
)
from studio_engagements.testing import MockStudio
from studio_engagements_api.models import (
    ListEngagementResponse,
    ListFlowResponse,
    ListStepResponse,
)

from .helpers import FLOW

PAGES: dict[str, Any] = {
    "engagements": ListEngagementResponse,
    "steps": ListStepResponse,
    "flows": ListFlowResponse,
}
MODELS = {"engagements": Engagement, "steps": Step, "flows": Flow}
URL = "https://studio.twilio.com/v1/Flows/" + FLOW + "/Engagements?PageSize=50&Page=0"


def _decoded_row(table: str, record: Any, position: int | None = None) -> tuple[Any, ...]:
    """The earlier ``row()``: the record's JSON as sent decoded by json.loads, each value
    written again (JSON columns by json_text, the rest by cell)."""
    sent = record.sent_json()
    data: dict[str, Any] = record.to_dict() if sent is None else json.loads(sent)
    fields = TABLES[table].FIELDS
    as_json = json_columns(table)
    extra = {key: value for key, value in data.items() if key not in fields}
    values = tuple(
        json_text(data.get(name)) if name in as_json else _archive_store.cell(data.get(name))
        for name in fields
    )
    if table == "steps":
        values = (*values, position)
    return (*values, json_text(extra) if extra else None)


def _strict_json(text: str) -> Any:
    """``text`` read as strict JSON (no NaN or Infinity tokens), or AssertionError."""

    def refuse(token: str) -> Any:
        raise AssertionError(f"not JSON: {token}")

    text.encode("utf-8")  # no lone surrogate: SQLite and every reader get valid UTF-8
    return json.loads(text, parse_constant=refuse)


def assert_same_row(table: str, record: Any, position: int | None = None) -> None:
    """``row()`` gives the earlier row: scalars identical, JSON of the same value, valid."""
    new, old = row(table, record, position), _decoded_row(table, record, position)
    if record.sent_json() is None:  # written from its typed values, as before
        assert new == old
        return
    assert len(new) == len(old) == len(columns(table))
    as_json = json_columns(table)
    for name, got, wanted in zip(columns(table), new, old, strict=True):
        if name not in as_json or got is None or wanted is None or got == wanted:
            assert (name, got, type(got)) == (name, wanted, type(wanted))
            continue
        assert isinstance(got, str)
        assert json_text(_strict_json(got)) == wanted, name


def _page(table: str, records: list[Any], *, ascii_only: bool, compact: bool) -> bytes:
    separators = (",", ":") if compact else (", ", ": ")
    body = {
        table: records,
        "meta": {"page": 0, "page_size": 50, "key": table, "url": URL, "first_page_url": URL,
                 "next_page_url": None, "previous_page_url": None},
    }  # fmt: skip
    text = json.dumps(body, ensure_ascii=ascii_only, separators=separators)
    try:
        return text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: an API can send only its escape
        return json.dumps(body, separators=separators).encode("ascii")


def _records(table: str, content: bytes) -> list[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        page = PAGES[table].from_json(content)
    return list(getattr(page, table))


# -- values a hostile or merely surprising API may send ---------------------------------------

_text = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["", "é", "世界", "😀", '"', "\\", "/", "\n\t\r", "\x00", "\u2028",
                     "\ud800", "a\udfffb", "</script>", "null", "1e400"]),
)  # fmt: skip
_numbers = st.one_of(
    st.integers(), st.integers(min_value=2**63, max_value=2**80),
    st.floats(allow_nan=True, allow_infinity=True),
)  # fmt: skip
_json = st.recursive(
    st.none() | st.booleans() | _numbers | _text,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_text, inner, max_size=4),
    max_leaves=12,
)
_dates = st.sampled_from([
    "2024-06-01T11:59:41Z", "2024-06-01T11:59:41.123456Z", "2024-06-01T11:59:41+00:00",
    "2024-06-01T13:59:41+02:00", "2024-06-01 11:59:41Z", "2024-06-01T11:59:41z",
    "2024-06-01T11:59:41",
])  # fmt: skip
# The scalar fields with values of their own (every other field: text); a dict from keywords.
_SCALARS: dict[str, st.SearchStrategy[Any]] = dict(
    status=st.sampled_from(["active", "ended", "draft", "published", "paused", "é"]),
    version=st.integers(min_value=-(2**63), max_value=2**63 - 1),
    date_created=_dates,
    date_updated=_dates,
)


@st.composite
def _record(draw: st.DrawFn, table: str) -> dict[str, Any]:
    """A record of ``table``: any of its fields (each null, absent or of its type), unknown
    keys with any JSON value."""
    record: dict[str, Any] = {}
    as_json = json_columns(table)
    for name in TABLES[table].FIELDS:
        shape = draw(st.sampled_from(["value", "value", "null", "absent"]))
        if shape == "absent":
            continue
        if shape == "null":
            record[name] = None
        elif name == "links":
            record[name] = draw(st.dictionaries(_text, _text | _json, max_size=3))
        elif name in as_json:
            record[name] = draw(_json)
        else:
            record[name] = draw(_SCALARS.get(name, _text))
    for key, value in draw(st.dictionaries(_text, _json, max_size=2)).items():
        record.setdefault(key, value)
    return record


@pytest.mark.parametrize("table", list(TABLES))
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), ascii_only=st.booleans(), compact=st.booleans())
def test_rows_from_json_as_sent_are_the_earlier_rows(
    table: str, data: st.DataObject, ascii_only: bool, compact: bool
) -> None:
    records = data.draw(st.lists(_record(table), min_size=1, max_size=4))
    content = _page(table, records, ascii_only=ascii_only, compact=compact)
    for position, record in enumerate(_records(table, content)):
        assert_same_row(table, record, position)


@pytest.mark.parametrize("table", list(TABLES))
@given(record=st.data())
@settings(max_examples=60, deadline=None)
@example(record=None)
def test_rows_of_records_without_json_as_sent_are_the_earlier_rows_exactly(
    table: str, record: Any
) -> None:
    drawn = {} if record is None else record.draw(_record(table))
    try:
        built = MODELS[table].from_dict(drawn)
    except ValueError:  # a date the model cannot read: no record, no row
        return
    assert built.sent_json() is None
    assert row(table, built, 0) == _decoded_row(table, built, 0)


# Texts as an API may write them: escapes, exponents, whitespace, numbers beyond a float; NaN
# and lone surrogates are not JSON (msgspec refuses the page, from_dict reads it).
_WRITTEN = {
    '{"sid": "FN1", "context": {"a":\t[1, 2.50, 1E2, -0, 1e400, 1e-400]}, "links": {}}': True,
    '{"sid":"FN2","context":"caf\\u00e9 \\/ \\ud83d\\ude00 \\n","links":{"s":"\\/x"}}': True,
    '{"sid":"FN3","context":12345678901234567890123,"links":null,"new":{"k":[true,null]}}': True,
    '{"sid":"FN4","context":{"dup":1,"dup":2},"date_created":"2024-06-01T11:59:41Z"}': True,
    '{"sid":"FN5","ctx\\u00e9":"\\ud83d\\ude00","context":[],"date_updated":'
    '"2024-06-01T11:59:41.5+02:00","url":"https:\\/\\/studio.twilio.com\\/x"}': True,
    '{ "sid" : "FN6" ,\n "context" : { "a" : [ ] } , "x" : 1e400 }': True,
    '{"sid":"FN7","context":NaN}': False,
    '{"sid":"FN8","context":"\\ud800"}': False,
    '{"sid":"FN9","context":{"a":"\\udc00"},"extra":1}': False,
}


@pytest.mark.parametrize(("written", "as_sent"), _WRITTEN.items())
def test_rows_of_records_written_every_way_are_the_earlier_rows(
    written: str, as_sent: bool
) -> None:
    meta = '"meta": {"key": "engagements", "next_page_url": null}'
    page = '{"engagements": [' + written + "], " + meta + "}"
    (record,) = _records("engagements", page.encode())
    assert (record.sent_json() is not None) == as_sent
    assert_same_row("engagements", record)


def test_the_mocks_studio_shaped_records_are_read_from_their_json_as_sent() -> None:
    mock = MockStudio({FLOW: 60}, seed=3)
    with mock.client() as client, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        flows = list(client.flows.list())
        engagements = list(client.engagements.list(FLOW, page_size=25))
        steps = [step for record in engagements[:5] for step in client.steps.list(FLOW, record.sid)]
    for table, records in (("flows", flows), ("engagements", engagements), ("steps", steps)):
        assert records
        for position, record in enumerate(records):
            assert record.sent_json() is not None
            # Read from the JSON as sent: nothing decoded the record again.
            assert _archive_store._sent_cells(table, record.sent_json()) is not None
            assert_same_row(table, record, position)


def test_rows_an_earlier_version_stored_are_the_same_values_but_a_change_is_not() -> None:
    mock = MockStudio({FLOW: 20}, seed=4)
    with mock.client() as client, warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        engagements = list(client.engagements.list(FLOW))
    context = columns("engagements").index("context")
    for record in engagements:
        fresh, stored = row("engagements", record), _decoded_row("engagements", record)
        assert fresh[context] != stored[context]  # the mock writes compact JSON, ASCII only
        assert ArchiveStore.same_row("engagements", fresh, stored)
        value = json.loads(stored[context])
        for changed in (
            {**value, "flow": {"variables": {"new": 1}}},  # a value
            dict(reversed(value.items())),  # the order of keys
            {**value, "n": 1.0} if "n" not in value else value | {"n": "1"},
        ):
            other = (*stored[:context], json_text(changed), *stored[context + 1 :])
            assert not ArchiveStore.same_row("engagements", fresh, other)
        assert not ArchiveStore.same_row("engagements", fresh, (*stored[:-1], '{"x": 1}'))
        not_json = (*stored[:context], "not json", *stored[context + 1 :])
        assert not ArchiveStore.same_row("engagements", fresh, not_json)
        assert not ArchiveStore.same_row("engagements", None, stored)
    assert ArchiveStore.same_row("engagements", ("x", '{"a":1}'), ("x", '{"a": 1}')) is False
