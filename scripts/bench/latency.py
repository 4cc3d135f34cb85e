"""Question: exporting over a slow link (100 ms a request): requests made and wall time."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from .clients import twilio_client
from .common import ACCOUNT_SID, AUTH_TOKEN, PAGE_SIZE, flow_sid, interleaved
from .report import Section, Target, table
from .server import DEFAULT_PAGE_SIZE, Server

if TYPE_CHECKING:
    from .__main__ import Bench

LATENCY = 0.1  # seconds added to every request
SLACK = 0.005  # seconds a request the link may cost beyond its latency
TWILIO_PAGE_SIZE = DEFAULT_PAGE_SIZE  # twilio's stream asks for none: the API's default


def export(server: Server, engagements: int, client: str) -> tuple[int, float]:
    """Requests made and wall seconds to export a flow of ``server`` (Studio-shaped records)."""
    from studio_engagements import StudioClient

    before = server.requests()
    started = time.perf_counter()
    if client == "ours":
        flow = flow_sid("studio", engagements // PAGE_SIZE)
        with StudioClient(ACCOUNT_SID, AUTH_TOKEN, base_url=server.origin) as ours:
            count = sum(1 for _ in ours.engagements.stream(flow))
    else:
        flow = flow_sid("studio", engagements // TWILIO_PAGE_SIZE)
        theirs = twilio_client(server.origin, ACCOUNT_SID, AUTH_TOKEN)
        count = sum(1 for _ in theirs.studio.v1.flows(flow).engagements.stream())
        theirs.http_client.session.close()
    wall = time.perf_counter() - started
    if count != engagements:
        raise SystemExit(f"bench: the {client} export read {count}, not {engagements}")
    return server.requests() - before, wall


def run(bench: Bench) -> Section:
    """Ours at each size (the targets), twilio at one size, each client with its defaults."""
    slow = Server(delay=LATENCY)
    try:
        rows, targets = _rows(bench, slow)
    finally:
        slow.close()
    lines = [
        f"Exporting a flow of Studio-shaped records from the page server (pre-rendered pages, "
        f"its own process) answering every request {LATENCY * 1000:.0f} ms late, each client with "
        f"its defaults (ours: pages of {PAGE_SIZE:,}, median of {bench.sizes.latency_repeat} runs "
        f"interleaved with the same export from the page server without the delay; twilio: the "
        f"API's default of {TWILIO_PAGE_SIZE}, one run):",
        "",
        *table(
            [
                "engagements",
                "client",
                "requests",
                "wall s",
                "wall s a request",
                "beyond the same export with no delay, s a request",
            ],
            rows,
        ),
    ]
    return Section("Over a 100 ms link", lines, targets)


def _rows(bench: Bench, slow: Server) -> tuple[list[list[str]], list[Target]]:
    """The table's rows and the targets: ours against ``slow`` and the bench's own server."""
    runs = [("ours", size) for size in bench.sizes.latency_engagements]
    if bench.twilio:
        runs.append(("twilio", bench.sizes.twilio_latency_engagements))
    rows, targets = [], []
    for client, size in runs:
        if client == "ours":
            # Medians of interleaved runs: one export's wall time varies by some 10 % here.
            def measure(run: str, size: int = size) -> tuple[float, float]:
                return export(slow if run == "delayed" else bench.server, size, "ours")

            medians = interleaved(["delayed", "local"], bench.sizes.latency_repeat, measure)
            (requests, wall), local = medians["delayed"], medians["local"][1]
        else:
            requests, wall = export(slow, size, client)
        name = "StudioClient.engagements.stream" if client == "ours" else f"twilio {bench.twilio}"
        row = [f"{size:,}", name, f"{requests:,.0f}", f"{wall:.1f}", f"{wall / requests:.3f}", "-"]
        if client == "ours":
            beyond = (wall - local) / requests
            row[-1] = f"{beyond:.3f}"
            targets.append(Target(f"latency export, {size:,}: requests",
                                  requests, math.ceil(size / PAGE_SIZE), unit=""))  # fmt: skip
            targets.append(Target(f"latency export, {size:,}: wall s a request beyond the local "
                                  "export", beyond, LATENCY + SLACK, unit=" s"))  # fmt: skip
        rows.append(row)
    return rows, targets
