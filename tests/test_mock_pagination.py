"""Pagination like Twilio's: pages partition the data, tokens are opaque and checked."""

from __future__ import annotations

import itertools
from typing import Any
from urllib.parse import parse_qs, urlsplit

import httpx
from hypothesis import given, settings
from hypothesis import strategies as st

from studio_engagements.testing import MockStudio

from .helpers import FLOW, OTHER, client, walk

PATH = f"/v1/Flows/{FLOW}/Engagements"
MOST = 700


def sized(count: int) -> str:
    """The flow of ``SIZES`` with ``count`` engagements."""
    return f"FW{count:032x}"


# One mock for every example (building one parses the spec): a flow of each size 0-700, whose
# records are made only when a page asks for them.
SIZES = MockStudio({sized(count): count for count in range(MOST + 1)}, seed=3)


@settings(max_examples=60, deadline=None)
@given(count=st.integers(0, MOST), page_size=st.integers(1, 1000))
def test_pages_partition_the_data_exactly(count: int, page_size: int) -> None:
    flow = sized(count)
    with client(SIZES) as http:
        pages = list(walk(http, flow, PageSize=page_size))
    served = [e["sid"] for page in pages for e in page["engagements"]]
    assert served == [e["sid"] for e in SIZES.engagements(flow)]
    assert len(served) == count
    assert len(pages) == max(1, -(-count // page_size))
    assert all(len(page["engagements"]) == page_size for page in pages[:-1])
    for number, page in enumerate(pages):
        meta = page["meta"]
        assert (meta["page"], meta["page_size"], meta["key"]) == (number, page_size, "engagements")
        assert (meta["previous_page_url"] is None) == (number == 0)
    assert pages[-1]["meta"]["next_page_url"] is None
    for before, after in itertools.pairwise(pages):
        assert after["meta"]["url"] == before["meta"]["next_page_url"]


def test_2500_engagements_over_real_http() -> None:
    mock = MockStudio({FLOW: 2500}, seed=0)
    with mock.serve() as base_url:
        assert base_url.startswith("http://127.0.0.1:")
        with httpx.Client(base_url=base_url, auth=(mock.account_sid, mock.auth_token)) as http:
            pages = list(walk(http, FLOW))
    sids = [e["sid"] for page in pages for e in page["engagements"]]
    assert len(sids) == len(set(sids)) == 2500
    assert len(pages) == 50  # the spec's default PageSize
    assert all(page["meta"]["url"].startswith(base_url + "/") for page in pages)
    assert {r.path for r in mock.requests} == {PATH}


def test_meta_urls_are_on_the_requests_own_origin() -> None:
    mock = MockStudio({FLOW: 5}, seed=0)
    with httpx.Client(
        transport=mock.transport(),
        base_url="http://studio.localhost:8080",
        auth=(mock.account_sid, mock.auth_token),
    ) as http:
        meta = http.get(PATH, params={"PageSize": 2}).json()["meta"]
    for key in ("url", "first_page_url", "next_page_url"):
        assert meta[key].startswith("http://studio.localhost:8080" + PATH + "?"), key
    assert parse_qs(urlsplit(meta["first_page_url"]).query) == {"PageSize": ["2"], "Page": ["0"]}


def test_default_page_size_and_maximum_come_from_the_spec(spec: dict[str, Any]) -> None:
    schema = spec["components"]["parameters"]["PageSize"]["schema"]
    mock = MockStudio({FLOW: schema["maximum"] + 5}, seed=0)
    with client(mock) as http:
        first = http.get(PATH).json()
        largest = http.get(PATH, params={"PageSize": schema["maximum"]}).json()
        too_large = http.get(PATH, params={"PageSize": schema["maximum"] + 1})
    assert first["meta"]["page_size"] == len(first["engagements"]) == schema["default"]
    assert len(largest["engagements"]) == schema["maximum"]
    assert too_large.status_code == 400


def test_page_without_token_is_an_index_and_past_the_end_is_empty() -> None:
    mock = MockStudio({FLOW: 25}, seed=0)
    with client(mock) as http:
        third = http.get(PATH, params={"PageSize": 10, "Page": 2}).json()
        beyond = http.get(PATH, params={"PageSize": 10, "Page": 10**12}).json()
    assert [e["sid"] for e in third["engagements"]] == [
        e["sid"] for e in mock.engagements(FLOW)[20:]
    ]
    assert third["meta"]["next_page_url"] is None
    assert third["meta"]["previous_page_url"] is not None
    assert beyond["engagements"] == []
    assert beyond["meta"]["next_page_url"] is None


def test_previous_page_url_leads_back() -> None:
    mock = MockStudio({FLOW: 30}, seed=0)
    with client(mock) as http:
        pages = list(walk(http, FLOW, PageSize=10))
        back = http.get(pages[2]["meta"]["previous_page_url"]).json()
    assert back["engagements"] == pages[1]["engagements"]


def next_token(mock: MockStudio) -> str:
    with client(mock) as http:
        url = http.get(PATH, params={"PageSize": 3}).json()["meta"]["next_page_url"]
    (token,) = parse_qs(urlsplit(url).query)["PageToken"]
    return str(token)


def test_tokens_are_opaque_and_checked() -> None:
    mock = MockStudio({FLOW: 10, OTHER: 10}, seed=0)
    token = next_token(mock)
    forged = [
        token[:-1] + ("A" if token[-1] != "A" else "B"),  # edited signature
        token[:3] + ("A" if token[3] != "A" else "B") + token[4:],  # edited position
        token + "A",
        "PT0",  # the spec's example: well-formed text, never issued
        "",
        "not a token",
    ]
    with client(mock) as http:
        assert http.get(PATH, params={"PageSize": 3, "PageToken": token}).status_code == 200
        for bad in forged:
            response = http.get(PATH, params={"PageSize": 3, "PageToken": bad})
            assert response.status_code == 400, bad
            assert response.json()["code"] == 20001
            assert "PageToken" in response.json()["message"]
        other_flow = http.get(
            f"/v1/Flows/{OTHER}/Engagements", params={"PageSize": 3, "PageToken": token}
        )
        assert other_flow.status_code == 400
    # Another seed's mock did not issue it either.
    with client(other := MockStudio({FLOW: 10}, seed=1)) as http:
        assert http.get(PATH, params={"PageToken": token}).status_code == 400
    assert next_token(other) != token
