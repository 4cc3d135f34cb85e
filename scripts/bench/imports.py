"""Question: what ``import studio_engagements`` costs beyond ``import httpx``."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

from .report import Section, Target

if TYPE_CHECKING:
    from .__main__ import Bench

BUDGET_MS = 25.0  # import studio_engagements at most this much over import httpx


def import_us(module: str, after: str | None = None) -> int:
    """Cumulative microseconds of ``import module`` in a fresh interpreter (-X importtime),
    ``after`` importing ``after`` there (whose modules it then finds loaded)."""
    code = f"import {after}; import {module}" if after else f"import {module}"
    command = [sys.executable, "-X", "importtime", "-c", code]
    stderr = subprocess.run(command, capture_output=True, text=True, check=True).stderr
    for line in stderr.splitlines():
        fields = [field.strip() for field in line.removeprefix("import time:").split("|")]
        if len(fields) == 3 and fields[2] == module:
            return int(fields[1])
    raise SystemExit(f"bench: no import time line for {module}:\n{stderr}")


def run(bench: Bench) -> Section:
    """The fastest of interleaved fresh interpreters (the least disturbed by other load).

    The cost beyond httpx is measured in one process, after ``import httpx`` (a difference of two
    processes' times would add both their noise); the two whole imports are shown besides.
    """
    samples: dict[str, list[int]] = {"studio_engagements": [], "httpx": [], "beyond": []}
    for _ in range(bench.sizes.import_runs):
        samples["studio_engagements"].append(import_us("studio_engagements"))
        samples["httpx"].append(import_us("httpx"))
        samples["beyond"].append(import_us("studio_engagements", after="httpx"))
    ours, httpx, beyond = (min(samples[m]) / 1000 for m in samples)
    line = (
        f"`python -X importtime`, fastest of {bench.sizes.import_runs} fresh processes each: "
        f"`import studio_engagements` {ours:.1f} ms, `import httpx` {httpx:.1f} ms; "
        f"`import studio_engagements` after `import httpx` in one process {beyond:.1f} ms."
    )
    target = Target("import studio_engagements over import httpx", beyond, BUDGET_MS, unit=" ms")
    return Section("Import time", [line], [target])
