"""msgspec's path straight into the models and from_dict's path give the same values; the jsonl
export writes each record as the API sent it, csv and --fields the typed values."""

from __future__ import annotations

import json
import pickle
from typing import Any

import httpx
import msgspec
import pytest

from studio_engagements import Engagement, EngagementStatus, Page, StudioClient
from studio_engagements.cli._rows import FIELDS, render_rows
from studio_engagements.testing import MockStudio

from .helpers import BASE, FLOW, RECORD, SID, TOKEN, page_body


def both_ways(body: dict[str, Any]) -> tuple[Page, Page]:
    """The page as msgspec decodes its bytes, and as from_dict reads the decoded dicts."""
    content = json.dumps(body).encode()
    return Page.from_json(content), Page.from_dict(json.loads(content))


def test_studio_shaped_pages_read_the_same_both_ways() -> None:
    records = MockStudio({FLOW: 300}, seed=5).engagements(FLOW)
    fast, plain = both_ways(page_body(f"{BASE}/x", records))
    assert fast == plain
    assert [e.to_dict() for e in fast.engagements] == records
    assert [e.status for e in fast.engagements] == [e.status for e in plain.engagements]
    assert {type(e.status) for e in fast.engagements if e.status} == {EngagementStatus}


@pytest.mark.parametrize(
    "change",
    [
        {"brand_new": {"a": [1, 2]}},
        {"date_created": "2024-01-02T03:04:05"},
        {"status": "paused"},
        {"status": None, "links": None},
        {"context": None},
        {"context": [1e400, "x"]},
    ],
    ids=["unknown key", "no offset", "unknown status", "nulls", "null context", "big number"],
)
def test_tolerated_records_read_the_same_both_ways(change: dict[str, Any]) -> None:
    fast, plain = both_ways(page_body(f"{BASE}/x", [RECORD, {**RECORD, **change}]))
    assert fast == plain
    assert fast.engagements[1].to_dict() == plain.engagements[1].to_dict()
    assert fast.engagements[1].date_created is not None
    assert fast.engagements[1].date_created.utcoffset() is not None


def test_context_stays_json_text_until_it_is_read() -> None:
    (engagement,) = Page.from_json(
        json.dumps(page_body(f"{BASE}/x", [RECORD])).encode()
    ).engagements
    slot = Engagement.context.slot  # the field's own slot, behind the descriptor that decodes it
    assert isinstance(slot.__get__(engagement, Engagement), msgspec.Raw)  # kept as its text
    assert engagement.context == RECORD["context"]
    assert slot.__get__(engagement, Engagement) == RECORD["context"]  # decoded once, then kept
    assert engagement.context is engagement.context


def test_msgspec_runs_no_code_of_the_models_while_it_decodes() -> None:
    content = json.dumps(page_body(f"{BASE}/x", [RECORD, {**RECORD, "brand_new": 1}])).encode()
    calls: list[str] = []
    reads = Engagement.__dict__["context"], Engagement.__dict__["extra"]

    class Counted:
        def __init__(self, name: str, descriptor: Any) -> None:
            self.name, self.descriptor = name, descriptor

        def __get__(self, instance: object, owner: type | None = None) -> Any:
            if instance is not None:
                calls.append(self.name)
            return self.descriptor.__get__(instance, owner)

        def __set__(self, instance: object, value: Any) -> None:
            self.descriptor.__set__(instance, value)

    try:
        Engagement.context, Engagement.extra = (
            Counted("context", reads[0]),
            Counted("extra", reads[1]),
        )
        page = Page.from_json(content)
        assert calls == []  # nothing per record while decoding and adopting the page
        assert [e.extra for e in page.engagements] == [{}, {"brand_new": 1}]
        assert calls == ["extra", "extra"]
    finally:
        Engagement.context, Engagement.extra = reads
    assert type(page.engagements[1]) is Engagement


SENT = (
    b'{"sid":"FN' + b"b" * 32 + b'","status":"active","context":{"price":2.50,"n":1E2,'
    b'"big":123456789012345678901234567890,"text":"Gr\\u00fc\\u00dfe"},"brand_new":[true]}'
)


def served(records: bytes) -> StudioClient:
    """A client whose one page holds ``records`` (a JSON array's items) exactly as given."""

    def handler(request: httpx.Request) -> httpx.Response:
        meta = json.dumps(page_body(str(request.url), [])["meta"]).encode()
        return httpx.Response(
            200, content=b'{"engagements": [' + records + b'], "meta": ' + meta + b"}"
        )

    return StudioClient(
        SID, TOKEN, base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )


def exported(records: bytes, fields: tuple[str, ...] = FIELDS, fmt: str = "jsonl") -> str:
    with served(records) as client:
        (page,) = client.engagements.pages(FLOW)
    return render_rows(page.engagements, fields, fmt, header=True).decode()


def test_jsonl_writes_each_record_as_sent() -> None:
    assert exported(SENT + b",\n  " + SENT) == (SENT.decode() + "\n") * 2


def test_a_pretty_printed_record_is_still_one_line() -> None:
    pretty = json.dumps(json.loads(SENT), indent=2).encode()
    (line,) = exported(pretty).splitlines()
    assert json.loads(line) == json.loads(SENT)


