"""``kill -9`` at random moments of an ``archive --steps`` and of a many-flow ``list``, each
followed by the same command: the outputs end exact (50 kills each in ``nox -s soak``)."""

from __future__ import annotations

import contextlib
import json
import random
import signal
import sqlite3
import subprocess
from pathlib import Path

from studio_engagements.testing import Fault, MockStudio

from .helpers import CLI, interrupted, jsonl, mock_env, run_cli
from .reliability import SOAK, figure

KILLS = 50 if SOAK else 4
FLOWS = ["FW" + letter * 32 for letter in "9ab"]


def killed_then_rerun(
    mock: MockStudio, args: list[str], chance: random.Random
) -> subprocess.CompletedProcess[str]:
    """``KILLS`` runs of the command, each killed after 1 to 40 requests; then one to its end."""
    for _ in range(KILLS):
        code, stderr = interrupted(
            [*CLI, *args], mock_env(mock), mock, requests=chance.randint(1, 40),
            stop=signal.SIGKILL,
        )  # fmt: skip
        assert code in (-signal.SIGKILL, 0), stderr
    mock.clear_faults()
    return run_cli(*args, env=mock_env(mock))


def test_kill_9_at_random_moments_of_an_archive_with_steps_ends_exact(tmp_path: Path) -> None:
    mock = MockStudio(flows=dict.fromkeys(FLOWS, 90), seed=41)
    mock.inject(Fault.delay(0.004), times=10_000_000)  # requests take a while: moments to land in
    out, chance = tmp_path / "history.sqlite", random.Random(41)
    with mock.serve() as base:
        args = ["archive", *FLOWS, "--steps", "--page-size", "25", "--concurrency", "4",
                "--base-url", base, "--output", str(out)]  # fmt: skip
        done = killed_then_rerun(mock, args, chance)
    assert done.returncode == 0, done.stderr
    with contextlib.closing(sqlite3.connect(out)) as db:
        engagements = {
            sid: flow for sid, flow in db.execute("SELECT sid, flow_sid FROM engagements")
        }
        steps = {
            sid: [step for (step,) in db.execute(
                "SELECT sid FROM steps WHERE engagement_sid = ? ORDER BY _position", (sid,)
            )]
            for sid in engagements
        }  # fmt: skip
    assert engagements == {e["sid"]: flow for flow in FLOWS for e in mock.engagements(flow)}
    for sid, flow in engagements.items():
        assert steps[sid] == [step["sid"] for step in mock.steps(flow, sid)]
    figure(f"archive --steps: {KILLS} kill -9s at random moments, each rerun; exact")


def test_kill_9_at_random_moments_of_a_many_flow_list_ends_exact(tmp_path: Path) -> None:
    mock = MockStudio(flows=dict.fromkeys(FLOWS, 400), seed=42)
    mock.inject(Fault.delay(0.004), times=10_000_000)
    folder, chance = tmp_path / "exports", random.Random(42)
    with mock.serve() as base:
        args = ["list", *FLOWS, "--page-size", "20", "--output-dir", str(folder),
                "--base-url", base]  # fmt: skip
        done = killed_then_rerun(mock, args, chance)
    assert done.returncode == 0, done.stderr
    for flow in FLOWS:
        assert jsonl(folder / f"{flow}.jsonl") == mock.engagements(flow)
        assert not (folder / f"{flow}.jsonl.partial").exists()
    assert json.loads((folder / f"{FLOWS[0]}.jsonl.export.json").read_text())["flow_sid"]
    figure(f"list of {len(FLOWS)} flows: {KILLS} kill -9s at random moments, each rerun; exact")
