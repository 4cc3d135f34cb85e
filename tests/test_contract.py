"""Every 200 body Twilio's published contract allows is read; what paging cannot use is refused.

The rule (the spec's top description): never stricter about a 200 body than Twilio's contract,
except where paging needs a key. A page must have an ``engagements`` array, ``meta`` and
``meta.next_page_url``; any other ``meta`` key, any Engagement field and ``links`` may be absent
or null. A type that contradicts the contract is still an ``UnexpectedResponseError``.

Field and key names come from the spec, so a field added there is covered here too.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Callable
from typing import Any

import httpx
import hypothesis
import pytest
import yaml
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from studio_engagements import Page
from studio_engagements.errors import UnexpectedResponseError
from studio_engagements_api.models import ListEngagementResponse

from .helpers import BASE, FLOW, SCHEMAS, SPEC_PATH, transport_driver
from .reliability import from_schema, response_schema

URL = f"{BASE}/v1/Flows/{FLOW}/Engagements?PageSize=50&Page=0"
SPEC = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
# The spec's example record, in the flow asked for: a record naming another flow is refused.
RECORD: dict[str, Any] = {**SCHEMAS["Engagement"]["example"], "flow_sid": FLOW}
META_SCHEMA = SCHEMAS["PageMeta"]
OPTIONAL_META = sorted(set(META_SCHEMA["properties"]) - set(META_SCHEMA["required"]))
FIELDS = sorted(SCHEMAS["Engagement"]["properties"])
SETTINGS = hypothesis.settings(
    max_examples=60,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def full_page(records: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A page with every key, as the live API sends it (the spec's own 200 example's meta)."""
    example = SPEC["paths"]["/v1/Flows/{FlowSid}/Engagements"]["get"]["responses"]["200"]
    body = copy.deepcopy(example["content"]["application/json"]["example"])
    body["meta"]["url"] = URL
    body["engagements"] = [copy.deepcopy(RECORD)] if records is None else records
    return body


def without(mapping: dict[str, Any], *names: str) -> dict[str, Any]:
    return {key: value for key, value in mapping.items() if key not in names}


def allowed_bodies() -> list[tuple[str, dict[str, Any]]]:
    """(name, body) for each shape of page the contract allows."""
    page = full_page()
    cases = [
        (f"meta-without-{name}", {**page, "meta": without(page["meta"], name)})
        for name in OPTIONAL_META
    ]
    cases.append(("meta-with-next-page-url-only", {**page, "meta": {"next_page_url": None}}))
    cases.append(("meta-keys-null", {**page, "meta": dict.fromkeys(page["meta"])}))
    cases += [
        ("links-null", full_page([{**RECORD, "links": None}])),
        ("links-absent", full_page([without(RECORD, "links")])),
        ("links-empty", full_page([{**RECORD, "links": {}}])),
        # Twilio's contract types links as a uri-map: the values are unconstrained.
        ("links-any-values", full_page([{**RECORD, "links": {"steps": 1, "a": None, "b": [{}]}}])),
        ("record-empty", full_page([{}])),
        ("engagements-empty", full_page([])),
        (
            "unknown-keys-everywhere",
            {
                **page,
                "later": {"a": 1},
                "meta": {**page["meta"], "later": [1]},
                "engagements": [
                    {**RECORD, "later": "x", "links": {**RECORD["links"], "later": "u"}}
                ],
            },
        ),
    ]
    cases += [
        (f"record-with-only-{name}", full_page([{name: RECORD[name]}]))
        for name in FIELDS
        if name in RECORD
    ]
    cases += [(f"record-with-{name}-null", full_page([{**RECORD, name: None}])) for name in FIELDS]
    return cases


