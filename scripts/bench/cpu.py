"""Question: CPU of each client in this process, per 100,000 engagements, both shapes."""

from __future__ import annotations

import gc
import time
from typing import TYPE_CHECKING

from .clients import RUNNERS
from .common import PAGE_SIZE, SHAPES, flow_sid, interleaved
from .report import Section, table

if TYPE_CHECKING:
    from .__main__ import Bench

PER = 100_000
LABELS = {
    "floor": "floor: httpx + json.loads",
    "typed_stream": "StudioClient.engagements.stream",
    "async_stream": "AsyncStudioClient.engagements.stream",
    "typed_stream_json": "StudioClient.engagements.stream (json fallback)",
    "twilio_stream": "twilio engagements.stream",
}


def run(bench: Bench) -> Section:
    """Interleaved in-process runs of every client on the same pages, per shape."""
    origin = bench.server.origin
    names = [name for name in LABELS if name != "twilio_stream" or bench.twilio]
    rows = []
    for shape in SHAPES:
        pages = bench.sizes.cpu_pages[shape]
        flow, expected = flow_sid(shape, pages), pages * PAGE_SIZE
        for name in names:  # warm up: imports, first connections
            RUNNERS[name](origin, flow_sid(shape, 1), None)

        def measure(name: str, flow: str = flow, expected: int = expected) -> tuple[float, float]:
            gc.collect()
            wall, cpu = time.perf_counter(), time.process_time()
            count = RUNNERS[name](origin, flow, None)
            if count != expected:
                raise SystemExit(f"bench: {name} read {count} engagements, not {expected}")
            return time.process_time() - cpu, time.perf_counter() - wall

        result = interleaved(names, bench.sizes.repeat, measure)
        scale = PER / expected
        base_cpu, base_wall = result["floor"]
        for name, (cpu, wall) in result.items():
            rows.append(
                [LABELS[name], shape, f"{cpu * scale:.3f}", f"{cpu / base_cpu:.2f}x",
                 f"{wall * scale:.3f}", f"{wall / base_wall:.2f}x"]
            )  # fmt: skip
    lines = [
        f"Every client in one process, reading the same pages of {PAGE_SIZE:,} engagements from "
        f"the page server (another process); median of {bench.sizes.repeat} interleaved runs, "
        f"seconds per {PER:,} engagements. Pages: {page_sizes(bench)}.",
        "",
        *table(["client", "records", "CPU s", "CPU vs floor", "wall s", "wall vs floor"], rows),
    ]
    return Section("CPU in one process", lines)


def page_sizes(bench: Bench) -> str:
    """The mean bytes of a page of each shape, in words."""
    return ", ".join(
        f"{shape} ~{size:,} bytes (~{size // PAGE_SIZE:,} a record)"
        for shape, size in bench.server.page_bytes.items()
    )
