"""Hostile responses: whatever the server sends, only ``StudioError``s come out.

Hypothesis feeds the parser (``_response.read_page``) and the clients (through
``httpx.MockTransport``) arbitrary JSON values and bytes: valid pages with a field replaced by a
value of any type or deleted, huge and deeply nested ``context``, non-UTF-8 bytes, HTML error
pages sent as JSON, empty 200s, any status with any ``Retry-After``, and ``next_page_url`` loops.
tests/test_client_responses.py holds the hand-picked cases; this suite searches.

Valid bodies come from the response schema in the OpenAPI document (hypothesis-jsonschema) and
must parse and round-trip through ``Engagement.to_dict``. The comparison is semantic where the
client normalises on purpose: ``to_dict`` writes a UTC offset as ``Z`` and sub-second digits as
microseconds, and writes an absent field as null. So dates compare as the same instant with the
same UTC offset, every other known field compares equal to the JSON as sent (absent = null),
unknown fields come back unchanged, and ``parse(to_dict(x)) == parse(x)``.

The last tests break the parser, the loop detection and the date writer, and see the checks fail.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import httpx
import hypothesis
import pytest
from hypothesis import HealthCheck, example, given
from hypothesis import strategies as st

from studio_engagements import AsyncStudioClient, Engagement, Page, StudioClient, _paging, _response
from studio_engagements._models import Page as PageModel
from studio_engagements.cli._export import export
from studio_engagements.errors import StudioError, UnexpectedResponseError

from .clients import BASE, FLOW, RECORD, SCHEMAS, SID, TOKEN, page_body
from .reliability import SOAK, from_schema, instant_sleeps, response_schema

EXAMPLES = 2000 if SOAK else 150
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
URL = f"{BASE}/v1/Flows/{FLOW}/Engagements?PageSize=50&Page=0"
# Field kinds, read from the spec: a field added there is mutated and round-tripped here too.
RECORD_SCHEMA = SCHEMAS["Engagement"]["properties"]


def kind(schema: dict[str, Any]) -> str:
    """any, date, map (an object of strings) or string: what a record field may hold."""
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
    for name, schema in SCHEMAS["ListEngagementResponseMeta"]["properties"].items()
}

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
HOSTILE_BODIES = [
    b"",
    b" ",
    b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    b"\xff\xfe\x00{",
    b'{"engagements": [], "meta": {"url": "\xc3\x28"}}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"engagements": [' + b'{"context":' * 50_000 + b"1" + b"}" * 50_000 + b"]}",
    b"NaN",
    b'{"engagements": [], "meta": null}',
]


def read(body: bytes, content_type: str = "application/json") -> Page | StudioError:
    """What the parser makes of a 200 with ``body``: a page or a StudioError (anything else
    escapes and fails the test)."""
    request = httpx.Request("GET", URL)
    response = httpx.Response(
        200, content=body, headers={"Content-Type": content_type}, request=request
    )
    try:
        return _response.read_page(response)
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
    return not (isinstance(value, dict) and all(type(v) is str for v in value.values()))


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


# -- the whole client, any status, any headers ------------------------------------------------

answers = st.tuples(
    st.sampled_from([200, 200, 200, 204, 301, 302, 400, 401, 403, 404, 418, 429, 500, 503])
    | st.integers(200, 599),
    st.fixed_dictionaries(
        {},
        optional={
            "Retry-After": st.text(st.characters(min_codepoint=32, max_codepoint=126)),
            "Content-Type": st.sampled_from(["application/json", "text/html", "", "x/y"]),
            "Location": st.sampled_from(["https://evil.example.com/", "/v1/x", "javascript:1"]),
        },
    ),
    st.sampled_from(HOSTILE_BODIES[:5])
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=200),
)


def client_for(kind: str, handler: Callable[[httpx.Request], httpx.Response]) -> Any:
    options: dict[str, Any] = {"base_url": BASE, "max_retries": 1}
    if kind == "sync":
        http = httpx.Client(transport=httpx.MockTransport(handler))
        return StudioClient(SID, TOKEN, http_client=http, **options)
    ahttp = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    return AsyncStudioClient(SID, TOKEN, http_client=ahttp, **options)


def list_all(kind: str, handler: Callable[[httpx.Request], httpx.Response]) -> list[Engagement]:
    """``list`` through the sync or async client; retry waits are instant."""
    with instant_sleeps():
        if kind == "sync":
            with client_for(kind, handler) as client:
                return list(client.engagements.list(FLOW))

        async def main() -> list[Engagement]:
            async with client_for(kind, handler) as client:
                return list(await client.engagements.list(FLOW))

        return asyncio.run(main())


@pytest.mark.parametrize("kind", ["sync", "async"])
@hypothesis.settings(SETTINGS, max_examples=EXAMPLES // 2)
@given(sequence=st.lists(answers, min_size=1, max_size=4))
def test_the_client_lets_only_studio_errors_escape(
    kind: str, sequence: list[tuple[int, dict[str, str], bytes]]
) -> None:
    replies = iter(sequence)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = next(replies, sequence[-1])
        return httpx.Response(status, headers=headers, content=body)

    with contextlib.suppress(StudioError):
        list_all(kind, handler)


# -- next_page_url loops -----------------------------------------------------------------------


class RunawayLoop(Exception):
    """The test's own bound: the client kept following a loop."""