def refused_bodies() -> list[tuple[str, object, str]]:
    """(name, body, what the error must name) for 200s that are not pages."""
    page = full_page()
    return [
        ("no-engagements", without(page, "engagements"), "engagements"),
        ("no-meta", without(page, "meta"), "meta"),
        (
            "no-next-page-url",
            {**page, "meta": without(page["meta"], "next_page_url")},
            "next_page_url",
        ),
        ("engagements-object", {**page, "engagements": {}}, "engagements"),
        ("meta-array", {**page, "meta": []}, "meta"),
        ("numeric-sid", full_page([{**RECORD, "sid": 7}]), "sid"),
        ("string-page", {**page, "meta": {**page["meta"], "page": "0"}}, "page"),
        (
            "numeric-next-page-url",
            {**page, "meta": {**page["meta"], "next_page_url": 1}},
            "next_page_url",
        ),
        ("links-string", full_page([{**RECORD, "links": "x"}]), "links"),
        ("body-array", [], "JSON object"),
    ]


def handler_for(body: object) -> Callable[[httpx.Request], httpx.Response]:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    return handler


ALLOWED = allowed_bodies()
REFUSED = refused_bodies()


@pytest.mark.parametrize(("name", "body"), ALLOWED, ids=[name for name, _ in ALLOWED])
def test_the_client_reads_every_page_the_contract_allows(
    kind: str, name: str, body: dict[str, Any]
) -> None:
    page = transport_driver(kind, handler_for(body)).page(FLOW)
    assert len(page.engagements) == len(body["engagements"])
    for name_, value in body["meta"].items():
        if name_ in META_SCHEMA["properties"]:
            assert getattr(page.meta, name_) == value
    for name_ in OPTIONAL_META:
        if name_ not in body["meta"]:
            assert getattr(page.meta, name_) is None
    for engagement, record in zip(page.engagements, body["engagements"], strict=True):
        for field in FIELDS:
            if record.get(field) is None:
                assert getattr(engagement, field) is None, field


@pytest.mark.parametrize(("name", "body"), ALLOWED, ids=[name for name, _ in ALLOWED])
def test_the_generated_models_read_every_page_the_contract_allows(
    name: str, body: dict[str, Any]
) -> None:
    parsed = ListEngagementResponse.from_dict(copy.deepcopy(body))
    assert len(parsed.engagements) == len(body["engagements"])
    assert parsed.meta.next_page_url == body["meta"]["next_page_url"]


@pytest.mark.parametrize(("name", "body", "named"), REFUSED, ids=[name for name, *_ in REFUSED])
def test_a_200_that_is_not_a_page_is_refused_by_name(
    kind: str, name: str, body: object, named: str
) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=body)

    with pytest.raises(UnexpectedResponseError) as info:
        transport_driver(kind, handler).list(FLOW)
    assert named in info.value.reason


def _strip_required(body: dict[str, Any], where: str) -> dict[str, Any]:
    broken = copy.deepcopy(body)
    if where == "meta.next_page_url":
        del broken["meta"]["next_page_url"]
    else:
        del broken[where]
    return broken


REQUIRED_KEYS = [
    *SCHEMAS["ListEngagementResponse"]["required"],
    *(f"meta.{name}" for name in META_SCHEMA["required"]),
]


@SETTINGS
@given(from_schema(response_schema()))
def test_any_body_the_spec_allows_parses_in_the_client_and_the_models(body: dict[str, Any]) -> None:
    for record in body["engagements"]:  # in the flow asked for, or naming none
        if isinstance(record.get("flow_sid"), str):
            record["flow_sid"] = FLOW
    raw = json.dumps(body).encode()
    page = transport_driver("sync", lambda request: httpx.Response(200, content=raw)).page(FLOW)
    assert isinstance(page, Page)
    assert len(page.engagements) == len(body["engagements"])
    assert (
        ListEngagementResponse.from_dict(json.loads(raw)).meta.next_page_url
        == body["meta"]["next_page_url"]
    )


@SETTINGS
@given(from_schema(response_schema()), st.sampled_from(REQUIRED_KEYS))
def test_a_body_without_a_required_key_never_parses(body: dict[str, Any], key: str) -> None:
    raw = json.dumps(_strip_required(body, key)).encode()
    with pytest.raises(UnexpectedResponseError):
        transport_driver("sync", lambda request: httpx.Response(200, content=raw)).page(FLOW)
    with pytest.raises(Exception):  # noqa: B017, PT011 (the raw models raise their own errors)
        ListEngagementResponse.from_dict(json.loads(raw))
