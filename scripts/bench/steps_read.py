"""Question: CPU of reading steps, one ListStep page per engagement: ``client.steps.stream``
against the floor (httpx + json.loads of the same pages) and against the ``twilio`` package."""

from __future__ import annotations

import gc
import json
import time
from collections.abc import Callable
from typing import TYPE_CHECKING

from .clients import twilio_client
from .common import ACCOUNT_SID, AUTH_TOKEN, AUTHORIZATION, flow_sid, interleaved
from .report import Section, Target, table
from .server import STEPS_PER_ENGAGEMENT

if TYPE_CHECKING:
    from .__main__ import Bench

OF_FLOOR = 1.0
TWILIO_OVER_OURS = 2.0
FLOW = flow_sid("studio", 1)


def engagement_sids(count: int) -> list[str]:
    return [f"FN{index:032x}" for index in range(count)]


def floor(origin: str, engagements: list[str]) -> int:
    """httpx.Client + json.loads of each engagement's steps pages, touching each step."""
    import httpx

    count = 0
    headers = {"Authorization": AUTHORIZATION, "Accept": "application/json"}
    with httpx.Client(headers=headers) as http:
        for engagement in engagements:
            url: str | None = (
                f"{origin}/v1/Flows/{FLOW}/Engagements/{engagement}/Steps?PageSize=1000"
            )
            while url is not None:
                body = json.loads(http.get(url).content)
                for step in body["steps"]:
                    _ = step["sid"], step["name"], step["date_created"]
                    count += 1
                url = body["meta"]["next_page_url"]
    return count


def ours(origin: str, engagements: list[str]) -> int:
    """StudioClient.steps.stream(flow, engagement): typed Steps, dates as datetime."""
    from studio_engagements import StudioClient

    count = 0
    with StudioClient(ACCOUNT_SID, AUTH_TOKEN, base_url=origin) as client:
        for engagement in engagements:
            for step in client.steps.stream(FLOW, engagement):
                _ = step.sid, step.name, step.date_created
                count += 1
    return count


def twilio(origin: str, engagements: list[str]) -> int:
    """``Client().studio.v1.flows(F).engagements(E).steps.stream()``."""
    client = twilio_client(origin, ACCOUNT_SID, AUTH_TOKEN)
    flow = client.studio.v1.flows(FLOW)
    count = 0
    for engagement in engagements:
        for step in flow.engagements(engagement).steps.stream():
            _ = step.sid, step.name, step.date_created
            count += 1
    client.http_client.session.close()
    return count


READERS: dict[str, Callable[[str, list[str]], int]] = {
    "httpx + json.loads (floor)": floor,
    "StudioClient.steps.stream": ours,
    "twilio steps.stream": twilio,
}


def run(bench: Bench) -> Section:
    """Interleaved in-process runs of each reader over the same engagements' steps."""
    names = [name for name in READERS if bench.twilio or not name.startswith("twilio")]
    origin, engagements = bench.server.origin, engagement_sids(bench.sizes.steps_engagements)
    for name in names:  # warm up: imports, first connections
        READERS[name](origin, engagements[:5])

    def measure(name: str) -> tuple[float, float]:
        gc.collect()
        wall, cpu = time.perf_counter(), time.process_time()
        count = READERS[name](origin, engagements)
        if count != len(engagements) * STEPS_PER_ENGAGEMENT:
            raise SystemExit(f"bench: {name} read {count} steps")
        return time.process_time() - cpu, time.perf_counter() - wall

    result = interleaved(names, bench.sizes.repeat, measure)
    base = result["httpx + json.loads (floor)"][0]
    per = len(engagements)
    rows = []
    for name, (cpu, wall) in result.items():
        label = f"{name} {bench.twilio}" if name.startswith("twilio") else name
        rows.append([label, f"{cpu / per * 1e6:.0f}", f"{cpu / base:.2f}x",
                     f"{wall / per * 1e6:.0f}"])  # fmt: skip
    ours_cpu = result["StudioClient.steps.stream"][0]
    targets = [Target("steps.stream CPU vs floor, one page per engagement", ours_cpu / base,
                      OF_FLOOR)]  # fmt: skip
    if "twilio steps.stream" in result:
        targets.append(Target("steps.stream vs twilio (twilio CPU / ours)",
                              result["twilio steps.stream"][0] / ours_cpu, TWILIO_OVER_OURS,
                              at_least=True))  # fmt: skip
    lines = [
        f"The steps of {per:,} engagements, one ListStep page of {STEPS_PER_ENGAGEMENT} "
        "Studio-shaped steps each, from the page server on one keep-alive connection, each reader "
        f"in this process; median of {bench.sizes.repeat} interleaved runs, per engagement:",
        "",
        *table(["reader", "CPU µs", "CPU vs floor", "wall µs"], rows),
    ]
    if bench.twilio is None:
        lines.append("\ntwilio is not installed (`nox -s bench` installs it): no twilio row.")
    return Section("Reading steps", lines, targets)
