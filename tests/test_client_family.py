"""Every call of ``client.flows``, ``client.engagements`` (fetch, context) and ``client.steps``,
sync and async, against an in-process fake of the family made from the spec's examples."""

from __future__ import annotations

import copy
import re
from typing import Any

import httpx
import pytest

from studio_engagements import (
    EngagementContext,
    Flow,
    FlowStatus,
    InvalidParameterError,
    NotFoundError,
    Step,
    StepContext,
    UntrustedURLError,
)

from .helpers import FLOW, SCHEMAS, transport_driver

LIVE = "https://studio.twilio.com"
ENGAGEMENT = "FN" + "ab" * 16
STEP_SIDS = ["FT" + f"{i:032x}" for i in range(5)]
FLOW_SIDS = ["FW" + f"{i:032x}" for i in range(3)]
ENGAGEMENT_URL = f"{LIVE}/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}"


def record(schema: str, **fields: Any) -> dict[str, Any]:
    """The spec's example of ``schema`` with ``fields`` changed."""
    return {**copy.deepcopy(SCHEMAS[schema]["example"]), **fields}


FLOWS = [
    record("Flow", sid=sid, friendly_name=f"Flow {i}", url=f"{LIVE}/v1/Flows/{sid}")
    for i, sid in enumerate(FLOW_SIDS)
]
STEPS = [
    record(
        "Step",
        sid=sid,
        flow_sid=FLOW,
        engagement_sid=ENGAGEMENT,
        transitioned_from="Trigger" if i == 0 else f"widget_{i}",
        transitioned_to=f"widget_{i + 1}",
        url=f"{ENGAGEMENT_URL}/Steps/{sid}",
        links={"step_context": f"{ENGAGEMENT_URL}/Steps/{sid}/Context"},
    )
    for i, sid in enumerate(STEP_SIDS)
]
ONE_ENGAGEMENT = record(
    "Engagement",
    sid=ENGAGEMENT,
    flow_sid=FLOW,
    url=ENGAGEMENT_URL,
    links={"steps": f"{ENGAGEMENT_URL}/Steps", "engagement_context": f"{ENGAGEMENT_URL}/Context"},
)
CONTEXT = record("EngagementContext", flow_sid=FLOW, engagement_sid=ENGAGEMENT)


def step_context(sid: str) -> dict[str, Any]:
    return record("StepContext", flow_sid=FLOW, engagement_sid=ENGAGEMENT, step_sid=sid, context=[])


def page(url: httpx.URL, key: str, records: list[dict[str, Any]]) -> dict[str, Any]:
    """A page of ``records`` at ``url`` (its ``PageSize``, default 2, and ``Page``), live host."""
    size, number = int(url.params.get("PageSize", 2)), int(url.params.get("Page", 0))
    here = f"{LIVE}{url.path}?PageSize={size}&Page={number}"
    more = (number + 1) * size < len(records)
    return {
        key: records[number * size : (number + 1) * size],
        "meta": {
            "key": key,
            "page": number,
            "page_size": size,
            "url": here,
            "first_page_url": f"{LIVE}{url.path}?PageSize={size}&Page=0",
            "previous_page_url": None,
            "next_page_url": f"{LIVE}{url.path}?PageSize={size}&Page={number + 1}"
            if more
            else None,
        },
    }


ROUTES: list[tuple[str, Any]] = [
    (r"/v1/Flows", lambda url: page(url, "flows", FLOWS)),
    (rf"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}", lambda *_: ONE_ENGAGEMENT),
    (rf"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}/Context", lambda *_: CONTEXT),
    (rf"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}/Steps", lambda url: page(url, "steps", STEPS)),
    (
        rf"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}/Steps/(FT\w+)",
        lambda _, sid: next((s for s in STEPS if s["sid"] == sid), None),
    ),
    (
        rf"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}/Steps/(FT\w+)/Context",
        lambda _, sid: step_context(sid) if sid in STEP_SIDS else None,
    ),
]


class Family:
    """The fake API: answers each route with its records, 404 otherwise; keeps the requests."""

    def __init__(self) -> None:
        self.requests: list[httpx.URL] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request.url)
        for route, make in ROUTES:
            found = re.fullmatch(route, request.url.path)
            body = make(request.url, *found.groups()) if found else None
            if body is not None:
                return httpx.Response(200, json=body)
        return httpx.Response(404, json={"code": 20404, "message": "not found", "status": 404})


