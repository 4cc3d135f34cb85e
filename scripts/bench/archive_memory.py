"""Question: peak memory of ``studio-engagements archive FLOW --steps --concurrency 16``, a large
flow against a small one (whole processes; the page server in its own)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .archive_cpu import cli_command, counts
from .common import flow_sid, module_command, run_child
from .report import Section, Target, table

if TYPE_CHECKING:
    from .__main__ import Bench

CONCURRENCY = 16
FLAT = 1.3  # the large flow's peak RSS at most this times the small one's


def peak_kib(bench: Bench, pages: int, folder: str) -> tuple[int, float]:
    """Peak RSS (KiB) and wall seconds of one archive of ``pages`` pages, with steps."""
    size = bench.sizes.archive_page_size
    out = Path(folder, f"{pages}.sqlite")
    command = cli_command(bench.cli_python, bench.server.origin, flow_sid("studio", pages), out,
                          size, CONCURRENCY, steps=True)  # fmt: skip
    done = run_child(module_command("peak", *command))
    engagements, steps, _, _ = counts(out)
    if engagements != pages * size or steps == 0:
        raise SystemExit(f"bench: the archive holds {engagements} engagements, {steps} steps")
    return int(done.stdout.split()[-1]), done.wall


def run(bench: Bench) -> Section:
    """The small flow, then the large one, each in a fresh process."""
    size = bench.sizes.archive_page_size
    small, large = bench.sizes.archive_memory_pages
    with tempfile.TemporaryDirectory(prefix="bench-archive-memory-") as folder:
        found = {pages: peak_kib(bench, pages, folder) for pages in (small, large)}
    rows = [[f"{pages * size:,}", f"{pages * size:,}", f"{kib / 1024:.1f}", f"{wall:.1f}"]
            for pages, (kib, wall) in found.items()]  # fmt: skip
    ratio = found[large][0] / found[small][0]
    lines = [
        f"Peak resident memory of `studio-engagements archive FLOW --steps --concurrency "
        f"{CONCURRENCY}` (a whole process, started by a small parent that reads its `wait4` "
        f"peak) archiving Studio-shaped engagements from the page server, pages of {size:,}, "
        "one ListStep page of 4 steps per engagement, into a new SQLite file:",
        "",
        *table(["engagements", "ListStep requests", "peak RSS MiB", "wall s"], rows),
        "",
        f"{large * size:,} against {small * size:,}: {ratio:.2f}x.",
    ]
    target = Target(
        f"archive --steps peak RSS, {large * size:,} vs {small * size:,} engagements", ratio, FLAT
    )
    return Section("Archive memory", lines, [target])