def check_loop_detected(kind: str, pages: int, back_to: int, spelled_as_sent: bool) -> int:
    """Pages 0..pages-1, the last pointing back to ``back_to``: an error, within a bound.

    Returns the number of requests made. ``spelled_as_sent``: the loop URL is the page's own
    ``meta.url`` (as the server spells it) rather than exactly the URL the client asked for.
    """
    requests: list[str] = []

    def url_of(page: int) -> str:
        return f"{BASE}/v1/Flows/{FLOW}/Engagements?Page={page}&PageToken=T{page}"

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(str(request.url))
        if len(requests) > 3 * pages + 5:
            raise RunawayLoop(f"{len(requests)} requests for a loop of {pages} pages")
        page = int(request.url.params.get("Page", "0"))
        following = page + 1 if page + 1 < pages else back_to
        next_url = url_of(following)
        if following == 0 and not spelled_as_sent:
            next_url = requests[0]  # exactly the client's own first URL
        record = {**RECORD, "sid": f"FN{page:032x}"}
        return httpx.Response(200, json=page_body(url_of(page), [record], next_url))

    with pytest.raises(UnexpectedResponseError, match="already read"):
        list_all(kind, handler)
    assert len(requests) <= pages + 1
    return len(requests)


@pytest.mark.parametrize("kind", ["sync", "async"])
@hypothesis.settings(SETTINGS, max_examples=30)
@given(data=st.data())
def test_next_page_url_loops_are_detected(kind: str, data: st.DataObject) -> None:
    pages = data.draw(st.integers(1, 6))
    back_to = data.draw(st.integers(0, pages - 1))
    check_loop_detected(kind, pages, back_to, data.draw(st.booleans()))


def test_the_cli_export_detects_a_loop_too() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page_body(URL, [RECORD], URL))

    written: list[int] = []
    with client_for("sync", handler) as client, pytest.raises(Exception, match="already read"):
        export(
            client.engagements,
            FLOW,
            limit=None,
            page_size=None,
            resume_from=None,
            already=0,
            write=lambda batch: written.append(len(batch)),
        )
    assert sum(written) <= 2


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


def test_without_loop_detection_the_loop_check_goes_red(monkeypatch: pytest.MonkeyPatch) -> None:
    def follow_blindly(self: _paging.Walk, page: Page) -> None:
        raw = page.meta.next_page_url
        self.next = None if raw is None else _paging.trusted_url(raw, self._base_url)

    monkeypatch.setattr(_paging.Walk, "follow", follow_blindly)
    with pytest.raises(RunawayLoop):
        check_loop_detected("sync", 3, 0, True)


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