@pytest.fixture
def family() -> Family:
    return Family()  # a fresh one a test: its requests are the test's


def run(kind: str, family: Family, call: Any) -> Any:
    return transport_driver(kind, family).run(call)  # the call's result, drained or awaited


def dicts(records: list[Any]) -> list[dict[str, Any]]:
    return [item.to_dict() for item in records]


def test_flows_list_reads_every_page(kind: str, family: Family) -> None:
    flows = run(kind, family, lambda c: c.flows.list(page_size=2))
    assert dicts(flows) == FLOWS
    assert all(isinstance(flow, Flow) and flow.status is FlowStatus.PUBLISHED for flow in flows)
    assert [str(url.params) for url in family.requests] == [
        "PageSize=2",
        "PageSize=2&Page=1",
    ]


def test_flows_stream_stops_at_limit_asking_no_more_than_needed(kind: str, family: Family) -> None:
    flows = run(kind, family, lambda c: c.flows.stream(limit=1))
    assert dicts(flows) == FLOWS[:1]
    assert [url.params["PageSize"] for url in family.requests] == ["1"]


def test_flows_pages_page_and_get_page(kind: str, family: Family) -> None:
    pages = run(kind, family, lambda c: c.flows.pages(page_size=2))
    assert [dicts(p.flows) for p in pages] == [FLOWS[:2], FLOWS[2:]]
    assert {p.meta.key for p in pages} == {"flows"}
    second = run(kind, family, lambda c: c.flows.page(page_size=2, page=1, page_token="PT1"))
    assert dicts(second.flows) == FLOWS[2:]
    assert family.requests[-1].params["PageToken"] == "PT1"
    again = run(kind, family, lambda c: c.flows.get_page(pages[0].meta.next_page_url))
    assert again.to_dict() == pages[1].to_dict()
    # The live host of next_page_url is followed on the configured origin.
    assert family.requests[-1].host == "127.0.0.1"


def test_engagement_fetch_and_context(kind: str, family: Family) -> None:
    engagement = run(kind, family, lambda c: c.engagements.fetch(FLOW, ENGAGEMENT))
    assert engagement.to_dict() == ONE_ENGAGEMENT
    context = run(kind, family, lambda c: c.engagements.context(FLOW, ENGAGEMENT))
    assert isinstance(context, EngagementContext)
    assert context.to_dict() == CONTEXT
    assert [url.path for url in family.requests] == [
        f"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}",
        f"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}/Context",
    ]


def test_steps_list_stream_pages_page(kind: str, family: Family) -> None:
    steps = run(kind, family, lambda c: c.steps.list(FLOW, ENGAGEMENT, page_size=2))
    assert dicts(steps) == STEPS
    assert all(isinstance(step, Step) for step in steps)
    assert len(family.requests) == 3
    assert (
        dicts(run(kind, family, lambda c: c.steps.stream(FLOW, ENGAGEMENT, limit=3))) == (STEPS[:3])
    )
    pages = run(kind, family, lambda c: c.steps.pages(FLOW, ENGAGEMENT, page_size=4))
    assert [dicts(p.steps) for p in pages] == [STEPS[:4], STEPS[4:]]
    one = run(kind, family, lambda c: c.steps.page(FLOW, ENGAGEMENT, page_size=2, page=2))
    assert dicts(one.steps) == STEPS[4:]
    assert one.meta.key == "steps"
    assert one.meta.next_page_url is None


def test_steps_resume_from_a_saved_next_page_url(kind: str, family: Family) -> None:
    start = f"{ENGAGEMENT_URL}/Steps?PageSize=2&Page=1"
    pages = run(kind, family, lambda c: c.steps.pages(FLOW, ENGAGEMENT, start_url=start))
    assert [dicts(p.steps) for p in pages] == [STEPS[2:4], STEPS[4:]]


def test_an_engagements_links_work_with_get_page(kind: str, family: Family) -> None:
    engagement = run(kind, family, lambda c: c.engagements.fetch(FLOW, ENGAGEMENT))
    first = run(kind, family, lambda c: c.steps.get_page(engagement.links["steps"]))
    assert dicts(first.steps) == STEPS[:2]
    assert first.meta.next_page_url == f"{ENGAGEMENT_URL}/Steps?PageSize=2&Page=1"


