"""The benchmark script runs end to end at a tiny size and prints its table (no timing asserts)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .helpers import ROOT


def test_bench_runs_at_a_tiny_size_and_prints_the_table(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "bench.py"),
            "--small",
            "--pages=3",
            "--page-size=50",
            "--repeat=1",
            "--memory-engagements=200",
            "--import-runs=1",
            f"--output={output}",
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    for row in (
        "| client | CPU s | CPU vs floor | wall s | wall vs floor |",
        "| floor: httpx + json.loads | ",
        "| StudioClient.engagements.stream (",
        "| AsyncStudioClient.engagements.stream (",
        "Memory, streaming 200 engagements",
        "Import time",
        "Targets:",
    ):
        assert row in result.stdout
    written = output.read_text(encoding="utf-8")
    assert written.startswith("# Benchmarks")
    assert "| floor: httpx + json.loads | " in written
    assert "Python 3." in written
