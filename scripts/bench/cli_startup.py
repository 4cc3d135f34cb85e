"""Question: how long ``studio-engagements --help`` takes against ``sqlite-utils --help``
(another click CLI over SQLite), both console scripts of the CLI's environment."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from .common import interleaved, run_child
from .report import Section, Target, table

if TYPE_CHECKING:
    from .__main__ import Bench

OF_SQLITE_UTILS = 1.2
SCRIPTS = ("studio-engagements", "sqlite-utils")


def run(bench: Bench) -> Section:
    """Medians of interleaved runs of each script's ``--help``."""
    folder = Path(bench.cli_python).parent
    found = [name for name in SCRIPTS if (folder / name).exists()]
    if SCRIPTS[0] not in found:
        raise SystemExit(f"bench: no {SCRIPTS[0]} script beside {bench.cli_python}")

    def measure(name: str) -> tuple[float, float]:
        done = run_child([str(folder / name), "--help"])
        return done.cpu, done.wall

    for name in found:  # warm up: the files in the page cache
        measure(name)
    result = interleaved(found, bench.sizes.startup_runs, measure)
    rows = [[f"`{name} --help`", f"{wall * 1000:.0f}", f"{cpu * 1000:.0f}"]
            for name, (cpu, wall) in result.items()]  # fmt: skip
    lines = [
        f"Wall time of each console script's `--help` in a fresh process (the CLI's environment), "
        f"median of {bench.sizes.startup_runs} interleaved runs:",
        "",
        *table(["command", "wall ms", "CPU ms"], rows),
    ]
    targets = []
    if SCRIPTS[1] in result:
        ratio = result[SCRIPTS[0]][1] / result[SCRIPTS[1]][1]
        targets.append(Target("studio-engagements --help wall vs sqlite-utils --help", ratio,
                              OF_SQLITE_UTILS))  # fmt: skip
    else:
        lines.append("\nsqlite-utils is not installed (`nox -s bench` installs it): no ratio.")
    return Section("CLI start-up", lines, targets)
