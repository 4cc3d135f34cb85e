"""Question: the per-request overhead of StudioClient against a plain httpx.Client.

Many sequential requests on a keep-alive loopback connection, for a one-record page of
engagements and for an engagement's steps (a page of four); the CPU of this process per request
(the page server runs in another process).
"""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .common import ACCOUNT_SID, AUTH_TOKEN, AUTHORIZATION, flow_sid, interleaved
from .report import Section, Target, table

if TYPE_CHECKING:
    from .__main__ import Bench

OF_HTTPX = 1.0
ENGAGEMENT = "FN" + "d" * 32


def plain(origin: str, flow: str, requests: int) -> None:
    """httpx.Client: GET the first page of one record and json.loads it, ``requests`` times."""
    import httpx

    headers = {"Authorization": AUTHORIZATION, "Accept": "application/json"}
    url = f"{origin}/v1/Flows/{flow}/Engagements?PageSize=1"
    with httpx.Client(headers=headers) as http:
        for _ in range(requests):
            sid = json.loads(http.get(url).content)["engagements"][0]["sid"]
    assert sid


def ours(origin: str, flow: str, requests: int) -> None:
    """StudioClient.engagements.page(flow, page_size=1), ``requests`` times."""
    from studio_engagements import StudioClient

    with StudioClient(ACCOUNT_SID, AUTH_TOKEN, base_url=origin) as client:
        for _ in range(requests):
            sid = client.engagements.page(flow, page_size=1).engagements[0].sid
    assert sid


def plain_steps(origin: str, flow: str, requests: int) -> None:
    """httpx.Client: GET an engagement's steps and json.loads them, ``requests`` times."""
    import httpx

    headers = {"Authorization": AUTHORIZATION, "Accept": "application/json"}
    url = f"{origin}/v1/Flows/{flow}/Engagements/{ENGAGEMENT}/Steps?PageSize=1000"
    with httpx.Client(headers=headers) as http:
        for _ in range(requests):
            sid = json.loads(http.get(url).content)["steps"][0]["sid"]
    assert sid


def ours_steps(origin: str, flow: str, requests: int) -> None:
    """StudioClient.steps.list(flow, engagement), ``requests`` times (what the archive asks)."""
    from studio_engagements import StudioClient

    with StudioClient(ACCOUNT_SID, AUTH_TOKEN, base_url=origin) as client:
        for _ in range(requests):
            sid = client.steps.list(flow, ENGAGEMENT)[0].sid
    assert sid


CLIENTS: dict[str, Callable[[str, str, int], None]] = {
    "httpx.Client + json.loads": plain,
    "StudioClient.engagements.page": ours,
    "httpx.Client + json.loads, steps": plain_steps,
    "StudioClient.steps.list": ours_steps,
}


def run(bench: Bench) -> Section:
    """Interleaved runs of both clients; CPU and wall microseconds per request."""
    origin, flow, count = bench.server.origin, flow_sid("small", 1), bench.sizes.requests
    for client in CLIENTS.values():
        client(origin, flow, 5)  # warm up: imports

    def measure(name: str) -> tuple[float, float]:
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        CLIENTS[name](origin, flow, count)
        return (time.process_time() - cpu) / count, (time.perf_counter() - wall) / count

    result = interleaved(list(CLIENTS), bench.sizes.repeat, measure)
    rows = [[name, f"{cpu * 1e6:.0f}", f"{wall * 1e6:.0f}"] for name, (cpu, wall) in result.items()]
    ratio = result["StudioClient.engagements.page"][0] / result["httpx.Client + json.loads"][0]
    steps = result["StudioClient.steps.list"][0] / result["httpx.Client + json.loads, steps"][0]
    lines = [
        f"{count:,} sequential requests for a page of one engagement, and as many for an "
        "engagement's steps (one page of four Studio-shaped steps), on one keep-alive loopback "
        f"connection, median of {bench.sizes.repeat} interleaved runs, per request:",
        "",
        *table(["client", "CPU µs", "wall µs"], rows),
    ]
    targets = [
        Target("per-request CPU, StudioClient vs httpx.Client", ratio, OF_HTTPX),
        Target("per-request CPU, steps list, StudioClient vs httpx.Client", steps, OF_HTTPX),
    ]
    return Section("Per-request overhead", lines, targets)
