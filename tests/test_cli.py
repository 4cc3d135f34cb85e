"""The studio-engagements command's exports, run as a subprocess against MockStudio over HTTP."""

from __future__ import annotations

import csv
import io
import json
import shlex
import subprocess
from pathlib import Path
from typing import Any

import pytest

from studio_engagements import Engagement
from studio_engagements.testing import Fault, MockStudio

from .helpers import CLI, interrupted, mock_env, on_a_terminal, run_cli

FLOW = "FW" + "c" * 32
SMALL = "FW" + "5" * 32


pytestmark = pytest.mark.usefixtures("fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: 2500, SMALL: 12}, seed=11)


def served(mock: MockStudio, flow: str) -> list[dict[str, Any]]:
    return mock.engagements(flow)


def test_jsonl_to_stdout_is_exactly_the_served_engagements(mock: MockStudio, server: str) -> None:
    result = run_cli("list", FLOW, "--base-url", server, env=mock_env(mock))
    assert result.returncode == 0, result.stderr
    assert [json.loads(line) for line in result.stdout.splitlines()] == served(mock, FLOW)
    assert "\x1b" not in result.stderr  # no progress display when stderr is not a terminal


def test_jsonl_to_a_file(mock: MockStudio, server: str, tmp_path: Path) -> None:
    out = tmp_path / "all.jsonl"
    result = run_cli(
        "list",
        FLOW,
        "--base-url",
        server,
        "--output",
        str(out),
        "--page-size",
        "300",
        env=mock_env(mock),
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == ""
    assert [json.loads(line) for line in out.read_text().splitlines()] == served(mock, FLOW)
    assert not (tmp_path / "all.jsonl.partial").exists()
    assert len(mock.requests) == 9


def test_csv_round_trips_with_its_header(mock: MockStudio, server: str, tmp_path: Path) -> None:
    out = tmp_path / "e.csv"
    result = run_cli(
        "list", SMALL, "--base-url", server, "--format", "csv", "-o", str(out), env=mock_env(mock)
    )
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
    result = run_cli(
        "list", FLOW, "--base-url", server, "--limit", "7", "--fields", "status,sid",
        env=mock_env(mock),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == [{"status": r["status"], "sid": r["sid"]} for r in served(mock, FLOW)[:7]]
    assert [int(r.query["PageSize"]) for r in mock.requests] == [7]


def test_table_format(mock: MockStudio, server: str) -> None:
    result = run_cli("list", SMALL, "--base-url", server, "--format", "table", env=mock_env(mock))
    assert result.returncode == 0, result.stderr
    for record in served(mock, SMALL):
        assert record["sid"] in result.stdout
    header = result.stdout.splitlines()[1]
    columns = [cell.strip() for cell in header.strip("┃ ").split("┃")]
    assert columns == list(Engagement.SUMMARY_FIELDS)  # twilio-cli's defaults (see test_spec)


def test_table_shows_context_as_json(
    mock: MockStudio, server: str, cli_env: dict[str, str]
) -> None:
    args = ["list", SMALL, "--base-url", server, "--format", "table", "--fields", "sid,context"]
    result = run_cli(*args, env=cli_env)
    assert result.returncode == 0, result.stderr
    first = served(mock, SMALL)[0]["context"]
    assert json.dumps(first, ensure_ascii=False)[:20] in result.stdout


def test_outage_mid_export_then_resume_gives_every_engagement_once(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "export.jsonl"
    args = ["list", FLOW, "--base-url", server, "--page-size", "500", "--output", str(out)]
    mock.inject(Fault.server_error(503), times=3, after=2)
    failed = run_cli(*args, env=mock_env(mock))
    assert failed.returncode == 3, failed.stderr
    assert not out.exists()
    partial = tmp_path / "export.jsonl.partial"
    assert len(partial.read_text().splitlines()) == 1000
    assert "1,000 engagements are in" in failed.stderr
    resume_line = next(
        line for line in failed.stderr.splitlines() if line.startswith("resume with: ")
    )
    command = shlex.split(resume_line.removeprefix("resume with: "))
    assert command[0] == "studio-engagements"
    assert "--resume-from" in command
    resumed = run_cli(*command[1:], env=mock_env(mock))
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
    failed = run_cli(*args, env=mock_env(mock))
    assert failed.returncode == 4, failed.stderr
    command = shlex.split(
        next(line for line in failed.stderr.splitlines() if line.startswith("resume with: "))[13:]
    )
    assert run_cli(*command[1:], env=mock_env(mock)).returncode == 0
    rows = list(csv.DictReader(io.StringIO(out.read_text(), newline="")))
    assert [row["sid"] for row in rows] == [r["sid"] for r in served(mock, FLOW)]


def test_progress_goes_to_a_terminal_stderr_only(mock: MockStudio, server: str) -> None:
    code, stdout, terminal = on_a_terminal(
        [*CLI, "list", FLOW, "--base-url", server, "--page-size", "250"], mock_env(mock)
    )
    assert code == 0
    assert [json.loads(line) for line in stdout.decode().splitlines()] == served(mock, FLOW)
    assert b"engagements" in terminal


def test_a_retry_shows_on_the_terminal(mock: MockStudio, server: str) -> None:
    mock.inject(Fault.rate_limit(retry_after=1), times=1, after=1)
    code, stdout, terminal = on_a_terminal(
        [*CLI, "list", FLOW, "--base-url", server, "--page-size", "250"], mock_env(mock)
    )
    assert code == 0
    assert len(stdout.decode().splitlines()) == len(served(mock, FLOW))
    assert b"retrying in 1.0 s after 429" in terminal


def test_ctrl_c_exits_130_and_keeps_whole_pages(
    mock: MockStudio, server: str, cli_env: dict[str, str], tmp_path: Path
) -> None:
    out = tmp_path / "slow.jsonl"
    mock.inject(Fault.delay(30), times=1, after=1)
    code, stderr = interrupted(
        [*CLI, "list", FLOW, "--base-url", server, "--page-size", "500", "-o", str(out)],
        cli_env, mock, requests=2, pause=0.2,
    )  # fmt: skip
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert len((tmp_path / "slow.jsonl.partial").read_text().splitlines()) == 500
    assert "--resume-from" in stderr


def test_a_closed_pipe_stops_quietly(mock: MockStudio, server: str) -> None:
    command = shlex.join([*CLI, "list", FLOW, "--base-url", server, "--page-size", "100"])
    result = subprocess.run(
        ["bash", "-c", f"set -o pipefail; {command} | head -n 1"],
        capture_output=True,
        text=True,
        env=mock_env(mock),
        timeout=120,
    )
    assert len(result.stdout.splitlines()) == 1
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert len(mock.requests) < 25  # it stopped instead of reading the whole flow
