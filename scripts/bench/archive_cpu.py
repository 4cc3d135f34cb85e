"""Question: CPU of ``studio-engagements archive FLOW`` (with and without ``--steps``) against
the naive script doing the same requests into the same tables (``bench.naive_archive``), beside
the leanest archive the design allows (``bench.lean_archive``, at concurrency 1): the floor."""

from __future__ import annotations

import itertools
import sqlite3
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING

from .common import flow_sid, interleaved, module_command, run_child
from .report import Section, Target, table

if TYPE_CHECKING:
    from .__main__ import Bench

OF_NAIVE = {True: 0.7, False: 0.5}  # by --steps: the CLI's CPU at most this times the script's
CONCURRENCIES = (1, 4)  # 4: the CLI's default
LABELS = {
    "cli": "`studio-engagements archive`",
    "naive": "naive script",
    "lean": "leanest archive (floor)",
}


def cli_command(
    python: str, origin: str, flow: str, out: Path, page_size: int, concurrency: int, steps: bool
) -> list[str]:
    """``studio-engagements archive FLOW`` into a new file ``out``."""
    return [python, "-m", "studio_engagements", "archive", flow, "--base-url", origin,
            "--output", str(out), "--page-size", str(page_size), "--concurrency",
            str(concurrency), "--quiet", *(["--steps"] if steps else [])]  # fmt: skip


def counts(path: Path) -> tuple[int, int, list[str], list[str]]:
    """Engagements and steps an archive holds, and the columns of both tables."""
    with sqlite3.connect(path) as db:
        (engagements,) = db.execute("SELECT COUNT(*) FROM engagements").fetchone()
        (steps,) = db.execute("SELECT COUNT(*) FROM steps").fetchone()
        names = [
            [info[1] for info in db.execute(f"PRAGMA table_info({table})")]
            for table in ("engagements", "steps")
        ]
    db.close()
    return engagements, steps, names[0], names[1]


def run(bench: Bench) -> Section:
    """Each archive of the same flow, each way, in whole processes; medians of interleaved runs."""
    pages, size = bench.sizes.archive_cpu_pages, bench.sizes.archive_page_size
    flow, engagements = flow_sid("studio", pages), pages * size
    rows, targets = [], []
    with tempfile.TemporaryDirectory(prefix="bench-archive-cpu-") as folder:
        runs = itertools.count()
        for steps, concurrency in itertools.product((True, False), CONCURRENCIES):
            last: dict[str, Path] = {}

            def measure(
                name: str,
                steps: bool = steps,
                concurrency: int = concurrency,
                last: dict[str, Path] = last,
            ) -> tuple[float, float]:
                out = Path(folder, f"{name}-{next(runs)}.sqlite")  # a new archive every run
                if name == "cli":
                    command = cli_command(bench.cli_python, bench.server.origin, flow, out, size,
                                          concurrency, steps)  # fmt: skip
                elif name == "lean":  # in the CLI's environment: it imports what the CLI must
                    command = [bench.cli_python, "-m", "bench.lean_archive",
                               bench.server.origin, flow, str(out), str(size),
                               *(["--steps"] if steps else [])]  # fmt: skip
                else:
                    command = module_command(
                        "naive_archive", bench.server.origin, flow, str(out), str(size),
                        str(concurrency), *(["--steps"] if steps else []),
                    )  # fmt: skip
                done = run_child(command)
                if name in last:
                    last[name].unlink()
                last[name] = out
                return done.cpu, done.wall

            names = ["cli", "naive", *(["lean"] if concurrency == 1 else [])]
            result = interleaved(names, bench.sizes.repeat, measure)
            ours = counts(last["cli"])
            if ours[0] != engagements:
                raise SystemExit(f"bench: the archive holds {ours[0]} engagements")
            for name in names[1:]:
                theirs = counts(last[name])
                if theirs[:2] != ours[:2]:
                    raise SystemExit(f"bench: the archives differ: CLI {ours[:2]}, {name} "
                                     f"{theirs[:2]}")  # fmt: skip
                if (ours[2], ours[3]) != (theirs[2], theirs[3]):
                    raise SystemExit(f"bench: the {name} script's columns are not the archive's")
            ratio = result["cli"][0] / result["naive"][0]
            what = "with steps" if steps else "without steps"
            for name, (cpu, wall) in result.items():
                label = LABELS[name]
                rows.append([label, what, str(concurrency), f"{cpu:.3f}", f"{wall:.3f}",
                             f"{cpu / result['naive'][0]:.2f}x"])  # fmt: skip
            targets.append(Target(f"archive CPU vs naive script, {what}, --concurrency "
                                  f"{concurrency}", ratio, OF_NAIVE[steps]))  # fmt: skip
    lines = [
        f"Archiving a flow of {engagements:,} Studio-shaped engagements ({pages} pages of {size:,}"
        "; with steps, one ListStep page of 4 steps per engagement) from the page server into a "
        "new SQLite file, each run a whole process: the CLI (`archive FLOW [--steps] "
        "--concurrency N`, the `cli` extra installed) and `python -m bench.naive_archive` "
        "(httpx.Client + json.loads + sqlite3 executemany into the same columns, one commit a "
        "page, the steps of a page on N threads; its pages one after another, as a chain of pages "
        "is read); CPU is user + system of the process, median of "
        f"{bench.sizes.repeat} interleaved runs. Every archive holds the same rows. At "
        "concurrency 1, `python -m bench.lean_archive` (in the CLI's environment) is the floor: "
        "the same requests and rows through httpcore's pool (what the client sends through), "
        "msgspec reading each page once, JSON columns kept as sent, executemany; no checks, "
        "deadline, cap, engine, history or indexes. No archive of this design costs less.",
        "",
        *table(["archive", "records", "concurrency", "CPU s", "wall s", "CPU vs script"], rows),
    ]
    return Section("Archive CPU", lines, targets)
