"""What a person expects of a command line: the account's flows, every flow at once, quiet runs,
a report for the scheduler, and every exporting command's failure in words."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from studio_engagements.cli import main
from studio_engagements.testing import MockStudio

FLOWS = ["FW" + letter * 32 for letter in "cde"]


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows=dict.fromkeys(FLOWS, 30), seed=61)


@pytest.fixture(scope="module")
def base(mock: MockStudio) -> Iterator[str]:
    with mock.serve() as url:
        yield url


def run(mock: MockStudio, *args: str, stdin: str | None = None) -> Result:
    env = {"TWILIO_ACCOUNT_SID": mock.account_sid, "TWILIO_AUTH_TOKEN": mock.auth_token}
    return CliRunner().invoke(main, list(args), env=env, input=stdin)


def test_flows_lists_the_account_s_flows_in_every_format(mock: MockStudio, base: str) -> None:
    listed = [record["sid"] for record in mock.flow_records()]
    table = run(mock, "flows", "--base-url", base)
    assert table.exit_code == 0, table.output
    assert all(sid in table.stdout for sid in listed)  # whole SIDs
    lines = run(mock, "flows", "--format", "jsonl", "--base-url", base)
    assert [json.loads(line) for line in lines.stdout.splitlines()] == mock.flow_records()
    rows = list(
        csv.DictReader(
            io.StringIO(run(mock, "flows", "--format", "csv", "--base-url", base).stdout)
        )
    )
    assert [row["sid"] for row in rows] == listed


def test_list_all_flows_exports_every_flow_to_the_folder(
    mock: MockStudio, base: str, tmp_path: Path
) -> None:
    result = run(mock, "list", "--all-flows", "--output-dir", str(tmp_path), "--base-url", base)
    assert result.exit_code == 0, result.output
    for flow in FLOWS:
        lines = (tmp_path / f"{flow}.jsonl").read_text().splitlines()
        assert [json.loads(line)["sid"] for line in lines] == [
            e["sid"] for e in mock.engagements(flow)
        ]
    needs_folder = run(mock, "list", "--all-flows", "--base-url", base)
    assert needs_folder.exit_code == 2
    assert "--output-dir" in needs_folder.output


def test_quiet_says_nothing_when_all_is_well_and_the_report_says_it_all(
    mock: MockStudio, base: str, tmp_path: Path
) -> None:
    report = tmp_path / "run.json"
    args = ["archive", *FLOWS, "--output", str(tmp_path / "h.sqlite"), "--base-url", base]
    quiet = run(mock, *args, "-q", "--report", str(report))
    assert quiet.exit_code == 0, quiet.output
    assert quiet.stderr == ""
    written: dict[str, Any] = json.loads(report.read_text())
    assert written["exit_code"] == 0
    assert [flow["flow_sid"] for flow in written["flows"]] == FLOWS
    assert all(flow["state"] == "done" and flow["engagements"] == 30 for flow in written["flows"])
    loud = run(mock, *args)
    assert "archive summary" in loud.stderr


def test_the_report_names_a_failed_flow_its_error_and_the_exit_code(
    mock: MockStudio, base: str, tmp_path: Path
) -> None:
    report = tmp_path / "run.json"
    missing = "FW" + "0" * 32
    result = run(mock, "list", FLOWS[0], missing, "--output-dir", str(tmp_path / "out"),
                 "--base-url", base, "-q", "--report", str(report))  # fmt: skip
    assert result.exit_code == 3
    written = json.loads(report.read_text())
    states = {flow["flow_sid"]: flow for flow in written["flows"]}
    assert states[FLOWS[0]]["state"] == "done"
    assert states[missing]["state"] == "failed"
    assert states[missing]["exit_code"] == 3
    assert "not found" in states[missing]["error"]
    assert written["exit_code"] == 3
    assert "NotFoundError" not in result.stderr  # in words, even when quiet


def test_flows_file_dash_reads_standard_input(mock: MockStudio, base: str, tmp_path: Path) -> None:
    given = "\n".join(["# the flows", *FLOWS[:2], ""])
    result = run(mock, "list", "--flows-file", "-", "--output-dir", str(tmp_path), "--base-url",
                 base, stdin=given)  # fmt: skip
    assert result.exit_code == 0, result.output
    assert sorted(path.name for path in tmp_path.glob("*.jsonl")) == [
        f"{f}.jsonl" for f in FLOWS[:2]
    ]
