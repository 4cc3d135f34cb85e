"""Paging that cannot be led astray: the same list, trusted hosts, progress, loops, page sizes.

Loopback servers answer what each test scripts, sync and async; the regional host rewrite runs
through ``httpx.MockTransport`` (a Twilio host cannot be served on loopback).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from studio_engagements import (
    AsyncStudioClient,
    StudioClient,
    UnexpectedResponseError,
    UntrustedURLError,
)
from studio_engagements._paging import MAX_EMPTY_PAGES, max_page_size
from studio_engagements.testing import Fault, MockStudio

from .helpers import FLOW, OTHER, RECORD, SID, TOKEN, Driver, page_body, transport_driver
from .reliability import Answer, CountingServer

PATH = f"/v1/Flows/{FLOW}/Engagements"


Handler = Callable[[str, str], Answer]  # (the server's origin, the path and query asked)


@pytest.fixture
def loopback() -> Iterator[Callable[..., tuple[Driver, CountingServer]]]:
    """Start a loopback server answering ``handler(origin, target)``, and a driver on it."""
    servers: list[CountingServer] = []

    def start(kind: str, handler: Handler) -> tuple[Driver, CountingServer]:
        server = CountingServer(lambda target: handler(server.url, target)).__enter__()
        servers.append(server)
        cls = StudioClient if kind == "sync" else AsyncStudioClient
        return Driver(kind, lambda: cls(SID, TOKEN, base_url=server.url, max_retries=0)), server

    yield start
    for server in servers:
        server.__exit__()


def pointing(next_of: Callable[[str, str], str | None]) -> Handler:
    """Pages of one record each whose next_page_url is ``next_of(origin, target)``."""

    def handler(origin: str, target: str) -> Answer:
        record = {**RECORD, "sid": f"FN{len(target):032x}"}
        body = page_body(origin + target, [record], next_of(origin, target))
        return 200, {}, json.dumps(body).encode()

    return handler


@pytest.mark.parametrize(
    "other",
    [
        f"/v1/Flows/{OTHER}/Engagements?Page=1",  # another flow, same origin
        f"/v1/Flows/{FLOW}/Executions?Page=1",  # another list of the same flow
        f"/v1/Flows/{FLOW}/Engagements/FN{'0' * 32}/Steps?Page=1",  # a child list
        "/v1/Flows?Page=1",
    ],
)
def test_a_next_page_of_another_list_is_refused_and_nothing_more_is_read(
    kind: str, other: str, loopback: Any
) -> None:
    driver, server = loopback(kind, pointing(lambda origin, target: origin + other))
    with pytest.raises(UnexpectedResponseError, match="another list") as caught:
        driver.list()
    assert PATH in str(caught.value)
    assert len(server.requests) == 1


def test_a_fragment_that_changes_does_not_hide_a_loop(kind: str, loopback: Any) -> None:
    count = {"n": 0}

    def next_of(origin: str, target: str) -> str:
        count["n"] += 1  # page 1 points to itself, under a new fragment each time
        return f"{origin}{PATH}?PageSize=1000&Page=1#fragment-{count['n']}"

    driver, server = loopback(kind, pointing(next_of))
    with pytest.raises(UnexpectedResponseError, match="already read"):
        driver.list()
    assert [path for path, _ in server.requests] == [
        f"{PATH}?PageSize=1000",
        f"{PATH}?PageSize=1000&Page=1",
    ]


def test_reordered_parameters_are_the_same_page(kind: str, loopback: Any) -> None:
    def next_of(origin: str, target: str) -> str:
        if "PageToken" in target:
            return f"{origin}{PATH}?PageToken=T1&Page=1&PageSize=1000"  # page 1, reordered
        return f"{origin}{PATH}?PageSize=1000&Page=1&PageToken=T1"

    driver, server = loopback(kind, pointing(next_of))
    with pytest.raises(UnexpectedResponseError, match="already read"):
        driver.list()
    assert len(server.requests) == 2


def test_empty_pages_pointing_onward_forever_end_with_a_typed_error(
    kind: str, loopback: Any
) -> None:
    def handler(origin: str, target: str) -> Answer:
        n = len(server.requests)
        body = page_body(origin + target, [], f"{origin}{PATH}?PageToken=T{n}")
        return 200, {}, json.dumps(body).encode()

    driver, server = loopback(kind, handler)
    with pytest.raises(UnexpectedResponseError, match="empty pages in a row"):
        driver.list()
    assert len(server.requests) == MAX_EMPTY_PAGES


def test_a_few_empty_pages_between_full_ones_are_read(kind: str, loopback: Any) -> None:
    def handler(origin: str, target: str) -> Answer:
        n = len(server.requests)
        records = [] if n % MAX_EMPTY_PAGES else [{**RECORD, "sid": f"FN{n:032x}"}]
        following = f"{origin}{PATH}?PageToken=T{n}" if n < 3 * MAX_EMPTY_PAGES else None
        return 200, {}, json.dumps(page_body(origin + target, records, following)).encode()

    driver, server = loopback(kind, handler)
    assert len(driver.list()) == 3


def test_pages_without_page_size_asks_for_the_largest_page(kind: str, loopback: Any) -> None:
    driver, server = loopback(kind, pointing(lambda origin, target: None))
    assert len(driver.pages()) == 1
    assert len(driver.pages(page_size=7)) == 1
    asked = [path.split("?", 1)[1] for path, _ in server.requests]
    assert asked == [f"PageSize={max_page_size()}", "PageSize=7"]


def test_links_hold_any_json_values(kind: str, loopback: Any) -> None:
    links = {"steps": 1, "engagement_context": None, "later": {"a": [1, "b"]}, "n": 2.5}
    records = [{**RECORD, "links": links}, {**RECORD, "links": None}, {**RECORD, "status": None}]

    def handler(origin: str, target: str) -> Answer:
        return 200, {}, json.dumps(page_body(origin + target, records)).encode()

    driver, _ = loopback(kind, handler)
    got = driver.list()
    assert [e.links for e in got] == [links, None, RECORD["links"]]
    assert got[0].to_dict()["links"] == links
    assert got[2].status is None


# -- Twilio's own hosts: followed on the configured origin ---------------------------------------

REGIONAL = "studio.dublin.ie1.twilio.com"


def twilio_pages(
    next_hosts: list[str],
) -> tuple[Callable[[httpx.Request], httpx.Response], list[httpx.URL]]:
    """A handler whose page ``n`` points to page ``n + 1`` on ``next_hosts[n]``; what it got."""
    seen: list[httpx.URL] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url)
        n = int(request.url.params.get("Page", "0"))
        following = None
        if n < len(next_hosts):
            following = f"https://{next_hosts[n]}{PATH}?PageSize=1000&Page={n + 1}&PageToken=P{n}"
        record = {**RECORD, "sid": f"FN{n:032x}"}
        return httpx.Response(200, json=page_body(str(request.url), [record], following))

    return handler, seen


def test_a_next_page_on_a_twilio_studio_host_is_read_on_the_configured_origin(kind: str) -> None:
    handler, seen = twilio_pages(["studio.twilio.com", "studio.us1.twilio.com", REGIONAL])
    driver = transport_driver(kind, handler, base_url=None, region="ie1", edge="dublin")
    assert len(driver.list()) == 4
    assert {url.host for url in seen} == {REGIONAL}
    assert [url.params.get("PageToken") for url in seen] == [None, "P0", "P1", "P2"]


def test_a_saved_page_url_on_the_global_host_resumes_on_the_regional_one(kind: str) -> None:
    handler, seen = twilio_pages([])
    driver = transport_driver(kind, handler, base_url=None, region="au1")
    saved = f"https://studio.twilio.com{PATH}?PageSize=50&Page=3&PageToken=PT3"
    assert len(driver.get_page(saved).engagements) == 1
    assert len(driver.pages(start_url=saved)) == 1
    assert [str(url) for url in seen] == [saved.replace("studio.", "studio.au1.")] * 2


@pytest.mark.parametrize(
    "host",
    [
        "studio.twilio.com.evil.example",
        "evil.twilio.com",
        "studio-twilio.com",
        "studio.twilio.com:8443",
        "user:pw@studio.twilio.com",
        "studio.a.b.c.twilio.com",
    ],
)
def test_other_hosts_are_refused_with_nothing_sent(kind: str, host: str) -> None:
    handler, seen = twilio_pages([host])
    driver = transport_driver(kind, handler, base_url=None, region="ie1", edge="dublin")
    with pytest.raises(UntrustedURLError):
        driver.list()
    assert len(seen) == 1


def test_plain_http_to_a_twilio_host_is_refused(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        following = f"http://studio.twilio.com{PATH}?Page=1"
        return httpx.Response(200, json=page_body(str(request.url), [RECORD], following))

    with pytest.raises(UntrustedURLError):
        transport_driver(kind, handler, base_url=None).list()


# -- the mock serves what the contract allows: null meta keys and statuses ----------------------


def test_the_served_mock_gives_null_meta_keys_and_statuses_the_client_reads(kind: str) -> None:
    mock = MockStudio({FLOW: 120}, seed=3)
    expected = [record["sid"] for record in mock.engagements(FLOW)]
    assert any(record["status"] is None for record in mock.engagements(FLOW))
    with mock.serve() as base_url:
        mock.inject(Fault.null_meta(), times=2)
        cls = StudioClient if kind == "sync" else AsyncStudioClient
        driver = Driver(kind, lambda: cls(mock.account_sid, mock.auth_token, base_url=base_url))
        pages = driver.pages(page_size=50)
    assert [e.sid for page in pages for e in page.engagements] == expected
    first = pages[0].meta
    assert (first.page, first.page_size, first.key, first.url, first.first_page_url) == (None,) * 5
    assert first.next_page_url is not None
    assert pages[2].meta.page == 2
