"""What a walk publishes and what it bounds: each page's checked next URL (the cursor), resuming
from it, Studio's 1,000 steps, repeated pages under fresh tokens, records of another parent.

The mock serves the honest lists (every list, both twins, in-process); ``httpx.MockTransport``
handlers play the hostile servers.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from studio_engagements import UnexpectedResponseError, UntrustedURLError, rules
from studio_engagements.testing import MockStudio

from .helpers import BASE, FLOW, OTHER, RECORD, SCHEMAS, Driver, mock_driver, transport_driver

ENGAGEMENT = "FN" + "ab" * 16
STEPS = f"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}/Steps"
STEP: dict[str, Any] = {
    **SCHEMAS["Step"]["example"],
    "flow_sid": FLOW,
    "engagement_sid": ENGAGEMENT,
}
LISTS: dict[str, Callable[[MockStudio], tuple[str, ...]]] = {
    "flows": lambda mock: (),
    "engagements": lambda mock: (FLOW,),
    "steps": lambda mock: (FLOW, busiest(mock)),
}


def busiest(mock: MockStudio) -> str:
    """The engagement of FLOW with the most steps (several pages of 2)."""
    sids = [record["sid"] for record in mock.engagements(FLOW)]
    return max(sids, key=lambda sid: len(mock.steps(FLOW, sid)))


def expected(mock: MockStudio, name: str, parents: tuple[str, ...]) -> list[str]:
    if name == "flows":
        return [record["sid"] for record in mock.flow_records()]
    if name == "engagements":
        return [record["sid"] for record in mock.engagements(FLOW)]
    return [record["sid"] for record in mock.steps(*parents)]


def pages_of(driver: Driver, name: str, parents: tuple[str, ...], **kwargs: Any) -> list[Any]:
    return list(driver.run(lambda c: getattr(c, name).pages(*parents, **kwargs)))


@pytest.fixture
def family() -> MockStudio:
    return MockStudio({FLOW: 7, OTHER: 2, "FW" + "1" * 32: 1}, seed=5)


@pytest.mark.parametrize("name", list(LISTS))
def test_each_page_carries_the_next_url_the_walk_follows_and_none_at_the_end(
    kind: str, family: MockStudio, name: str
) -> None:
    parents = LISTS[name](family)
    driver = mock_driver(kind, family)
    pages = pages_of(driver, name, parents, page_size=2)
    assert len(pages) >= 2
    for page in pages[:-1]:
        assert page.next_url is not None
        assert httpx.URL(page.next_url) == httpx.URL(page.meta.next_page_url)
    assert pages[-1].next_url is None
    assert [r.sid for p in pages for r in getattr(p, name)] == expected(family, name, parents)


@pytest.mark.parametrize("name", list(LISTS))
def test_resuming_from_a_saved_next_url_gives_exactly_the_remaining_records(
    kind: str, family: MockStudio, name: str
) -> None:
    parents = LISTS[name](family)
    driver = mock_driver(kind, family)
    whole = expected(family, name, parents)
    cursor = pages_of(driver, name, parents, page_size=2)[0].next_url
    assert cursor is not None
    rest = pages_of(driver, name, parents, start_url=cursor)
    assert [r.sid for p in rest for r in getattr(p, name)] == whole[2:]
    assert rest[-1].next_url is None


def test_a_cursor_is_refused_under_other_parents(family: MockStudio) -> None:
    driver = mock_driver("sync", family)
    cursor = pages_of(driver, "engagements", (FLOW,), page_size=2)[0].next_url
    with pytest.raises(ValueError, match="start_url"):
        pages_of(driver, "engagements", (OTHER,), start_url=cursor)


def test_a_single_page_is_checked_on_the_spot(kind: str, family: MockStudio) -> None:
    driver = mock_driver(kind, family)
    first = driver.page(page_size=2)
    assert first.next_url is not None
    following = driver.get_page(first.next_url)
    assert following.next_url is not None
    assert driver.page(page_size=1000).next_url is None


# -- hostile servers -----------------------------------------------------------------------------


def steps_server(
    make_page: Callable[[int, httpx.Request], tuple[list[dict[str, Any]], str | None]],
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.Request]]:
    """A handler serving page ``n`` (0-based) as ``make_page(n, request)``; the requests seen."""
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        records, following = make_page(len(seen) - 1, request)
        meta = {"url": str(request.url), "next_page_url": following, "key": "steps"}
        return httpx.Response(200, content=json.dumps({"steps": records, "meta": meta}).encode())

    return handler, seen


def step(n: int, **fields: Any) -> dict[str, Any]:
    return {**STEP, "sid": f"FT{n:032x}", **fields}


def list_steps(driver: Driver, **kwargs: Any) -> list[Any]:
    return list(driver.run(lambda c: c.steps.list(FLOW, ENGAGEMENT, **kwargs)))


@pytest.mark.parametrize("page_size", [1000, 250])
def test_more_steps_than_studio_allows_stop_with_a_typed_error(kind: str, page_size: int) -> None:
    bound = rules.max_records("ListStep")
    assert bound == 1000

    def forever(n: int, request: httpx.Request) -> tuple[list[dict[str, Any]], str | None]:
        records = [step(n * page_size + i) for i in range(page_size)]
        return records, f"{BASE}{STEPS}?PageSize={page_size}&PageToken=T{n + 1}"

    handler, seen = steps_server(forever)
    with pytest.raises(UnexpectedResponseError, match="more than 1,000 steps") as caught:
        list_steps(transport_driver(kind, handler), page_size=page_size)
    assert "x-max-records" in str(caught.value)
    assert len(seen) == bound // page_size + 1


def test_exactly_the_steps_studio_allows_are_read(kind: str) -> None:
    def full(n: int, request: httpx.Request) -> tuple[list[dict[str, Any]], str | None]:
        following = f"{BASE}{STEPS}?PageSize=500&PageToken=T1" if n == 0 else None
        return [step(n * 500 + i) for i in range(500)], following

    handler, _ = steps_server(full)
    assert len(list_steps(transport_driver(kind, handler), page_size=500)) == 1000


def test_the_same_page_under_fresh_tokens_stops_at_its_first_repeat(kind: str) -> None:
    def repeating(n: int, request: httpx.Request) -> tuple[list[dict[str, Any]], str | None]:
        return [step(1), step(2)], f"{BASE}{STEPS}?PageSize=2&PageToken=T{n + 1}"

    handler, seen = steps_server(repeating)
    with pytest.raises(UnexpectedResponseError, match="as an earlier page did"):
        list_steps(transport_driver(kind, handler), page_size=2)
    assert len(seen) == 2


def test_a_stream_that_stops_at_its_limit_never_sees_a_refused_next_url(kind: str) -> None:
    def elsewhere(n: int, request: httpx.Request) -> tuple[list[dict[str, Any]], str | None]:
        return [step(1), step(2)], f"https://evil.example{STEPS}?PageToken=T1"

    handler, seen = steps_server(elsewhere)
    assert len(list_steps(transport_driver(kind, handler), limit=2)) == 2
    with pytest.raises(UntrustedURLError):
        list_steps(transport_driver(kind, handler), limit=3)
    page = transport_driver(kind, handler).run(lambda c: c.steps.page(FLOW, ENGAGEMENT))
    with pytest.raises(UntrustedURLError):
        _ = page.next_url
    assert len(seen) == 3


@pytest.mark.parametrize(
    ("field", "value"),
    [("engagement_sid", "FN" + "cd" * 16), ("flow_sid", OTHER)],
)
def test_a_step_of_another_parent_is_refused(kind: str, field: str, value: str) -> None:
    def mixed(n: int, request: httpx.Request) -> tuple[list[dict[str, Any]], str | None]:
        return [step(1), step(2, **{field: value})], None

    handler, _ = steps_server(mixed)
    with pytest.raises(UnexpectedResponseError) as caught:
        list_steps(transport_driver(kind, handler))
    message = str(caught.value)
    asked = ENGAGEMENT if field == "engagement_sid" else FLOW
    assert all(part in message for part in (f"FT{2:032x}", field, value, asked))


def test_a_record_naming_no_parent_is_read(kind: str) -> None:
    def unnamed(n: int, request: httpx.Request) -> tuple[list[dict[str, Any]], str | None]:
        return [step(1, flow_sid=None, engagement_sid=None), step(2, engagement_sid=None)], None

    handler, _ = steps_server(unnamed)
    assert [s.sid for s in list_steps(transport_driver(kind, handler))] == [
        f"FT{1:032x}",
        f"FT{2:032x}",
    ]


def test_an_engagement_of_another_flow_is_refused_in_its_list(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        meta = {"url": str(request.url), "next_page_url": None}
        body = {"engagements": [RECORD, {**RECORD, "flow_sid": OTHER}], "meta": meta}
        return httpx.Response(200, json=body)

    with pytest.raises(UnexpectedResponseError, match=f"names flow_sid '{OTHER}'"):
        transport_driver(kind, handler).list()


@pytest.mark.parametrize(
    ("call", "body", "field"),
    [
        (
            lambda c: c.steps.fetch(FLOW, ENGAGEMENT, STEP["sid"]),
            {**STEP, "engagement_sid": "FN" + "cd" * 16},
            "engagement_sid",
        ),
        (
            lambda c: c.steps.fetch(FLOW, ENGAGEMENT, STEP["sid"]),
            {**STEP, "sid": "FT" + "9" * 32},
            "sid",
        ),
        (
            lambda c: c.engagements.fetch(FLOW, RECORD["sid"]),
            {**RECORD, "flow_sid": OTHER},
            "flow_sid",
        ),
        (
            lambda c: c.engagements.context(FLOW, RECORD["sid"]),
            {
                **SCHEMAS["EngagementContext"]["example"],
                "flow_sid": FLOW,
                "engagement_sid": "FN" + "cd" * 16,
            },
            "engagement_sid",
        ),
    ],
)
def test_a_fetched_record_naming_other_sids_is_refused(
    kind: str, call: Callable[[Any], Any], body: dict[str, Any], field: str
) -> None:
    driver = transport_driver(kind, lambda request: httpx.Response(200, json=body))
    with pytest.raises(UnexpectedResponseError, match=f"names {field} "):
        driver.run(call)


def test_a_fetched_record_naming_what_was_asked_is_read(kind: str) -> None:
    driver = transport_driver(kind, lambda request: httpx.Response(200, json=STEP))
    got = driver.run(lambda c: c.steps.fetch(FLOW, ENGAGEMENT, STEP["sid"]))
    assert got.sid == STEP["sid"]
