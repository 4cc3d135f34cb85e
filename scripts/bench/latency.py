"""Question: exporting over a slow link (100 ms a request): requests made and wall time."""

from __future__ import annotations

import math
import time
from typing import TYPE_CHECKING

from .clients import twilio_client
from .common import PAGE_SIZE, interleaved
from .report import Section, Target, table

if TYPE_CHECKING:
    from .__main__ import Bench

LATENCY = 0.1  # seconds added to every request
SLACK = 0.005  # seconds a request the link may cost beyond its latency


def export(engagements: int, client: str, latency: float = LATENCY) -> tuple[int, float]:
    """Requests made and wall seconds to export a flow of the served mock, ``latency`` a request."""
    from studio_engagements import StudioClient
    from studio_engagements.testing import Fault, MockStudio

    flow = "FW" + "e" * 32
    mock = MockStudio(flows={flow: engagements}, seed=1)
    if latency:
        mock.inject(Fault.delay(latency), times=10 * engagements)
    count = 0
    with mock.serve() as origin:
        started = time.perf_counter()
        if client == "ours":
            with StudioClient(mock.account_sid, mock.auth_token, base_url=origin) as ours:
                count = sum(1 for _ in ours.engagements.stream(flow))
        else:
            theirs = twilio_client(origin, mock.account_sid, mock.auth_token)
            count = sum(1 for _ in theirs.studio.v1.flows(flow).engagements.stream())
            theirs.http_client.session.close()
        wall = time.perf_counter() - started
    if count != engagements:
        raise SystemExit(f"bench: the {client} export read {count}, not {engagements}")
    return len(mock.requests), wall


def run(bench: Bench) -> Section:
    """Ours at each size (the targets), twilio at one size, each client with its defaults."""
    runs = [("ours", size) for size in bench.sizes.latency_engagements]
    if bench.twilio:
        runs.append(("twilio", bench.sizes.twilio_latency_engagements))
    rows, targets = [], []
    for client, size in runs:
        if client == "ours":
            # Medians of interleaved runs: one export's wall time varies by some 10 % here.
            def measure(run: str, size: int = size) -> tuple[float, float]:
                return export(size, "ours", LATENCY if run == "delayed" else 0)

            medians = interleaved(["delayed", "local"], bench.sizes.repeat, measure)
            (requests, wall), local = medians["delayed"], medians["local"][1]
        else:
            requests, wall = export(size, client)
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
    lines = [
        f"Exporting a flow of the mock (Studio-shaped records) served on loopback with "
        f"{LATENCY * 1000:.0f} ms added to every request (`Fault.delay`), each client with its "
        f"defaults (ours: pages of {PAGE_SIZE:,}, median of {bench.sizes.repeat} runs interleaved "
        f"with the same export without the delay; twilio: the API's default of 50, one run):",
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
