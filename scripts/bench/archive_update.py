"""Question: updating a large archive after new engagements arrived: the requests and wall time of
the update against the full archive.

``python -m bench.archive_update serve FLOW COUNT`` serves ``MockStudio({FLOW: COUNT})`` (its
clock at :attr:`MockStudio.START`) in its own process: it prints its origin, account SID and
token, then answers lines on stdin: ``advance SECONDS`` (prints the new time) and ``requests``
(prints how many it received); it stops at the end of stdin.
"""

from __future__ import annotations

import math
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from .common import child_env, module_command
from .report import Section, Target, table

if TYPE_CHECKING:
    from .__main__ import Bench

FLOW = "FW" + "b" * 32
PAGE_SIZE = 1000  # the CLI's default: the largest the API allows


def serve(flow: str, count: int) -> None:
    """The mock, served until stdin ends; commands on stdin (see the module's docstring)."""
    from studio_engagements.testing import MockStudio

    mock = MockStudio({flow: count}, seed=3)
    with mock.serve() as origin:
        print(origin, mock.account_sid, mock.auth_token, flush=True)
        for line in sys.stdin:
            command, *args = line.split()
            if command == "advance":
                print(mock.advance(timedelta(seconds=float(args[0]))).isoformat(), flush=True)
            elif command == "requests":
                print(len(mock.requests), flush=True)


class MockProcess:
    """The mock's process, driven through its stdin."""

    def __init__(self, count: int) -> None:
        self.process = subprocess.Popen(
            module_command("archive_update", "serve", FLOW, str(count)),
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=child_env(),
        )  # fmt: skip
        self.origin, self.account_sid, self.auth_token = self._say(None).split()

    def _say(self, line: str | None) -> str:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        if line is not None:
            self.process.stdin.write(line + "\n")
            self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def advance(self, delta: timedelta) -> str:
        return self._say(f"advance {delta.total_seconds()}")

    def requests(self) -> int:
        return int(self._say("requests"))

    def close(self) -> None:
        assert self.process.stdin is not None
        self.process.stdin.close()
        self.process.wait(timeout=30)


def archive(python: str, mock: MockProcess, out: Path) -> tuple[int, float]:
    """Requests and wall seconds of ``studio-engagements archive FLOW --output OUT``."""
    command = [python, "-m", "studio_engagements", "archive", FLOW, "--base-url", mock.origin,
               "--output", str(out), "--quiet"]  # fmt: skip
    env = dict(child_env(), TWILIO_ACCOUNT_SID=mock.account_sid,
               TWILIO_AUTH_TOKEN=mock.auth_token)  # fmt: skip
    before = mock.requests()
    started = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"bench: the archive failed: {done.stderr[-800:]}")
    return mock.requests() - before, wall


def overlap(python: str) -> timedelta:
    """How far below the newest engagement held an update reads (the CLI's, asked of the CLI's
    python: the benchmark's may lack the cli extra)."""
    code = (
        "from studio_engagements.cli._archive_sink import OVERLAP; print(OVERLAP.total_seconds())"
    )
    done = subprocess.run([python, "-c", code], capture_output=True, text=True, check=True)
    return timedelta(seconds=float(done.stdout))


def cutoff(out: Path, overlap: timedelta) -> tuple[datetime, int]:
    """How far down an update must read (the newest engagement held less the overlap, or the
    oldest held as active, whichever is older), and how many are held as active."""
    with sqlite3.connect(out) as db:
        (newest,) = db.execute("SELECT newest FROM _archive_flows").fetchone()
        active = [text for (text,) in db.execute(
            "SELECT date_created FROM engagements WHERE status = 'active'")]  # fmt: skip
    db.close()
    dates = [datetime.fromisoformat(newest) - overlap, *map(datetime.fromisoformat, active)]
    return min(dates), len(active)


def owed(out: Path, since: datetime) -> tuple[int, int]:
    """Engagements the archive holds from ``since`` on, and those the last run added."""
    with sqlite3.connect(out) as db:
        dates = [datetime.fromisoformat(text) for (text,) in db.execute(
            "SELECT date_created FROM engagements")]  # fmt: skip
        (new,) = db.execute("SELECT new FROM archive_runs ORDER BY run DESC LIMIT 1").fetchone()
    db.close()
    return sum(date >= since for date in dates), new


def run(bench: Bench) -> Section:
    """A full archive of the mock's flow, the clock moved, the update."""
    count, arrivals = bench.sizes.update_engagements, bench.sizes.update_arrivals
    mock = MockProcess(count)
    try:
        with tempfile.TemporaryDirectory(prefix="bench-archive-update-") as folder:
            out = Path(folder, "archive.sqlite")
            full_requests, full_wall = archive(bench.cli_python, mock, out)
            since, active = cutoff(out, overlap(bench.cli_python))
            mock.advance(timedelta(days=30) * arrivals / count)
            requests, wall = archive(bench.cli_python, mock, out)
            must_read, new = owed(out, since)
    finally:
        mock.close()
    limit = must_read // PAGE_SIZE + 1 + 1  # the pages down to the cutoff's, and ListFlow
    rows = [
        ["full archive", f"{count:,}", f"{full_requests:,}", f"{full_wall:.2f}"],
        ["update", f"{new:,} new", f"{requests:,}", f"{wall:.2f}"],
    ]
    lines = [
        f"`studio-engagements archive FLOW` (no steps, default options) of a flow of the mock "
        f"(its own process, its clock standing) holding {count:,} engagements; then the clock "
        f"moves {30 * arrivals / count * 24:.1f} hours so that {arrivals:,} more arrive, and the "
        f"same command updates the archive. Before the update the archive held {active:,} "
        f"engagements as active; the update must read the list down to the oldest of them (or "
        f"the newest held less the overlap): {must_read:,} engagements, "
        f"{math.ceil(must_read / PAGE_SIZE):,} pages of {PAGE_SIZE:,}.",
        "",
        *table(["run", "engagements", "requests", "wall s"], rows),
        "",
        f"The update against the full archive: {requests / full_requests:.2f}x the requests, "
        f"{wall / full_wall:.2f}x the wall time.",
    ]
    target = Target(
        f"archive update of {count:,} + {arrivals:,}: requests (limit: pages to the cutoff + 1 + "
        "ListFlow)", requests, limit, unit="",
    )  # fmt: skip
    return Section("Archive update", lines, [target])


if __name__ == "__main__":
    if sys.argv[1] == "serve":
        serve(sys.argv[2], int(sys.argv[3]))