def test_step_fetch_and_context(kind: str, family: Family) -> None:
    sid = STEP_SIDS[3]
    step = run(kind, family, lambda c: c.steps.fetch(FLOW, ENGAGEMENT, sid))
    assert step.to_dict() == STEPS[3]
    assert step.transitioned_from == "widget_3"
    context = run(kind, family, lambda c: c.steps.context(FLOW, ENGAGEMENT, sid))
    assert isinstance(context, StepContext)
    assert context.to_dict() == step_context(sid)
    assert context.context == []


BAD_SIDS = [
    ("flow_sid", lambda c: c.steps.list("FN" + "0" * 32, ENGAGEMENT)),
    ("engagement_sid", lambda c: c.engagements.fetch(FLOW, "FT" + "0" * 32)),
    ("engagement_sid", lambda c: c.engagements.context(FLOW, ENGAGEMENT[:-1])),
    ("engagement_sid", lambda c: c.steps.pages(FLOW, FLOW)),
    ("step_sid", lambda c: c.steps.fetch(FLOW, ENGAGEMENT, ENGAGEMENT)),
    ("step_sid", lambda c: c.steps.context(FLOW, ENGAGEMENT, "FT")),
    ("page_size", lambda c: c.flows.page(page_size=1001)),
    ("limit", lambda c: c.steps.stream(FLOW, ENGAGEMENT, limit=0)),
]


@pytest.mark.parametrize(("argument", "call"), BAD_SIDS)
def test_every_argument_is_checked_before_anything_is_sent(
    kind: str, argument: str, call: Any
) -> None:
    family = Family()
    with pytest.raises(InvalidParameterError) as raised:
        run(kind, family, call)
    assert raised.value.parameter == argument
    assert family.requests == []


@pytest.mark.parametrize(
    ("call", "url"),
    [
        (lambda c, u: c.steps.get_page(u), f"{ENGAGEMENT_URL}/Context"),
        (lambda c, u: c.flows.get_page(u), f"{ENGAGEMENT_URL}/Steps"),
        (lambda c, u: c.engagements.get_page(u), f"{ENGAGEMENT_URL}/Steps"),
        (lambda c, u: c.steps.get_page(u), f"{LIVE}/v1/Flows/{FLOW}/Engagements/FNx/Steps"),
    ],
)
def test_get_page_refuses_a_url_of_another_list(kind: str, call: Any, url: str) -> None:
    family = Family()
    with pytest.raises(InvalidParameterError, match=r"^url="):
        run(kind, family, lambda c: call(c, url))
    assert family.requests == []


def test_get_page_refuses_another_origin(kind: str, family: Family) -> None:
    with pytest.raises(UntrustedURLError):
        run(kind, family, lambda c: c.steps.get_page(f"https://evil.example/v1/Flows/{FLOW}"))
    assert family.requests == []


def test_an_unknown_step_is_not_found_with_the_request_url(kind: str, family: Family) -> None:
    unknown = "FT" + "f" * 32
    with pytest.raises(NotFoundError) as raised:
        run(kind, family, lambda c: c.steps.context(FLOW, ENGAGEMENT, unknown))
    assert raised.value.status == 404
    assert raised.value.url.endswith(f"/Steps/{unknown}/Context")


@pytest.mark.parametrize(
    "call",
    [
        lambda c: c.flows.list(),
        lambda c: c.engagements.context(FLOW, ENGAGEMENT),
        lambda c: c.steps.list(FLOW, ENGAGEMENT),
        lambda c: c.steps.fetch(FLOW, ENGAGEMENT, STEP_SIDS[0]),
    ],
)
def test_every_operation_retries_a_server_error(
    kind: str, family: Family, waits: list[float], call: Any
) -> None:
    def flaky(request: httpx.Request) -> httpx.Response:
        if not family.requests:
            family.requests.append(request.url)
            return httpx.Response(503, json={"code": 20500, "message": "busy", "status": 503})
        return family(request)

    def plain(result: Any) -> Any:
        return dicts(result) if isinstance(result, list) else result.to_dict()

    result = plain(transport_driver(kind, flaky).run(call))
    assert result == plain(run(kind, Family(), call))
    assert len(waits) == 1
    assert family.requests[0] == family.requests[1]


def test_wrong_number_of_sids_is_a_type_error(kind: str, family: Family) -> None:
    with pytest.raises(TypeError, match="engagement_sid, step_sid"):
        run(kind, family, lambda c: c.steps.fetch(FLOW, ENGAGEMENT))
    assert family.requests == []
