"""Question: CPU of whole processes (interpreter start and imports included), both shapes."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .common import PAGE_SIZE, SHAPES, flow_sid, interleaved, module_command, run_child
from .cpu import LABELS, page_sizes
from .report import Section, Target, table

if TYPE_CHECKING:
    from .__main__ import Bench

NAMES = ("floor", "typed_stream", "typed_stream_json", "twilio_stream")
# The targets per shape: typed stream CPU at most this times the floor's, and twilio's CPU at
# least this times the typed stream's.
OF_FLOOR = {"small": 0.8, "studio": 0.6}
TWILIO_OVER_OURS = {"small": 3.0, "studio": 2.5}


def run(bench: Bench) -> Section:
    """Each client as ``python -m bench.clients``; medians of interleaved runs."""
    names = [name for name in NAMES if name != "twilio_stream" or bench.twilio]
    rows, targets = [], []
    for shape in SHAPES:
        pages = bench.sizes.process_pages[shape]
        flow, expected = flow_sid(shape, pages), pages * PAGE_SIZE

        def measure(name: str, flow: str = flow, expected: int = expected) -> tuple[float, float]:
            done = run_child(module_command("clients", name, bench.server.origin, flow))
            if int(done.stdout) != expected:
                raise SystemExit(f"bench: {name} read {done.stdout.strip()}, not {expected}")
            return done.cpu, done.wall

        result = interleaved(names, bench.sizes.repeat, measure)
        floor, ours = result["floor"][0], result["typed_stream"][0]
        for name, (cpu, wall) in result.items():
            label = LABELS[name] + (f" {bench.twilio}" if name == "twilio_stream" else "")
            rows.append([label, shape, f"{cpu:.3f}", f"{cpu / floor:.2f}x", f"{wall:.3f}"])
        targets.append(Target(f"typed stream CPU vs floor, {shape} records", ours / floor,
                              OF_FLOOR[shape]))  # fmt: skip
        if "twilio_stream" in result:
            speedup = result["twilio_stream"][0] / ours
            targets.append(Target(f"typed stream vs twilio (twilio CPU / ours), {shape} records",
                                  speedup, TWILIO_OVER_OURS[shape], at_least=True))  # fmt: skip
    lines = [
        "Each client in its own `python` process (start and imports included, default install: "
        f"msgspec), CPU (user + system) of that process; {bench.sizes.process_pages['small']} "
        f"pages of small records, {bench.sizes.process_pages['studio']} of Studio-shaped ones, "
        f"{PAGE_SIZE:,} a page; median of {bench.sizes.repeat} interleaved runs. "
        f"Pages: {page_sizes(bench)}.",
        "",
        *table(["client", "records", "CPU s", "CPU vs floor", "wall s"], rows),
    ]
    if bench.twilio is None:
        lines.append("\ntwilio is not installed (`nox -s bench` installs it): no twilio rows.")
    return Section("Whole processes", lines, targets)
