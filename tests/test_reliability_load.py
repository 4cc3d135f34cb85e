"""Load: the served mock under 32 concurrent clients, and concurrency paying off.

32 clients (threads, then asyncio tasks), each streaming its own flow over real HTTP at once,
with ``max_retries=0`` so that any 5xx, reset or timeout fails the export: every export must be
exact. Requests per second and the p50/p99 latency of a page (request, transfer and parsing)
are printed. Then ``AsyncStudioClient`` exports 20 flows concurrently and one after another, each
request delayed 50 ms by the mock: the mock must see all 20 flows' requests in at once (the
wall times of both are printed, never compared to a bound).
`nox -s soak` runs bigger flows.

The last tests break things (a fault let through, a client serialised, a record dropped) and see
the checks fail.
"""

from __future__ import annotations

import asyncio
import statistics
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from studio_engagements import AsyncStudioClient, StudioClient, _retry
from studio_engagements.errors import ServerError
from studio_engagements.testing import Fault, MockStudio

from .helpers import held_together
from .reliability import SOAK, figure

CLIENTS = 32
PER_FLOW = 10_000 if SOAK else 300  # three pages per client by default: still 32 at once
PAGE_SIZE = 250 if SOAK else 100
TIMEOUT = 30.0
CONCURRENT_FLOWS = 20
# Whether requests overlap, not how much is read: the same small pages in the soak (at the
# soak's page size the mock's own CPU, in this process, takes longer than the delays).
CONCURRENT_PAGE_SIZE = 100
DELAY = 0.05


