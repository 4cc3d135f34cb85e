"""Question: the CLI's jsonl export against a naive httpx + json export script (CPU)."""

from __future__ import annotations

import itertools
import json
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .common import PAGE_SIZE, flow_sid, interleaved, module_command, run_child
from .report import Section, Target, table

if TYPE_CHECKING:
    from .__main__ import Bench

OF_NAIVE = 0.5


def cli_command(python: str, origin: str, flow: str, out: Path) -> list[str]:
    """``studio-engagements list FLOW --output OUT`` against the page server."""
    return [python, "-m", "studio_engagements", "list", flow, "--base-url", origin,
            "--output", str(out)]  # fmt: skip


def run(bench: Bench) -> Section:
    """Both exports of the same Studio-shaped flow in whole processes; the files compared."""
    pages = bench.sizes.export_pages
    flow, expected = flow_sid("studio", pages), pages * PAGE_SIZE
    with tempfile.TemporaryDirectory(prefix="bench-export-") as folder:
        runs = itertools.count()
        last: dict[str, Path] = {}

        def measure(name: str) -> tuple[float, float]:
            # A new file each run: the CLI skips an output that an earlier run completed.
            last[name] = out = Path(folder, f"{name}-{next(runs)}.jsonl")
            if name == "cli":
                command = cli_command(bench.cli_python, bench.server.origin, flow, out)
            else:
                command = module_command("clients", "naive_export", bench.server.origin, flow,
                                         str(out))  # fmt: skip
            done = run_child(command)
            return done.cpu, done.wall

        result = interleaved(["cli", "naive"], bench.sizes.repeat, measure)
        written = records(last["cli"])
        if written != records(last["naive"]) or len(written) != expected:
            raise SystemExit("bench: the two exports do not hold the same records")
    ratio = result["cli"][0] / result["naive"][0]
    rows = [
        ["`studio-engagements list FLOW --output FILE` (jsonl)", *figures(result["cli"])],
        ["naive script: httpx + json.loads + json.dumps", *figures(result["naive"])],
    ]
    lines = [
        f"Exporting {expected:,} Studio-shaped engagements ({pages} pages) to a jsonl file, each "
        f"in its own process (the CLI with the `cli` extra installed, the script with the default "
        f"install); median of {bench.sizes.repeat} interleaved runs. Both files hold the same "
        "records.",
        "",
        *table(["export", "CPU s", "wall s"], rows),
    ]
    target = Target("CLI jsonl export CPU vs naive script, Studio-shaped", ratio, OF_NAIVE)
    return Section("CLI export", lines, [target])


def figures(cpu_wall: tuple[float, float]) -> list[str]:
    return [f"{cpu_wall[0]:.3f}", f"{cpu_wall[1]:.3f}"]


def records(path: Path) -> list[object]:
    """The records a jsonl file holds, as values."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle]
