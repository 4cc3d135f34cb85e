"""Fuzzing depth: `nox -s fuzz` (scripts/fuzz.py) sends >= 5,000 schemathesis cases.

The full run takes about four minutes on two cores, so the default test run checks the depth it
is configured for and that its gate fails a run that falls short, with the figures printed; the
findings side ("schemathesis with every check finds nothing, and finds a broken mock") is
tests/test_fuzz_mock.py's ``test_fuzz_suite_can_fail``.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from .helpers import ROOT

SCRIPT = ROOT / "scripts" / "fuzz.py"


def fuzz_script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("fuzz_script", SCRIPT)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_default_depth_is_at_least_5000_cases(spec: dict[str, Any]) -> None:
    args = fuzz_script().arguments([])
    operations = [
        op for item in spec["paths"].values() for op in item.values() if "responses" in op
    ]
    assert args.min_cases >= 5000
    # The fuzzing phase alone sends up to max_examples cases per operation.
    assert args.max_examples * len(operations) >= args.min_cases


def test_the_nox_session_runs_the_script_with_its_defaults() -> None:
    noxfile = (ROOT / "noxfile.py").read_text(encoding="utf-8")
    session = noxfile.split("def fuzz(", 1)[1].split("\n@nox.session", 1)[0]
    assert '"scripts/fuzz.py", *session.posargs' in session


def test_a_run_short_of_its_floor_fails_and_prints_its_figures(tmp_path: Path) -> None:
    """The gate can fail: 3 examples per phase cannot make 100,000 cases."""
    result = subprocess.run(
        [
            sys.executable,
            str(SCRIPT),
            "--max-examples",
            "3",
            "--min-cases",
            "100000",
            "--report-dir",
            str(tmp_path),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "fewer than 100000" in result.stderr
    assert "test cases generated and sent" in result.stdout
    assert "cases/s" in result.stdout
    assert (tmp_path / "fuzz-junit.xml").exists()