def test_fields_and_csv_use_the_typed_values() -> None:
    assert json.loads(exported(SENT, ("sid", "context"))) == {
        "sid": "FN" + "b" * 32,
        "context": {
            "price": 2.5,
            "n": 100.0,
            "big": 123456789012345678901234567890,
            "text": "Grüße",
        },
    }
    assert exported(SENT, ("sid", "status"), "csv") == f"sid,status\nFN{'b' * 32},active\n"


def test_a_body_only_json_reads_is_never_written_as_sent() -> None:
    record = b'{"sid": null, "context": {"a": NaN}}'
    with served(record) as client:
        (page,) = client.engagements.pages(FLOW)
    (engagement,) = page.engagements
    assert engagement.sent_json() is None
    line = render_rows(page.engagements, FIELDS, "jsonl", header=False)
    # Written from the typed values, as strict JSON: NaN, which JSON has no word for, is null.
    assert json.loads(line, parse_constant=pytest.fail) == {
        **engagement.to_dict(),
        "context": {"a": None},
    }


def test_a_record_built_by_hand_has_no_sent_json() -> None:
    engagement = Engagement(sid="FN" + "c" * 32, status="ended", context={"a": 1})
    assert engagement.sent_json() is None
    assert json.loads(render_rows([engagement], FIELDS, "jsonl", header=False))["status"] == "ended"


@pytest.mark.parametrize("field", [b"contact_channel_address", b"sid", b"context", b"brand_new"])
def test_a_surrogate_written_as_utf8_is_refused_in_any_string(field: bytes) -> None:
    """ED A0 80 is U+D800 written as UTF-8: not UTF-8, although msgspec decodes it."""
    body = (
        b'{"engagements": [{"' + field + b'": "\xed\xa0\x80+1"}], "meta": {"next_page_url": null}}'
    )
    with pytest.raises(ValueError, match=r"utf-8|UTF-8|decode"):
        Page.from_json(body)


@pytest.mark.parametrize("text", [b'"\xff"', b'{"a": ["ok", "\xc3\x28"]}'])
@pytest.mark.parametrize("field", [b"context", b"brand_new", b"\xff"])
def test_text_that_is_not_utf8_is_refused_when_the_page_is_read(text: bytes, field: bytes) -> None:
    # msgspec checks the strings it decodes, not the text it keeps raw or skips (unknown keys).
    body = b'{"engagements": [{"' + field + b'": ' + text + b'}], "meta": {"next_page_url": null}}'
    with pytest.raises(ValueError, match=r"utf-8|UTF-8|decode"):
        Page.from_json(body)


def test_context_text_in_utf8_is_read() -> None:
    body = '{"engagements": [{"context": {"b": "Grüße, 世界"}}], "meta": {"next_page_url": null}}'
    (engagement,) = Page.from_json(body.encode()).engagements
    assert engagement.context == {"b": "Grüße, 世界"}


def test_unknown_keys_at_every_level_are_read_in_one_pass_and_kept_in_extra() -> None:
    body = page_body(f"{BASE}/x", [RECORD, {**RECORD, "brand_new": [1, 2.50, None]}])
    body["meta"]["cursor"] = "c1"
    body["served_by"] = {"region": "us1"}
    content = json.dumps(body).encode()
    page = Page.from_json(content)
    # Read by msgspec (a record from_dict reads has no sent_json), each level finding its keys.
    assert all(engagement.sent_json() is not None for engagement in page.engagements)
    assert [engagement.extra for engagement in page.engagements] == [
        {},
        {"brand_new": [1, 2.5, None]},
    ]
    assert page.meta.extra == {"cursor": "c1"}
    assert page.extra == {"served_by": {"region": "us1"}}
    assert page == Page.from_dict(json.loads(content))
    assert page.engagements[1].to_dict() == {**RECORD, "brand_new": [1, 2.5, None]}


def test_a_key_named_extra_is_an_unknown_key_like_any_other() -> None:
    body = page_body(f"{BASE}/x", [{**RECORD, "extra": {"a": 1}}, {**RECORD, "extra": None}])
    page = Page.from_json(json.dumps(body).encode())
    assert [engagement.extra for engagement in page.engagements] == [
        {"extra": {"a": 1}},
        {"extra": None},
    ]
    assert page.engagements[0].sid == RECORD["sid"]


def test_extra_given_or_not_given_by_hand() -> None:
    assert Engagement(sid="FN" + "c" * 32).extra == {}
    assert Engagement(extra={"brand_new": 1}).extra == {"brand_new": 1}
    assert Engagement(extra={"brand_new": 1}).to_dict()["brand_new"] == 1


def test_records_pickle_as_their_values() -> None:
    body = page_body(f"{BASE}/x", [{**RECORD, "brand_new": "x"}])
    (engagement,) = Page.from_json(json.dumps(body).encode()).engagements
    copy = pickle.loads(pickle.dumps(engagement))
    assert copy == engagement
    assert copy.extra == {"brand_new": "x"}
    assert copy.context == engagement.context
