"""The mock serves the whole family: flows, engagements, steps and contexts, consistent with each
other, every record's URLs working against the mock itself, every body valid for its operation."""

from __future__ import annotations

import collections
import itertools
import re
import tracemalloc
from typing import Any
from urllib.parse import urlsplit

import pytest

from studio_engagements.testing import MockStudio

from .helpers import FLOW, OTHER, client, validator


def operations(spec: dict[str, Any]) -> dict[str, tuple[str, str]]:
    """Every GET operation of the spec: its route and the name of its 200 body's schema."""
    found = {}
    for path, item in spec["paths"].items():
        operation = item["get"]
        body = operation["responses"]["200"]["content"]["application/json"]["schema"]
        found[operation["operationId"]] = (path, body["$ref"].rsplit("/", 1)[1])
    return found


def routed(spec: dict[str, Any], path: str) -> bool:
    """Whether ``path`` is the route of one of the spec's operations."""
    return any(
        re.fullmatch(re.sub(r"\{[^}]+\}", "[^/]+", route), path)
        for route, _ in operations(spec).values()
    )


def local(spec: dict[str, Any], url: str) -> str:
    """A record's URL (on the live API's host) as a path and query for the in-process mock."""
    origin = spec["servers"][0]["url"]
    assert url.startswith(origin + "/"), url
    return url.removeprefix(origin)


def crawl(mock: MockStudio, spec: dict[str, Any], *start: str) -> dict[str, Any]:
    """Every page, record and sub-resource reachable from ``start`` by next pages, ``url``s and
    ``links``: served bodies by operation, and the unserved URLs by the operation of the record
    that named them."""
    validators = {op: validator(spec, name) for op, (_, name) in operations(spec).items()}
    served: dict[str, list[Any]] = collections.defaultdict(list)
    unserved: dict[str, set[str]] = collections.defaultdict(set)
    queue, seen = [(url, "") for url in start], set()
    with client(mock) as http:
        while queue:
            url, named_by = queue.pop()
            if url in seen:
                continue
            seen.add(url)
            response = http.get(url)
            if not routed(spec, urlsplit(url).path):
                assert response.status_code == 404, url
                unserved[named_by].add(url)
                continue
            assert response.status_code == 200, (url, response.text)
            body = response.json()
            operation = mock.requests()[-1].operation
            assert operation is not None
            validators[operation].validate(body)
            served[operation].append(body)
            if "meta" in body:
                records = body[body["meta"]["key"]]
                if body["meta"]["next_page_url"] is not None:
                    queue.append((body["meta"]["next_page_url"], operation))
            else:
                records = [body]
            for record in records:
                urls = [record.get("url"), *(record.get("links") or {}).values()]
                queue.extend((local(spec, u), operation) for u in urls if u is not None)
    return {"served": served, "unserved": unserved}


def test_every_url_and_link_works_and_every_body_validates(spec: dict[str, Any]) -> None:
    mock = MockStudio({FLOW: 9, OTHER: 3}, seed=5)
    lists = [f"/v1/Flows/{flow}/Engagements?PageSize=4" for flow in mock.flows]
    found = crawl(mock, spec, "/v1/Flows?PageSize=1", *lists)
    served, unserved = found["served"], found["unserved"]
    assert set(served) == set(operations(spec))  # every operation reached by links alone
    assert len(served["ListFlow"]) == 2  # one flow a page
    assert len(served["ListEngagement"]) >= 4  # 3 pages and 1, and the flows' links
    engagements = [e for flow in mock.flows for e in mock.engagements(flow)]
    assert len(served["FetchEngagement"]) == 12
    linked = [e for e in engagements if e["links"] is not None]  # links may be null
    assert len(served["FetchEngagementContext"]) == len(linked) > 6
    steps = [s for e in linked for s in mock.steps(e["flow_sid"], e["sid"])]
    assert len(served["FetchStep"]) == len(steps) > 20
    assert len(served["FetchStepContext"]) == len([s for s in steps if s["links"] is not None])
    # Only a flow's own URL points outside the spec (it has no FetchFlow): every link of every
    # record, and every other record's URL, is served.
    assert set(unserved) == {"ListFlow"}
    assert set(unserved["ListFlow"]) == {local(spec, f["url"]) for f in mock.flow_records()}


def test_flows_are_the_seeded_ones_with_documented_friendly_names(spec: dict[str, Any]) -> None:
    flows = dict.fromkeys((f"FW{i:032x}" for i in range(40)), 3)
    mock = MockStudio(flows, seed=1)
    records = mock.flow_records()
    assert [r["sid"] for r in records] == list(flows)
    flow_schema = validator(spec, "Flow")
    for record in records:
        flow_schema.validate(record)
    examples = spec["components"]["schemas"]["Flow"]["properties"]["friendly_name"]["examples"]
    names = [r["friendly_name"] for r in records if r["friendly_name"] is not None]
    assert set(names) == set(examples)  # each documented name, varied by the seed
    with client(mock) as http:
        served = [
            f for p in range(4) for f in http.get(f"/v1/Flows?PageSize=10&Page={p}").json()["flows"]
        ]
    assert served == records
    assert MockStudio(flows, seed=1).flow_records() == records