pytestmark = pytest.mark.usefixtures("fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio.seeded(CLIENTS, PER_FLOW, seed=21)


@pytest.fixture(scope="module")
def expected(mock: MockStudio) -> dict[str, list[str]]:
    return {flow: [r["sid"] for r in mock.engagements(flow)] for flow in mock.flows}


def stats(name: str, latencies: list[float], wall: float) -> None:
    ordered = sorted(latencies)
    p50 = statistics.median(ordered) * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    figure(
        f"load ({name}): {CLIENTS} clients x {PER_FLOW:,} engagements, {len(ordered)} requests "
        f"in {wall:.2f} s = {len(ordered) / wall:,.0f} requests/s; "
        f"page latency p50 {p50:.1f} ms, p99 {p99:.1f} ms"
    )


def check_threads(mock: MockStudio, base_url: str, expected: dict[str, list[str]]) -> None:
    """32 threads, one StudioClient each, one flow each, all at once; every export exact."""
    latencies: list[float] = []
    lock = threading.Lock()
    start = threading.Barrier(CLIENTS)

    def export(flow: str) -> list[str | None]:
        got: list[str | None] = []
        with StudioClient(
            mock.account_sid, mock.auth_token, base_url=base_url, max_retries=0, timeout=TIMEOUT
        ) as client:
            pages = client.engagements.pages(flow, page_size=PAGE_SIZE)
            start.wait(timeout=60)
            while True:
                began = time.perf_counter()
                page = next(pages, None)
                if page is None:
                    break
                with lock:
                    latencies.append(time.perf_counter() - began)
                got.extend(e.sid for e in page.engagements)
        return got

    began = time.perf_counter()
    with ThreadPoolExecutor(CLIENTS) as pool:
        results = dict(zip(expected, pool.map(export, expected), strict=True))
    wall = time.perf_counter() - began
    for flow, sids in expected.items():
        assert results[flow] == sids, f"the export of {flow} is not exact"
    assert len(mock.requests) == len(latencies)
    stats("threads", latencies, wall)


def check_tasks(mock: MockStudio, base_url: str, expected: dict[str, list[str]]) -> None:
    """32 asyncio tasks, one AsyncStudioClient each, one flow each; every export exact."""
    latencies: list[float] = []

    async def export(flow: str) -> list[str | None]:
        got: list[str | None] = []
        async with AsyncStudioClient(
            mock.account_sid, mock.auth_token, base_url=base_url, max_retries=0, timeout=TIMEOUT
        ) as client:
            pages = client.engagements.pages(flow, page_size=PAGE_SIZE)
            while True:
                began = time.perf_counter()
                page = await anext(pages, None)
                if page is None:
                    break
                latencies.append(time.perf_counter() - began)
                got.extend(e.sid for e in page.engagements)
        return got

    async def main() -> list[list[str | None]]:
        return list(await asyncio.gather(*(export(flow) for flow in expected)))

    began = time.perf_counter()
    results = dict(zip(expected, asyncio.run(main()), strict=True))
    wall = time.perf_counter() - began
    for flow, sids in expected.items():
        assert results[flow] == sids, f"the export of {flow} is not exact"
    stats("asyncio", latencies, wall)


def test_32_threads_export_exactly_at_once(
    mock: MockStudio, server: str, expected: dict[str, list[str]]
) -> None:
    check_threads(mock, server, expected)


def test_32_asyncio_tasks_export_exactly_at_once(
    mock: MockStudio, server: str, expected: dict[str, list[str]]
) -> None:
    check_tasks(mock, server, expected)


def timed_exports(mock: MockStudio, base_url: str, concurrent: bool) -> float:
    """Wall time of exporting the first 20 flows with one AsyncStudioClient."""
    flows = list(mock.flows)[:CONCURRENT_FLOWS]

    async def main() -> None:
        async with AsyncStudioClient(
            mock.account_sid, mock.auth_token, base_url=base_url, max_retries=0
        ) as client:
            limit = CONCURRENT_PAGE_SIZE * 2  # two pages per flow: two delayed requests

            async def one(flow: str) -> None:
                got = await client.engagements.list(
                    flow, limit=limit, page_size=CONCURRENT_PAGE_SIZE
                )
                assert len(got) == limit

            if concurrent:
                await asyncio.gather(*(one(flow) for flow in flows))
            else:
                for flow in flows:
                    await one(flow)

    mock.inject_rate(1.0, [Fault.delay(DELAY)], seed=0)
    began = time.perf_counter()
    asyncio.run(main())
    return time.perf_counter() - began


def check_requests_overlap(mock: MockStudio, base_url: str, patience: float = 30) -> float:
    """The 20 flows' requests overlap: the mock holds the first ones until all 20 are in at once.

    Counted, not timed: a client that sends one request at a time never has two in at once, so
    the gate opens only when ``patience`` runs out, and the check fails. Returns the run's wall
    time, for the figure only.
    """
    with held_together(mock, CONCURRENT_FLOWS, patience) as overlap:
        concurrent = timed_exports(mock, base_url, concurrent=True)
    assert not overlap.gave_up, (
        f"concurrent: at most {overlap.peak} of {CONCURRENT_FLOWS} requests at once"
    )
    assert overlap.peak >= CONCURRENT_FLOWS
    return concurrent


def test_async_exports_of_20_flows_run_concurrently(mock: MockStudio, server: str) -> None:
    concurrent = check_requests_overlap(mock, server)
    sequential = timed_exports(mock, server, concurrent=False)  # for the figure
    figure(
        f"load (AsyncStudioClient, {CONCURRENT_FLOWS} flows x 2 pages, {DELAY * 1000:.0f} ms "
        f"delay per request): sequential {sequential:.2f} s, concurrent {concurrent:.2f} s "
        f"({sequential / concurrent:.1f}x)"
    )


# -- the suite can fail -------------------------------------------------------------------------


def test_a_5xx_under_load_turns_the_load_check_red(
    mock: MockStudio, server: str, expected: dict[str, list[str]]
) -> None:
    mock.inject(Fault.server_error(503), after=CLIENTS)
    with pytest.raises(ServerError):
        check_threads(mock, server, expected)


def test_a_serialised_client_turns_the_concurrency_check_red(
    monkeypatch: pytest.MonkeyPatch, mock: MockStudio, server: str
) -> None:
    lock: dict[asyncio.AbstractEventLoop, asyncio.Lock] = {}
    original = AsyncStudioClient._get

    async def one_at_a_time(self: AsyncStudioClient, url: Any, model: str = "Page") -> Any:
        gate = lock.setdefault(asyncio.get_running_loop(), asyncio.Lock())
        async with gate:
            return await original(self, url, model)

    monkeypatch.setattr(AsyncStudioClient, "_get", one_at_a_time)
    with pytest.raises(AssertionError, match="concurrent: at most 1 of"):
        check_requests_overlap(mock, server, patience=1)


def test_a_dropped_record_turns_the_exactness_check_red(
    monkeypatch: pytest.MonkeyPatch, mock: MockStudio, server: str, expected: dict[str, list[str]]
) -> None:
    original = _retry.read_page

    def lossy(answer: Any, request: Any, model: str = "Page") -> Any:
        page = original(answer, request, model)
        return type(page)(page.engagements[1:], page.meta)

    monkeypatch.setattr(_retry, "read_page", lossy)
    with pytest.raises(AssertionError, match="not exact"):
        check_tasks(mock, server, expected)
