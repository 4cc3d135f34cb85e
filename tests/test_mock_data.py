"""The mock's data: every served body conforms to the spec; same seed, same data; varied values."""

from __future__ import annotations

import collections
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from studio_engagements.testing import MockStudio

FLOW = "FW" + "0123456789abcdef" * 2
OTHER = "FW" + "fedcba9876543210" * 2
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def validator(spec: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for one of the spec's schemas, formats checked (as tests/test_spec.py does)."""
    registry = Registry().with_resource("urn:spec", Resource.opaque(spec))
    return Draft202012Validator(
        {"$ref": f"urn:spec#/components/schemas/{name}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def client(mock: MockStudio, user: str | None = None, password: str | None = None) -> httpx.Client:
    """A raw httpx client on the mock's in-process transport, with its account credentials."""
    return httpx.Client(
        transport=mock.transport(),
        base_url=mock.IN_PROCESS_URL,
        auth=(user or mock.account_sid, password or mock.auth_token),
    )


def walk(http: httpx.Client, flow_sid: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every page body of a flow, following next_page_url from the first page."""
    url: str | None = f"/v1/Flows/{flow_sid}/Engagements"
    query: dict[str, Any] | None = params
    while url is not None:
        response = http.get(url, params=query)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        yield body
        url, query = body["meta"]["next_page_url"], None


def test_every_served_body_validates_against_the_response_schema(spec: dict[str, Any]) -> None:
    mock = MockStudio({FLOW: 230, OTHER: 0}, seed=3)
    page_schema = validator(spec, "ListEngagementResponse")
    with client(mock) as http:
        pages = [*walk(http, FLOW, PageSize=37), *walk(http, OTHER)]
    assert len(pages) == 8  # ceil(230 / 37) + the empty flow's one page
    for body in pages:
        page_schema.validate(body)


def test_default_flows_validate_and_include_the_spec_example(spec: dict[str, Any]) -> None:
    mock = MockStudio()
    example = spec["paths"]["/v1/Flows/{FlowSid}/Engagements"]["get"]["parameters"][0]["example"]
    assert example in mock.flows
    assert len(mock.flows) >= 3
    assert 0 in mock.flows.values()  # an existing flow without engagements
    page_schema = validator(spec, "ListEngagementResponse")
    with client(mock) as http:
        for flow_sid in mock.flows:
            page_schema.validate(next(walk(http, flow_sid)))


def test_records_are_varied_as_the_schema_allows(spec: dict[str, Any]) -> None:
    records = MockStudio({FLOW: 400}, seed=0).engagements(FLOW)
    engagement = validator(spec, "Engagement")
    for record in records:
        engagement.validate(record)
        assert record["flow_sid"] == FLOW
        assert ISO_UTC.fullmatch(record["date_created"])
        assert record["url"].startswith("https://")
        assert record["url"].endswith(record["sid"])
        assert set(record["links"]) == {"steps", "engagement_context"}
    assert {r["status"] for r in records} == {"active", "ended"}
    for nullable in ("contact_sid", "contact_channel_address", "date_updated"):
        values = [r[nullable] for r in records]
        assert None in values, nullable
        assert any(v is not None for v in values), nullable
    shapes = collections.Counter(
        type(r["context"]).__name__ + str(sorted(r["context"]) if r["context"] else "")
        for r in records
    )
    assert len(shapes) >= 4
    addresses = [r["contact_channel_address"] or "" for r in records]
    assert any(a.startswith("+1") for a in addresses)
    assert any(a.startswith("client:") for a in addresses)
    assert any("@" in a for a in addresses)
    assert len({r["sid"] for r in records}) == len(records)
    updated = [r for r in records if r["date_updated"] is not None]
    assert all(r["date_updated"] >= r["date_created"] for r in updated)


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = MockStudio({FLOW: 60}, seed=7)
    again = MockStudio({FLOW: 60}, seed=7)
    other = MockStudio({FLOW: 60}, seed=8)
    assert first.engagements(FLOW) == again.engagements(FLOW)
    assert (first.account_sid, first.auth_token) == (again.account_sid, again.auth_token)
    assert not {r["sid"] for r in first.engagements(FLOW)} & {
        r["sid"] for r in other.engagements(FLOW)
    }
    assert first.account_sid != other.account_sid
    with client(first) as a, client(again) as b:
        assert [p["engagements"] for p in walk(a, FLOW)] == [
            p["engagements"] for p in walk(b, FLOW)
        ]


def test_served_order_is_engagements_order() -> None:
    mock = MockStudio({FLOW: 123}, seed=1)
    with client(mock) as http:
        served = [e for page in walk(http, FLOW, PageSize=10) for e in page["engagements"]]
    assert served == mock.engagements(FLOW)


def test_a_million_engagement_flow_is_served_without_materialising_it() -> None:
    mock = MockStudio({FLOW: 1_000_000}, seed=0)
    with client(mock) as http:
        last = http.get(f"/v1/Flows/{FLOW}/Engagements", params={"PageSize": 1000, "Page": 999})
    body = last.json()
    assert len(body["engagements"]) == 1000
    assert body["meta"]["next_page_url"] is None
    # Records are a pure function of (seed, flow, index): the last one equals a fresh mock's.
    assert body["engagements"][-1] == MockStudio({FLOW: 1}, seed=0)._core.engagement(FLOW, 999_999)


def test_credentials_are_well_formed_and_not_in_repr() -> None:
    mock = MockStudio(seed=5)
    assert re.fullmatch(r"AC[0-9a-f]{32}", mock.account_sid)
    assert re.fullmatch(r"SK[0-9a-f]{32}", mock.api_key_sid)
    assert mock.auth_token
    assert mock.api_key_secret
    assert mock.auth_token not in repr(mock)
    assert mock.api_key_secret not in repr(mock)


@pytest.mark.parametrize(
    "flows", [{"FWnot-a-sid": 1}, {FLOW: -1}], ids=["bad-sid", "negative-count"]
)
def test_bad_flows_are_refused_at_construction(flows: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"FW|count"):
        MockStudio(flows)


def test_engagements_of_an_unknown_flow_is_a_key_error() -> None:
    with pytest.raises(KeyError, match=OTHER):
        MockStudio({FLOW: 1}).engagements(OTHER)


def test_importing_the_client_does_not_import_the_mock_or_yaml() -> None:
    import subprocess
    import sys

    code = (
        "import sys, studio_engagements;"
        "print(sorted(m for m in sys.modules"
        " if m.startswith(('studio_engagements.testing', 'yaml'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