def test_steps_belong_to_their_engagement_and_chain(spec: dict[str, Any]) -> None:
    mock = MockStudio({FLOW: 300}, seed=2)
    example = spec["components"]["schemas"]["Step"]["example"]
    step_schema = validator(spec, "Step")
    counts = []
    for engagement in mock.engagements(FLOW):
        steps = mock.steps(FLOW, engagement["sid"])
        counts.append(len(steps))
        assert {s["flow_sid"] for s in steps} <= {FLOW}
        assert {s["engagement_sid"] for s in steps} <= {engagement["sid"]}
        assert len({s["sid"] for s in steps}) == len(steps)
        for step in steps:
            step_schema.validate(step)
        if steps:
            assert steps[0]["transitioned_from"] == example["transitioned_from"]
            assert steps[0]["parent_step_sid"] is None
        for before, after in itertools.pairwise(steps):
            assert after["transitioned_from"] == before["transitioned_to"]
            assert after["parent_step_sid"] == before["sid"]
    assert set(counts) == set(range(13))  # from none to a dozen
    again = MockStudio({FLOW: 300}, seed=2)
    first = mock.engagements(FLOW)[0]["sid"]
    assert again.steps(FLOW, first) == mock.steps(FLOW, first)
    other = MockStudio({FLOW: 300}, seed=3)
    assert [len(other.steps(FLOW, e["sid"])) for e in other.engagements(FLOW)] != counts


def test_contexts_match_their_engagement_and_step(spec: dict[str, Any]) -> None:
    mock = MockStudio({FLOW: 30}, seed=4)
    engagement_context, step_context = (
        validator(spec, "EngagementContext"),
        validator(spec, "StepContext"),
    )
    contexts = 0
    for engagement in mock.engagements(FLOW):
        context = mock.engagement_context(FLOW, engagement["sid"])
        engagement_context.validate(context)
        assert context["context"] == engagement["context"]
        assert (context["engagement_sid"], context["flow_sid"]) == (engagement["sid"], FLOW)
        if engagement["links"] is not None:
            assert context["url"] == engagement["links"]["engagement_context"]
        for step in mock.steps(FLOW, engagement["sid"]):
            own = mock.step_context(FLOW, engagement["sid"], step["sid"])
            step_context.validate(own)
            assert own["context"] == step["context"]
            assert own["step_sid"] == step["sid"]
            if step["links"] is not None:
                assert own["url"] == step["links"]["step_context"]
            contexts += 1
    assert contexts > 30
    # Contexts are any JSON, varied: not all the same.
    assert (
        len(
            {
                repr(mock.engagement_context(FLOW, e["sid"])["context"])
                for e in mock.engagements(FLOW)
            }
        )
        > 3
    )


def test_step_pages_partition_the_steps_and_tokens_stay_with_their_list() -> None:
    mock = MockStudio({FLOW: 40}, seed=0)
    lists = [e["sid"] for e in mock.engagements(FLOW) if len(mock.steps(FLOW, e["sid"])) >= 5]
    first, second = lists[:2]
    path = f"/v1/Flows/{FLOW}/Engagements/{first}/Steps"
    with client(mock) as http:
        for size in (1, 2, 5, 50):
            url: str | None = f"{path}?PageSize={size}"
            served = []
            while url is not None:
                body = http.get(url).json()
                assert body["meta"]["key"] == "steps"
                served += body["steps"]
                url = body["meta"]["next_page_url"]
            assert served == mock.steps(FLOW, first), size
        token_url = http.get(f"{path}?PageSize=2").json()["meta"]["next_page_url"]
        token = urlsplit(token_url).query
        assert http.get(f"{path}?{token}").status_code == 200
        elsewhere = http.get(f"/v1/Flows/{FLOW}/Engagements/{second}/Steps?{token}")
        engagements = http.get(f"/v1/Flows/{FLOW}/Engagements?{token}")
    for refused in (elsewhere, engagements):
        assert refused.status_code == 400
        assert refused.json()["message"].startswith("Invalid PageToken:")


def test_the_spec_examples_are_real_records_of_the_default_mock(spec: dict[str, Any]) -> None:
    parameters = spec["components"]["parameters"]
    example = {
        name: parameters[name]["example"] for name in ("FlowSid", "EngagementSid", "StepSid")
    }
    mock = MockStudio()
    engagement = mock.engagements(example["FlowSid"])[0]
    assert engagement["sid"] == example["EngagementSid"]
    (step, *_) = mock.steps(example["FlowSid"], example["EngagementSid"])
    assert step["sid"] == example["StepSid"]


def test_accessors_refuse_what_does_not_exist() -> None:
    mock = MockStudio({FLOW: 2}, seed=0)
    engagement = mock.engagements(FLOW)[0]["sid"]
    missing = "FN" + "0" * 32
    for call in (
        lambda: mock.engagements(OTHER),
        lambda: mock.steps(FLOW, missing),
        lambda: mock.engagement_context(OTHER, engagement),
        lambda: mock.step_context(FLOW, engagement, "FT" + "0" * 32),
    ):
        with pytest.raises(KeyError):
            call()


def test_a_long_flow_makes_records_on_demand_only() -> None:
    tracemalloc.start()
    try:
        mock = MockStudio({FLOW: 100_000}, seed=0)  # some 600,000 steps, were they all made
        last = mock._endpoint.family.engagement(FLOW, 0, mock._clock.world())  # the oldest
        with client(mock) as http:
            steps = http.get(f"/v1/Flows/{FLOW}/Engagements/{last['sid']}/Steps").json()["steps"]
            fetched = http.get(f"/v1/Flows/{FLOW}/Engagements/{last['sid']}").json()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert steps == mock.steps(FLOW, last["sid"])
    assert fetched == last
    assert peak < 60_000_000  # the flow's SID index, not its records (over 1 GB)
