"""Hostile responses: whatever the server sends, only ``StudioError``s come out.

Hypothesis feeds the parser (``_response.read_page``) arbitrary JSON values and bytes: valid
pages with a field replaced by a value of any type or deleted, huge and deeply nested
``context``, non-UTF-8 bytes, HTML error pages sent as JSON, empty 200s. The whole client under
any status, headers and loops is tests/test_reliability_client.py's;
tests/test_client_responses.py holds the hand-picked cases; this suite searches.

Valid bodies come from the response schema in the OpenAPI document (hypothesis-jsonschema) and
must parse and round-trip through ``Engagement.to_dict``. The comparison is semantic where the
client normalises on purpose: ``to_dict`` writes a UTC offset as ``Z`` and sub-second digits as
microseconds, and writes an absent field as null. So dates compare as the same instant with the
same UTC offset, every other known field compares equal to the JSON as sent (absent = null),
unknown fields come back unchanged, and ``parse(to_dict(x)) == parse(x)``.

The last tests break the parser and the date writer, and see the checks fail.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import httpx
import hypothesis
import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from studio_engagements import Engagement, Page, _response
from studio_engagements._body import Answer
from studio_engagements._models import Page as PageModel
from studio_engagements.errors import StudioError, UnexpectedResponseError

from .helpers import BASE, FLOW, RECORD, SCHEMAS, page_body
from .reliability import (
    HOSTILE_BODIES,
    SETTINGS,
    SOAK,
    from_schema,
    json_values,
    response_schema,
)

URL = f"{BASE}/v1/Flows/{FLOW}/Engagements?PageSize=50&Page=0"
# Field kinds, read from the spec: a field added there is mutated and round-tripped here too.
RECORD_SCHEMA = SCHEMAS["Engagement"]["properties"]


def kind(schema: dict[str, Any]) -> str:
    """any, date, map (an object) or string: what a record field may hold."""
    options = [
        SCHEMAS[o["$ref"].rsplit("/", 1)[1]] if "$ref" in o else o for o in schema.get("anyOf", [])
    ]
    types = {t for o in (schema, *options) for t in [o.get("type")] if isinstance(t, str)}
    types |= {t for t in schema.get("type", []) if isinstance(schema.get("type"), list)}
    if schema.get("format") == "date-time":
        return "date"
    if "object" in types:
        return "map"
    return "string" if "string" in types else "any"


KINDS = {name: kind(schema) for name, schema in RECORD_SCHEMA.items()}
DATE_FIELDS = tuple(name for name, k in KINDS.items() if k == "date")
STRING_FIELDS = tuple(name for name, k in KINDS.items() if k == "string")
ANY_FIELDS = tuple(name for name, k in KINDS.items() if k == "any")
KNOWN = tuple(RECORD_SCHEMA)
_JSON_TYPES = {"integer": (int,), "string": (str,)}
META_TYPES: dict[str, tuple[type, ...]] = {
    name: _JSON_TYPES[schema["type"] if isinstance(schema["type"], str) else schema["type"][0]]
    + ((type(None),) if "null" in schema["type"] else ())
    for name, schema in SCHEMAS["PageMeta"]["properties"].items()
}


def read(body: bytes, content_type: str = "application/json") -> Page | StudioError:
    """What the parser makes of a 200 with ``body``: a page or a StudioError (anything else
    escapes and fails the test)."""
    request = httpx.Request("GET", URL)
    answer = Answer(200, httpx.Headers({"Content-Type": content_type}), body)
    try:
        return _response.read_page(answer, request)
    except UnexpectedResponseError as error:
        refusal = error
    assert len(refusal.excerpt) <= 201
    return refusal


# -- arbitrary bodies -----------------------------------------------------------------------------


@SETTINGS
@given(st.binary(max_size=2000) | json_values.map(lambda v: json.dumps(v).encode()))
@example(b"")
@example(HOSTILE_BODIES[2])
def test_arbitrary_bodies_give_a_page_or_an_unexpected_response(body: bytes) -> None:
    read(body)


@pytest.mark.parametrize("body", HOSTILE_BODIES, ids=range(len(HOSTILE_BODIES)))
def test_named_hostile_bodies_are_unexpected_responses(body: bytes) -> None:
    assert isinstance(read(body), UnexpectedResponseError)


Mutation = tuple[dict[str, Any], str, str, object, int]


def mutations() -> st.SearchStrategy[Mutation]:
    """A valid page of 3 records with one field replaced by any JSON value, or deleted."""
    deleted = st.just(KeyError)
    where = st.sampled_from(["top", "meta", "record"])

    @st.composite
    def build(draw: st.DrawFn) -> Mutation:
        body = page_body(URL, [dict(RECORD) for _ in range(3)], f"{URL}&PageToken=PT1")
        place = draw(where)
        value = draw(deleted | json_values)
        index = draw(st.integers(0, 2))
        if place == "top":
            target, name = body, draw(st.sampled_from(["engagements", "meta"]))
        elif place == "meta":
            target, name = body["meta"], draw(st.sampled_from(sorted(META_TYPES)))
        else:
            target = body["engagements"][index]
            name = draw(st.sampled_from([*KNOWN, "new_field"]))
        if value is KeyError:
            target.pop(name, None)
        else:
            target[name] = value
        return body, place, name, value, index

    return build()


def wrong_type(place: str, name: str, value: object) -> bool | None:
    """Whether the parser must refuse ``value`` in that field (None: either way is right)."""
    deleted = value is KeyError
    if place == "top":
        right = isinstance(value, list) if name == "engagements" else isinstance(value, dict)
        return True if deleted or not right else None  # a right container may hold wrong items
    if place == "meta":
        # Paging needs next_page_url; any other key may be absent, and any may be null.
        if deleted:
            return name == "next_page_url"
        return value is not None and type(value) not in META_TYPES[name]
    if deleted or name in (*ANY_FIELDS, "new_field") or value is None:
        return False
    if name in STRING_FIELDS:
        return type(value) is not str
    if name in DATE_FIELDS:
        return None if type(value) is str else True
    assert KINDS[name] == "map"
    return not isinstance(value, dict)  # links: a uri-map, whose values may be any JSON


@SETTINGS
@given(mutations())
def test_a_wrong_type_or_missing_key_in_any_field_is_refused_never_a_crash(
    mutation: Mutation,
) -> None:
    body, place, name, value, index = mutation
    result = read(json.dumps(body).encode())
    must_refuse = wrong_type(place, name, value)
    if must_refuse is not None:
        assert isinstance(result, UnexpectedResponseError) is must_refuse, (place, name, value)
    if isinstance(result, Page) and place == "record" and name in (*ANY_FIELDS, "new_field"):
        parsed = result.engagements[index]
        got = getattr(parsed, name) if name in ANY_FIELDS else parsed.extra.get(name, KeyError)
        expected = None if value is KeyError and name in ANY_FIELDS else value
        # NaN is not equal to itself: equal JSON text is the same value.
        assert got == expected or json.dumps(got) == json.dumps(expected)


def test_huge_and_deep_context_parses_and_round_trips() -> None:
    deep: Any = "bottom"
    for _ in range(300):  # 600 levels of JSON nesting
        deep = {"d": [deep]}
    huge = {f"k{i}": "x" * 50 for i in range(100_000)}
    records = [{**RECORD, "context": deep}, {**RECORD, "context": huge}, {**RECORD, "context": []}]
    result = read(json.dumps(page_body(URL, records)).encode())
    assert isinstance(result, Page)
    assert [e.context for e in result.engagements] == [deep, huge, []]
    assert [e.to_dict()["context"] for e in result.engagements] == [deep, huge, []]
    too_deep = b'{"engagements": [{"context": ' + b"[" * 200_000 + b"]" * 200_000 + b"}]}"
    assert isinstance(read(too_deep), UnexpectedResponseError)


@SETTINGS
@given(st.binary(min_size=1, max_size=40).filter(lambda b: not _is_utf8(b)))
def test_non_utf8_bytes_anywhere_are_an_unexpected_response(raw: bytes) -> None:
    body = json.dumps(page_body(URL, [RECORD])).encode()
    at = body.index(b"+1415")
    assert isinstance(read(body[:at] + raw + body[at:]), UnexpectedResponseError)


def _is_utf8(raw: bytes) -> bool:
    try:
        raw.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


# -- valid bodies from the schema --------------------------------------------------------------


def parse_date(text: str | None) -> datetime | None:
    if text is None:
        return None
    parsed = datetime.fromisoformat(text)
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def check_round_trip(body: dict[str, Any]) -> None:
    """``body`` parses; each engagement's ``to_dict`` matches its JSON (semantically for dates)."""
    page = read(json.dumps(body).encode())
    assert isinstance(page, Page), page
    assert [getattr(page.meta, name) for name in META_TYPES] == [
        body["meta"].get(name) for name in META_TYPES
    ]
    assert len(page.engagements) == len(body["engagements"])
    for engagement, record in zip(page.engagements, body["engagements"], strict=True):
        written = engagement.to_dict()
        for name in (name for name in KNOWN if name not in DATE_FIELDS):
            assert written[name] == record.get(name), name
        for name in DATE_FIELDS:
            sent, back = parse_date(record.get(name)), parse_date(written[name])
            assert back == sent, name
            assert (back and back.utcoffset()) == (sent and sent.utcoffset()), name
        assert {k: v for k, v in written.items() if k not in KNOWN} == {
            k: v for k, v in record.items() if k not in KNOWN
        }
        assert Engagement.from_dict(json.loads(json.dumps(written))) == engagement


