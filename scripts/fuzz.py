"""Fuzz the mock over real HTTP with the schemathesis CLI (`nox -s fuzz` runs this).

Serves ``MockStudio`` on loopback, runs ``st run`` against it with every check and the phases
examples, coverage and fuzzing on every operation of the spec, writes a JUnit report under
``reports/`` and prints how many test cases were sent, in how long, and the requests per
operation. Exits non-zero on any finding, or if fewer than ``--min-cases`` cases ran (default
5,000; the default depth sends about 7,300 over the seven operations, in about four minutes).
Settings shared with the pytest suite (seed, security parameters) are in ``schemathesis.toml``.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from studio_engagements.testing import MockStudio

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "openapi" / "studio_v1_engagements.yaml"
HOOKS = ROOT / "tests" / "fuzz_hooks.py"
CASES = re.compile(r"^\s*(\d+) generated\b", re.MULTILINE)


def arguments(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line: depth (``--max-examples``), the floor (``--min-cases``), reports."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--max-examples", type=int, default=1000, help="per operation and phase (default 1000)"
    )
    parser.add_argument("--min-cases", type=int, default=5000, help="fail below (default 5000)")
    parser.add_argument("--report-dir", type=Path, default=ROOT / "reports")
    return parser.parse_args(argv)


def main() -> int:
    """Run the fuzz session; the exit code is schemathesis', or 1 if too few cases ran."""
    args = arguments()
    # The st next to this interpreter (the nox or dev venv), else the first on PATH.
    beside = Path(sys.executable).with_name("st")
    st = str(beside) if beside.exists() else shutil.which("st")
    if st is None:
        print("fuzz: the schemathesis CLI `st` is not installed", file=sys.stderr)
        return 2
    junit = args.report_dir / "fuzz-junit.xml"
    mock = MockStudio(seed=0)
    with mock.serve() as base_url:
        command = [
            st,
            "run",
            str(SPEC),
            "--url",
            base_url,
            "--auth",
            f"{mock.account_sid}:{mock.auth_token}",
            "--phases",
            "examples,coverage,fuzzing",
            "--checks",
            "all",
            "--max-examples",
            str(args.max_examples),
            # No example database: with the seed in schemathesis.toml, every run sends the same.
            "--generation-database",
            "none",
            "--report",
            "junit",
            "--report-junit-path",
            str(junit),
            "--no-color",
        ]
        print("fuzz: " + " ".join(command).replace(mock.auth_token, "[auth token]"), flush=True)
        # The hooks file drops the one failure that is not the API's: a made-up PageToken's 400.
        env = {**os.environ, "SCHEMATHESIS_HOOKS": str(HOOKS)}
        # Run from the root so that st finds schemathesis.toml.
        started = time.monotonic()
        process = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
        elapsed = time.monotonic() - started
        requests = len(mock.requests)
    sys.stdout.write(process.stdout)
    sys.stderr.write(process.stderr)
    found = CASES.findall(process.stdout)
    cases = int(found[-1]) if found else 0
    print(f"fuzz: {cases} test cases generated and sent ({requests} requests reached the mock)")
    kinds = Counter(f"{r.method} {r.user is not None}" for r in mock.requests)
    print(f"fuzz: {elapsed:.1f} s, {cases / max(elapsed, 1e-9):,.0f} cases/s")
    print(f"fuzz: requests by method and with credentials: {dict(sorted(kinds.items()))}")
    operations = mock.requests().count_by_operation()
    print(f"fuzz: requests by operation: {dict(sorted(operations.items(), key=str))}")
    print(f"fuzz: JUnit report {junit}")
    if process.returncode != 0:
        print(f"fuzz: schemathesis reported findings (exit {process.returncode})", file=sys.stderr)
        return process.returncode
    if cases < args.min_cases:
        print(f"fuzz: only {cases} cases, fewer than {args.min_cases}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
