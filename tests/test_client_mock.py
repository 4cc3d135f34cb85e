"""The client against MockStudio: in-process and over real HTTP on loopback, sync and async."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from studio_engagements import StudioClient
from studio_engagements.errors import (
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    UntrustedURLError,
)
from studio_engagements.testing import Fault, MockStudio

from .helpers import Driver, mock_driver

EMPTY = "FW" + "0" * 32
ONE = "FW" + "1" * 32
TEN = "FW" + "a" * 32
BIG = "FW" + "b" * 32
FLOWS = {EMPTY: 0, ONE: 1, TEN: 10, BIG: 2500}

pytestmark = pytest.mark.usefixtures("waits", "fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows=FLOWS, seed=7)


@pytest.fixture(params=["inprocess", "http"])
def api(request: pytest.FixtureRequest, kind: str, mock: MockStudio) -> Driver:
    base_url = request.getfixturevalue("server") if request.param == "http" else None
    # Short enough that an injected delay times out quickly, long enough for a 1,000-record page.
    return mock_driver(kind, mock, base_url, timeout=1.0)


def sids(engagements: list[Any]) -> list[str]:
    return [e.sid for e in engagements]


def expected(mock: MockStudio, flow: str, count: int | None = None) -> list[str]:
    records = mock.engagements(flow)
    return [r["sid"] for r in (records if count is None else records[:count])]


def asked_page_sizes(mock: MockStudio) -> list[int | None]:
    return [int(r.query["PageSize"]) if "PageSize" in r.query else None for r in mock.requests]


def test_whole_flow_in_pages_of_1000(api: Driver, mock: MockStudio) -> None:
    got = api.list(BIG)
    assert sids(got) == expected(mock, BIG)
    assert len(set(sids(got))) == 2500
    assert asked_page_sizes(mock) == [1000, 1000, 1000]


@pytest.mark.parametrize(
    ("flow", "limit", "page_size", "count", "sizes"),
    [
        (EMPTY, None, None, 0, [1000]),
        (ONE, None, None, 1, [1000]),
        (TEN, None, 10, 10, [10]),
        (TEN, 10, None, 10, [10]),
        (TEN, 4, None, 4, [4]),
        (TEN, 4, 4, 4, [4]),
        (TEN, 6, 4, 6, [4, 4]),
        (TEN, None, 3, 10, [3, 3, 3, 3]),
        (TEN, 25, None, 10, [25]),
        (BIG, 7, None, 7, [7]),
        (BIG, 1001, None, 1001, [1000, 1000]),
    ],
)
def test_limit_and_page_size_edges(
    api: Driver,
    mock: MockStudio,
    flow: str,
    limit: int | None,
    page_size: int | None,
    count: int,
    sizes: list[int],
) -> None:
    got = api.stream(flow, limit=limit, page_size=page_size)
    assert sids(got) == expected(mock, flow, count)
    assert asked_page_sizes(mock) == sizes


def test_pages_and_resume_from_a_saved_next_page_url(api: Driver, mock: MockStudio) -> None:
    pages = api.pages(TEN, page_size=4)
    assert [len(p.engagements) for p in pages] == [4, 4, 2]
    assert pages[-1].meta.next_page_url is None
    saved = pages[0].meta.next_page_url
    assert saved is not None
    resumed = api.get_page(saved)
    assert sids(resumed.engagements) == sids(pages[1].engagements)
    assert resumed.meta.page == 1


def test_single_page_with_api_default_size(api: Driver, mock: MockStudio) -> None:
    page = api.page(BIG)
    assert page.meta.page_size == 50
    assert len(page.engagements) == 50
    assert asked_page_sizes(mock) == [None]


def test_unknown_flow_is_not_found(api: Driver) -> None:
    with pytest.raises(NotFoundError) as info:
        api.list("FW" + "f" * 32)
    assert info.value.code == 20404


def test_wrong_credentials_are_an_authentication_error(mock: MockStudio, server: str) -> None:
    with (
        StudioClient(mock.account_sid, "wrong", base_url=server) as client,
        pytest.raises(AuthenticationError) as info,
    ):
        client.engagements.list(TEN)
    assert info.value.code == 20003
    assert "wrong" not in str(info.value)


def test_api_key_credentials_work(mock: MockStudio, server: str) -> None:
    with StudioClient(
        api_key=mock.api_key_sid, api_secret=mock.api_key_secret, base_url=server
    ) as client:
        assert len(client.engagements.list(TEN)) == 10


@pytest.mark.parametrize(
    "fault",
    [
        Fault.rate_limit(retry_after=2),
        Fault.server_error(500),
        Fault.server_error(502),
        Fault.server_error(503),
        Fault.server_error(504),
        Fault.drop_connection(),
        Fault.truncated_body(),
        Fault.delay(3),
    ],
    ids=repr,
)
def test_each_fault_is_retried(
    api: Driver, mock: MockStudio, fault: Fault, waits: list[float]
) -> None:
    mock.inject(fault, times=2)
    assert sids(api.list(TEN)) == expected(mock, TEN)
    assert len(waits) == 2
    if fault == Fault.rate_limit(retry_after=2):
        assert waits == [2.0, 2.0]


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault.rate_limit(retry_after=1), RateLimitError),
        (Fault.server_error(503), ServerError),
        (Fault.drop_connection(), TransportError),
        (Fault.truncated_body(), TransportError),
        (Fault.delay(3), TransportError),
    ],
    ids=repr,
)
def test_each_fault_exhausts_into_a_typed_error(
    api: Driver, mock: MockStudio, fault: Fault, error: type[Exception], waits: list[float]
) -> None:
    mock.inject(fault, times=3)
    with pytest.raises(error):
        api.list(TEN)
    assert len(waits) == 2
    assert len(mock.requests) == 3


def test_next_page_on_another_server_gets_zero_requests(mock: MockStudio) -> None:
    """A first page whose next_page_url points at a second (real) server: nothing reaches it."""
    other = MockStudio(flows={TEN: 10}, seed=1)
    with other.serve() as other_url:
        first = mock.client().engagements.page(TEN, page_size=4)
        hostile_next = other_url + "/v1/Flows/" + TEN + "/Engagements?PageSize=4&Page=1"

        def handler(request: httpx.Request) -> httpx.Response:
            body = {
                "engagements": [e.to_dict() for e in first.engagements],
                "meta": {
                    **{
                        k: getattr(first.meta, k)
                        for k in ("page", "page_size", "key", "url", "first_page_url")
                    },
                    "next_page_url": hostile_next,
                    "previous_page_url": None,
                },
            }
            return httpx.Response(200, json=body)

        transport = httpx.MockTransport(handler)
        with StudioClient(
            mock.account_sid,
            mock.auth_token,
            base_url="http://127.0.0.1:1",
            http_client=httpx.Client(transport=transport),
        ) as client:
            with pytest.raises(UntrustedURLError):
                client.engagements.list(TEN)
            with pytest.raises(UntrustedURLError):
                client.engagements.get_page(hostile_next)
        with httpx.Client() as raw:
            assert raw.get(hostile_next).status_code == 401  # the server is up and counting
        assert len(other.requests) == 1
