"""``python -m bench [--small] [--output FILE]``: every question, the report, BENCHMARKS.md.

A full run takes a few minutes on two cores; ``--small`` is a quick run at tiny sizes that
writes nothing unless ``--output`` is given.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import warnings
from collections.abc import Callable
from pathlib import Path

from . import (
    archive,
    archive_cpu,
    archive_memory,
    archive_update,
    cli_startup,
    cpu,
    export,
    imports,
    latency,
    memory,
    overhead,
    processes,
    steps_read,
)
from .common import ROOT, twilio_version
from .report import Section, render, write
from .server import Server


@dataclasses.dataclass(frozen=True, slots=True)
class Sizes:
    """How much each question reads."""

    cpu_pages: dict[str, int]
    """Pages of PAGE_SIZE per in-process run, per shape."""
    process_pages: dict[str, int]
    """Pages per whole-process run, per shape."""
    repeat: int
    """Interleaved runs of each client; medians are reported."""
    export_pages: int
    memory_pages: int
    import_runs: int
    latency_engagements: tuple[int, ...]
    """Engagements of each export over a slow link (whole pages of PAGE_SIZE)."""
    latency_repeat: int
    """Interleaved runs of each export over a slow link: a run is cheap and its wall noisy."""
    twilio_latency_engagements: int
    requests: int
    """Sequential requests per run of the per-request overhead question."""
    archive_engagements: int
    """Engagements (with their steps) of the archive over a slow link."""
    archive_page_size: int
    """Engagements a page in the archive questions on the page server (CPU, memory)."""
    archive_cpu_pages: int
    archive_memory_pages: tuple[int, int]
    """Pages of the small and the large flow whose archives' peak RSS are compared."""
    steps_engagements: int
    """Engagements whose steps (one page each) a run of the steps question reads."""
    startup_runs: int
    update_engagements: int
    """Engagements of the flow archived whole before the update."""
    update_arrivals: int
    """Engagements that arrive before the update."""


FULL = Sizes(
    cpu_pages={"small": 20, "studio": 8},
    process_pages={"small": 100, "studio": 25},
    repeat=5,
    export_pages=50,
    memory_pages=100,
    import_runs=9,
    latency_engagements=(10_000, 50_000),
    latency_repeat=7,
    twilio_latency_engagements=2_000,
    requests=1_000,
    archive_engagements=2_000,
    archive_page_size=1_000,
    archive_cpu_pages=5,
    archive_memory_pages=(2, 16),
    steps_engagements=2_000,
    startup_runs=7,
    update_engagements=100_000,
    update_arrivals=1_000,
)
SMALL = Sizes(
    cpu_pages={"small": 2, "studio": 2},
    process_pages={"small": 2, "studio": 2},
    repeat=1,
    export_pages=2,
    memory_pages=4,
    import_runs=1,
    latency_engagements=(1_000,),
    latency_repeat=1,
    twilio_latency_engagements=100,
    requests=50,
    archive_engagements=40,
    archive_page_size=50,
    archive_cpu_pages=2,
    archive_memory_pages=(2, 4),
    steps_engagements=50,
    startup_runs=1,
    update_engagements=2_000,
    update_arrivals=20,
)


@dataclasses.dataclass(frozen=True, slots=True)
class Bench:
    """What a question gets: the sizes, the running page server, the twilio version if any."""

    sizes: Sizes
    server: Server
    twilio: str | None
    cli_python: str
    """The interpreter that runs the CLI (one with the ``cli`` extra)."""


QUESTIONS: list[Callable[[Bench], Section]] = [
    cpu.run,
    processes.run,
    export.run,
    memory.run,
    imports.run,
    latency.run,
    overhead.run,
    archive.run,
    archive_memory.run,
    archive_cpu.run,
    steps_read.run,
    cli_startup.run,
    archive_update.run,
]
"""Each question is a module with ``run(bench) -> Section``; a new question is one more here."""


def main(argv: list[str] | None = None) -> int:
    """Run every question, print the report, write it (unless ``--small``)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--small", action="store_true", help="a quick run at tiny sizes")
    parser.add_argument("--output", type=Path, help="default BENCHMARKS.md (none with --small)")
    parser.add_argument(
        "--cli-python",
        default=sys.executable,
        help="the python that runs studio-engagements (with the cli extra); default this one",
    )
    args = parser.parse_args(argv)
    output = args.output or (None if args.small else ROOT / "BENCHMARKS.md")
    warnings.filterwarnings("ignore", category=DeprecationWarning)
    server = Server()
    try:
        bench = Bench(SMALL if args.small else FULL, server, twilio_version(), args.cli_python)
        sections = []
        for question in QUESTIONS:
            sections.append(question(bench))
            print(f"bench: {sections[-1].title}: done", file=sys.stderr, flush=True)
    finally:
        server.close()
    text = render(sections)
    print(text)
    if output is not None:
        write(text, output)
        print(f"written to {output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
