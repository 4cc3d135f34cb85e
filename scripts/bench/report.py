"""The report: each question's section (a table and notes) and one table of every target."""

from __future__ import annotations

import dataclasses
import os
import platform
from collections.abc import Sequence
from importlib import metadata
from pathlib import Path


@dataclasses.dataclass(frozen=True, slots=True)
class Target:
    """One figure against its target: ``value`` must be at most (or at least) ``limit``."""

    name: str
    value: float
    limit: float
    at_least: bool = False
    unit: str = "x"

    @property
    def met(self) -> bool:
        return self.value >= self.limit if self.at_least else self.value <= self.limit

    def row(self) -> str:
        sign = ">=" if self.at_least else "<="
        return (
            f"| {self.name} | {self.value:.2f}{self.unit} | {sign} {self.limit:g}{self.unit} "
            f"| {'met' if self.met else 'MISSED'} |"
        )


@dataclasses.dataclass(frozen=True, slots=True)
class Section:
    """What one question found: a title, Markdown lines, and the targets it checks."""

    title: str
    lines: Sequence[str]
    targets: Sequence[Target] = ()


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    """A Markdown table; columns after the first are right-aligned."""
    align = ["---"] + ["---:"] * (len(header) - 1)
    return [
        "| " + " | ".join(header) + " |",
        "| " + " | ".join(align) + " |",
        *("| " + " | ".join(row) + " |" for row in rows),
    ]


def render(sections: Sequence[Section]) -> str:
    """The whole report: the machine, the targets table, then every section."""
    targets = [target for section in sections for target in section.targets]
    lines = [environment(), "", "## Targets", ""]
    lines += ["| target | measured | target | |", "|---|---:|---:|---|"]
    lines += [target.row() for target in targets]
    for section in sections:
        lines += ["", f"## {section.title}", "", *section.lines]
    return "\n".join(lines) + "\n"


def write(text: str, output: Path) -> None:
    """BENCHMARKS.md: a title, how it was made, then the report."""
    output.write_text(
        "# Benchmarks\n\n"
        "Made by `nox -s bench` (`scripts/bench/`); a run on one machine, not a promise. "
        "Ratios compare runs of the same run, interleaved.\n\n" + text,
        encoding="utf-8",
    )


def environment() -> str:
    """The machine and versions a run was made on."""
    names = ("twilio-studio-engagements", "httpx", "attrs", "msgspec", "twilio")
    versions = ", ".join(f"{name} {metadata.version(name)}" for name in names if _installed(name))
    return (
        f"Machine: {cpu_model()}; Python {platform.python_version()} "
        f"({platform.python_implementation()}, {platform.system()}); {versions}."
    )


def cpu_model() -> str:
    """The CPU's model name and the number of cores."""
    name = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                name = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return f"{name}, {os.cpu_count()} cores"


def _installed(name: str) -> bool:
    try:
        metadata.version(name)
    except metadata.PackageNotFoundError:
        return False
    return True
