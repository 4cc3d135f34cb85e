"""The studio-engagements command's exports, run as a subprocess against MockStudio over HTTP."""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import shlex
import signal
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from studio_engagements.testing import Fault, MockStudio

from .helpers import CLI, ctrl_c_works, mock_env, run_cli

FLOW = "FW" + "c" * 32
SMALL = "FW" + "5" * 32


pytestmark = pytest.mark.usefixtures("fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: 2500, SMALL: 12}, seed=11)


def run(args: list[str], mock: MockStudio) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=mock_env(mock))


def served(mock: MockStudio, flow: str) -> list[dict[str, Any]]:
    return mock.engagements(flow)


def test_jsonl_to_stdout_is_exactly_the_served_engagements(mock: MockStudio, server: str) -> None:
    result = run(["list", FLOW, "--base-url", server], mock)
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == served(mock, FLOW)
    assert "\x1b" not in result.stderr  # no progress display when stderr is not a terminal


def test_jsonl_to_a_file(mock: MockStudio, server: str, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    result = run(
        ["list", FLOW, "--base-url", server, "--output", str(out), "--page-size", "300"], mock
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert [json.loads(line) for line in out.read_text().splitlines()] == served(mock, FLOW)
    assert not (tmp_path / "all.jsonl.partial").exists()
    assert len(mock.requests) == 9


def test_csv_round_trips_with_its_header(mock: MockStudio, server: str, tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    result = run(["list", SMALL, "--base-url", server, "--format", "csv", "-o", str(out)], mock)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text(), newline="")))
    expected = served(mock, SMALL)
    assert len(rows) == len(expected)
    for row, record in zip(rows, expected, strict=True):
        assert list(row) == list(record)
        for name, value in record.items():
            if value is None:
                assert row[name] == ""
            elif isinstance(value, str):
                assert row[name] == value
            else:
                assert json.loads(row[name]) == value


def test_limit_and_fields(mock: MockStudio, server: str) -> None:
    result = run(
        ["list", FLOW, "--base-url", server, "--limit", "7", "--fields", "status,sid"], mock
    )
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [{"status": r["status"], "sid": r["sid"]} for r in served(mock, FLOW)[:7]]
    assert [int(r.query["PageSize"]) for r in mock.requests] == [7]


def test_table_format(mock: MockStudio, server: str) -> None:
    result = run(["list", SMALL, "--base-url", server, "--format", "table"], mock)
    assert result.returncode == 0, result.stderr
    for record in served(mock, SMALL):
        assert record["sid"] in result.stdout
    assert "contact_channel_address" in result.stdout or "contact_channel…" in result.stdout


def test_outage_mid_export_then_resume_gives_every_engagement_once(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "export.jsonl"
    args = ["list", FLOW, "--base-url", server, "--page-size", "500", "--output", str(out)]
    mock.inject(Fault.server_error(503), times=3, after=2)
    failed = run(args, mock)
    assert failed.returncode == 3, failed.stderr
    assert not out.exists()
    partial = tmp_path / "export.jsonl.partial"
    assert len(partial.read_text().splitlines()) == 1000
    assert "1000 engagements are in" in failed.stderr
    resume_line = next(
        line for line in failed.stderr.splitlines() if line.startswith("resume with: ")
    )
    command = shlex.split(resume_line.removeprefix("resume with: "))
    assert command[0] == "studio-engagements"
    assert "--resume-from" in command
    resumed = run(command[1:], mock)
    assert resumed.returncode == 0, resumed.stderr
    assert not partial.exists()
    assert [json.loads(line) for line in out.read_text().splitlines()] == served(mock, FLOW)


def test_resumed_csv_has_one_header(mock: MockStudio, server: str, tmp_path: Path) -> None:
    out = tmp_path / "export.csv"
    args = [
        "list",
        FLOW,
        "--base-url",
        server,
        "--page-size",
        "1000",
        "--format",
        "csv",
        "-o",
        str(out),
    ]
    mock.inject(Fault.drop_connection(), times=3, after=1)
    failed = run(args, mock)
    assert failed.returncode == 4, failed.stderr
    command = shlex.split(
        next(line for line in failed.stderr.splitlines() if line.startswith("resume with: "))[13:]
    )
    assert run(command[1:], mock).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(), newline="")))
    assert [row["sid"] for row in rows] == [r["sid"] for r in served(mock, FLOW)]


def test_progress_goes_to_a_terminal_stderr_only(
    mock: MockStudio, server: str, cli_env: dict[str, str]
) -> None:
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        [*CLI, "list", FLOW, "--base-url", server, "--page-size", "250"],
        stdout=subprocess.PIPE,
        stderr=follower,
        env={**cli_env, "TERM": "xterm", "COLUMNS": "120"},
    )
    os.close(follower)
    stdout, _ = process.communicate(timeout=120)
    terminal = b""
    while select.select([leader], [], [], 0.2)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    assert process.returncode == 0
    assert [json.loads(line) for line in stdout.decode().splitlines()] == served(mock, FLOW)
    assert b"engagements" in terminal


def test_ctrl_c_exits_130_and_keeps_whole_pages(
    mock: MockStudio, server: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "slow.jsonl"
    mock.inject(Fault.delay(30), times=1, after=1)
    process = subprocess.Popen(
        [*CLI, "list", FLOW, "--base-url", server, "--page-size", "500", "-o", str(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=cli_env,
        preexec_fn=ctrl_c_works,
    )
    deadline = time.monotonic() + 30
    while len(mock.requests) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=30)
    assert process.returncode == 130, stderr
    assert "Traceback" not in stderr
    assert len((tmp_path / "slow.jsonl.partial").read_text().splitlines()) == 500
    assert "--resume-from" in stderr


def test_demo_prints_a_table_and_a_summary() -> None:
    result = subprocess.run(
        [*CLI, "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert result.returncode == 0, result.stderr
    assert "Exported 3000 engagements" in result.stdout
    assert "(3000 distinct)" in result.stdout
    assert "7 requests (1 retry)" in result.stdout
    assert "429" in result.stdout
    assert "sid" in result.stdout


def test_a_closed_pipe_stops_quietly(
    mock: MockStudio, server: str, cli_env: dict[str, str]
) -> None:
    command = shlex.join([*CLI, "list", FLOW, "--base-url", server, "--page-size", "100"])
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} | head -n 1"],
        capture_output=True,
        text=True,
        env=cli_env,
        timeout=120,
    )
    assert len(result.stdout.splitlines()) == 1
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(mock.requests) < 25  # it stopped instead of reading the whole flow