@hypothesis.settings(SETTINGS, max_examples=400 if SOAK else 40)
@given(from_schema(response_schema()))
def test_valid_bodies_from_the_schema_parse_and_round_trip(body: dict[str, Any]) -> None:
    check_round_trip(body)


@pytest.mark.parametrize(
    "date",
    ["2024-06-30T23:59:60Z", "0000-01-01T00:00:00Z"],
    ids=["leap-second", "year-0"],
)
def test_rfc3339_dates_python_cannot_read_are_a_typed_error(date: str) -> None:
    """Known gap: RFC 3339 allows these, ``datetime`` cannot hold them.

    The client refuses the page with UnexpectedResponseError, never a crash. Twilio sends
    ``...Z`` dates with seconds 00-59, so no real page is affected.
    """
    body = page_body(URL, [{**RECORD, "date_created": date}])
    assert isinstance(read(json.dumps(body).encode()), UnexpectedResponseError)


def test_lower_case_t_and_z_are_read() -> None:
    body = page_body(URL, [{**RECORD, "date_created": "2024-01-02t03:04:05z"}])
    page = read(json.dumps(body).encode())
    assert not isinstance(page, UnexpectedResponseError)
    assert page.engagements[0].date_created == datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)


# -- the suite can fail -------------------------------------------------------------------------


