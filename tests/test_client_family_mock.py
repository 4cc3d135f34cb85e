"""Every call of the Engagement family, sync and async, against the mock over real HTTP.

The results are compared with the mock's own records (``flow_records``, ``engagements``,
``steps``, the contexts), read through the same models, so that nothing is lost, reordered or
changed on the way; ``requests()`` shows that each call asked for what it needed and no more.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from studio_engagements import (
    Engagement,
    EngagementContext,
    Flow,
    NotFoundError,
    Step,
    StepContext,
)
from studio_engagements.testing import MockStudio

from .helpers import mock_driver

FLOWS = {f"FW{i:032x}": count for i, count in enumerate((7, 3, 0), start=1)}


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(FLOWS, seed=11)


@pytest.fixture
def call(
    kind: str, mock: MockStudio, server: str, fresh_mock: None
) -> Callable[[Callable[[Any], Any]], Any]:
    """Run one call on a fresh client of ``kind`` talking to the served mock."""
    return mock_driver(kind, mock, server).run


def typed(model: Any, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The mock's records as the client's models write them back."""
    return [model.from_dict(record).to_dict() for record in records]


def with_steps(mock: MockStudio) -> tuple[str, dict[str, Any]]:
    """A flow and an engagement of it with links and at least two steps."""
    for flow in FLOWS:
        for engagement in mock.engagements(flow):
            if engagement["links"] and len(mock.steps(flow, engagement["sid"])) >= 2:
                return flow, engagement
    raise AssertionError("the seeded mock has no engagement with links and two steps")


def test_flows_list_is_the_mock_s_flows(call: Any, mock: MockStudio) -> None:
    flows = call(lambda client: client.flows.list())
    assert all(isinstance(flow, Flow) for flow in flows)
    assert [flow.to_dict() for flow in flows] == typed(Flow, mock.flow_records())
    assert {flow.sid for flow in flows} == set(FLOWS)


def test_flows_pages_carry_their_records_under_the_list_key(call: Any, mock: MockStudio) -> None:
    pages = call(lambda client: client.flows.pages(page_size=2))
    assert [len(page.flows) for page in pages] == [2, 1]
    assert {page.meta.key for page in pages} == {"flows"}
    assert [flow.sid for page in pages for flow in page.flows] == [
        record["sid"] for record in mock.flow_records()
    ]
    assert call(lambda client: client.flows.stream(limit=2)) == [
        Flow.from_dict(record) for record in mock.flow_records()[:2]
    ]
    first = call(lambda client: client.flows.page(page_size=1))
    after = call(lambda client: client.flows.get_page(first.meta.next_page_url))
    assert [flow.sid for flow in first.flows + after.flows] == list(FLOWS)[:2]


def test_engagement_fetch_and_context_are_the_mock_s(call: Any, mock: MockStudio) -> None:
    flow = next(iter(FLOWS))
    for record in mock.engagements(flow)[:3]:
        engagement = call(lambda client, sid=record["sid"]: client.engagements.fetch(flow, sid))
        assert isinstance(engagement, Engagement)
        assert engagement.to_dict() == Engagement.from_dict(record).to_dict()
        context = call(lambda client, sid=record["sid"]: client.engagements.context(flow, sid))
        assert isinstance(context, EngagementContext)
        expected = mock.engagement_context(flow, record["sid"])
        assert context.to_dict() == EngagementContext.from_dict(expected).to_dict()
        assert context.context == engagement.context


def test_steps_list_stream_and_pages_are_the_mock_s(call: Any, mock: MockStudio) -> None:
    flow, engagement = with_steps(mock)
    expected = typed(Step, mock.steps(flow, engagement["sid"]))
    steps = call(lambda client: client.steps.list(flow, engagement["sid"]))
    assert all(isinstance(step, Step) for step in steps)
    assert [step.to_dict() for step in steps] == expected
    streamed = call(lambda client: client.steps.stream(flow, engagement["sid"], limit=1))
    assert [step.to_dict() for step in streamed] == expected[:1]
    pages = call(lambda client: client.steps.pages(flow, engagement["sid"], page_size=1))
    assert [step.to_dict() for page in pages for step in page.steps] == expected
    assert {page.meta.key for page in pages} == {"steps"}
    assert len(pages) == len(expected)


def test_an_engagement_s_links_work_with_get_page(call: Any, mock: MockStudio) -> None:
    """The links point at Twilio's host; the client follows them on the configured origin."""
    flow, engagement = with_steps(mock)
    page = call(lambda client: client.steps.get_page(engagement["links"]["steps"]))
    assert [step.to_dict() for step in page.steps] == typed(
        Step, mock.steps(flow, engagement["sid"])
    )


def test_step_fetch_and_context_are_the_mock_s(call: Any, mock: MockStudio) -> None:
    flow, engagement = with_steps(mock)
    for record in mock.steps(flow, engagement["sid"]):
        sids = (flow, engagement["sid"], record["sid"])
        step = call(lambda client, sids=sids: client.steps.fetch(*sids))
        assert step.to_dict() == Step.from_dict(record).to_dict()
        context = call(lambda client, sids=sids: client.steps.context(*sids))
        assert isinstance(context, StepContext)
        assert context.to_dict() == StepContext.from_dict(mock.step_context(*sids)).to_dict()


def test_each_call_asks_for_its_operation_only(call: Any, mock: MockStudio) -> None:
    flow, engagement = with_steps(mock)
    call(lambda client: client.steps.list(flow, engagement["sid"]))
    call(lambda client: client.engagements.context(flow, engagement["sid"]))
    call(lambda client: client.flows.list())
    assert mock.requests().count_by_operation() == {
        "ListStep": 1,
        "FetchEngagementContext": 1,
        "ListFlow": 1,
    }


def test_an_unknown_step_is_not_found(call: Any, mock: MockStudio) -> None:
    flow, engagement = with_steps(mock)
    with pytest.raises(NotFoundError) as raised:
        call(lambda client: client.steps.fetch(flow, engagement["sid"], "FT" + "0" * 32))
    assert raised.value.status == 404
