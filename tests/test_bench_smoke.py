"""The benchmark package runs end to end at its tiny size and prints every section and target
(no timing asserts: the figures are the bench's, not the tests')."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .helpers import ROOT


def test_bench_runs_at_a_tiny_size_and_prints_the_report(tmp_path: Path) -> None:
    output = tmp_path / "BENCHMARKS.md"
    env = dict(os.environ, PYTHONPATH=str(ROOT / "scripts"))
    result = subprocess.run(
        [sys.executable, "-m", "bench", "--small", f"--output={output}"],
        capture_output=True,
        text=True,
        timeout=240,
        env=env,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stderr
    for line in (
        "## Targets",
        "| typed stream CPU vs floor, small records | ",
        "| typed stream CPU vs floor, studio records | ",
        "| CLI jsonl export CPU vs naive script, Studio-shaped | ",
        "| per-request CPU, StudioClient vs httpx.Client | ",
        "| import studio_engagements over import httpx | ",
        "| floor: httpx + json.loads | studio | ",
        "| StudioClient.engagements.stream | small | ",
        "## Memory",
        "## Over a 100 ms link",
        "| latency export, 1,000: requests | 1.00 | <= 1 | met |",
        "## Archiving over a 100 ms link",
        "| archive of 40 with steps, --concurrency 16: wall of the ideal | ",
        "| per-request CPU, steps list, StudioClient vs httpx.Client | ",
        "## Archive memory",
        "| archive --steps peak RSS, 200 vs 100 engagements | ",
        "| archive CPU vs naive script, with steps, --concurrency 1 | ",
        "| archive CPU vs naive script, without steps, --concurrency 4 | ",
        "| leanest archive (floor) | with steps | 1 | ",
        "| leanest archive (floor) | without steps | 1 | ",
        "| steps.stream CPU vs floor, one page per engagement | ",
        "## CLI start-up",
        "## Archive update",
        "| archive update of 2,000 + 20: requests (limit: pages to the cutoff + 1 + ListFlow) | ",
    ):
        assert line in result.stdout, line
    written = output.read_text(encoding="utf-8")
    assert written.startswith("# Benchmarks")
    assert "| floor: httpx + json.loads | small | " in written
    assert "Python 3." in written


def test_the_leanest_archive_keeps_the_archives_json_columns(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The floor keeps as JSON text exactly the columns the archive does: its rule is written
    apart, so that the floor need not import the CLI, and must not drift from the archive's."""
    monkeypatch.syspath_prepend(str(ROOT / "scripts"))
    from bench.lean_archive import json_columns

    from studio_engagements import Engagement, Step
    from studio_engagements.cli._archive_store import EXTRA
    from studio_engagements.cli._archive_store import json_columns as archive_json_columns

    assert json_columns(Engagement) == archive_json_columns("engagements") - {EXTRA}
    assert json_columns(Step) == archive_json_columns("steps") - {EXTRA}
    assert {"context", "links"} <= json_columns(Step)