def test_a_parser_leaking_key_error_turns_the_suite_red(monkeypatch: pytest.MonkeyPatch) -> None:
    original = PageModel.from_dict.__func__  # type: ignore[attr-defined]

    def leaky(cls: type[PageModel], body: Any) -> PageModel:
        body["meta"]["page"]  # what a careless parser does: a bare KeyError/TypeError
        result: PageModel = original(cls, body)
        return result

    monkeypatch.setattr(PageModel, "from_dict", classmethod(leaky))
    with pytest.raises(Exception) as info:  # noqa: PT011 (hypothesis may group several)
        test_arbitrary_bodies_give_a_page_or_an_unexpected_response()
    group = info.value
    errors = group.exceptions if isinstance(group, BaseExceptionGroup) else (group,)
    assert any(isinstance(error, KeyError | TypeError) for error in errors), errors


def test_a_date_writer_losing_the_offset_turns_the_round_trip_red(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from studio_engagements_api.models import engagement

    monkeypatch.setattr(
        engagement, "format_datetime", lambda v: None if v is None else f"{v:%Y-%m-%dT%H:%M:%S}"
    )
    body = page_body(URL, [{**RECORD, "date_created": "2024-01-02T03:04:05+05:30"}])
    with pytest.raises(AssertionError, match="date_created"):
        check_round_trip(body)
