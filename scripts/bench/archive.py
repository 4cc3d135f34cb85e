"""Question: archiving engagements with their steps over a slow link (100 ms a request)."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

from .report import Section, Target, table

if TYPE_CHECKING:
    from .__main__ import Bench

LATENCY = 0.1  # seconds added to every request
CONCURRENCY = 16  # the CLI's most
OF_IDEAL = 1.15  # the wall time may be this much of (requests / concurrency) x latency


def archive(python: str, engagements: int) -> tuple[int, int, float]:
    """Steps archived, requests made and wall seconds of ``studio-engagements archive --steps``
    of one flow of the served mock, ``LATENCY`` added to every request."""
    from studio_engagements.testing import Fault, MockStudio

    flow = "FW" + "a" * 32
    mock = MockStudio(flows={flow: engagements}, seed=2)
    mock.inject(Fault.delay(LATENCY), times=100 * engagements)
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(TWILIO_ACCOUNT_SID=mock.account_sid, TWILIO_AUTH_TOKEN=mock.auth_token)
    with mock.serve() as origin, tempfile.TemporaryDirectory(prefix="bench-archive-") as folder:
        out = Path(folder, "archive.sqlite")
        command = [python, "-m", "studio_engagements", "archive", flow, "--steps", "--concurrency",
                   str(CONCURRENCY), "--base-url", origin, "--output", str(out)]  # fmt: skip
        started = time.perf_counter()
        done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        wall = time.perf_counter() - started
        if done.returncode != 0:
            raise SystemExit(f"bench: the archive failed: {done.stderr[-500:]}")
        with sqlite3.connect(out) as db:
            (archived,) = db.execute("SELECT COUNT(*) FROM engagements").fetchone()
            (steps,) = db.execute("SELECT COUNT(*) FROM steps").fetchone()
    if archived != engagements:
        raise SystemExit(f"bench: the archive holds {archived} engagements, not {engagements}")
    return steps, len(mock.requests), wall


def run(bench: Bench) -> Section:
    """One archive at the question's size, against its ideal wall time."""
    engagements = bench.sizes.archive_engagements
    steps, requests, wall = archive(bench.cli_python, engagements)
    ideal = requests / CONCURRENCY * LATENCY
    rows = [[f"{engagements:,}", f"{steps:,}", f"{requests:,}", f"{ideal:.1f}", f"{wall:.1f}",
             f"{wall / ideal:.2f}"]]  # fmt: skip
    lines = [
        f"`studio-engagements archive FLOW --steps --concurrency {CONCURRENCY}` of a flow of the "
        f"mock served on loopback with {LATENCY * 1000:.0f} ms added to every request "
        "(`Fault.delay`): one ListFlow page, the engagement pages in order, one ListStep page per "
        "engagement, each committed to SQLite. The ideal is (requests / concurrency) x latency.",
        "",
        *table(
            ["engagements", "steps", "requests", "ideal wall s", "wall s", "of the ideal"], rows
        ),
    ]
    target = Target(
        f"archive of {engagements:,} with steps, --concurrency {CONCURRENCY}: wall of the ideal",
        wall / ideal,
        OF_IDEAL,
    )
    return Section("Archiving over a 100 ms link", lines, [target])
