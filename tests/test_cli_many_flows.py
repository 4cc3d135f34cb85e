"""`list` with many flows and `--output-dir`, and "run it again": against the mock over HTTP."""

from __future__ import annotations

import json
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from studio_engagements.testing import Fault, MockStudio

from .helpers import CLI, held_together, interrupted, mock_env, run_cli

FLOWS = ["FW" + letter * 32 for letter in "abcd"]
PAGE = 50
COUNT = 180  # 4 pages of 50 per flow


pytestmark = pytest.mark.usefixtures("fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows=dict.fromkeys(FLOWS, COUNT), seed=7)


def run(mock: MockStudio, *args: str, **kwargs: Any) -> subprocess.CompletedProcess[str]:
    return run_cli("list", *args, env=mock_env(mock), **kwargs)


def export_args(server: str, out: Path, *extra: str) -> list[str]:
    return [
        *FLOWS,
        "--base-url",
        server,
        "--page-size",
        str(PAGE),
        "--output-dir",
        str(out),
        *extra,
    ]


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def assert_exact(mock: MockStudio, out: Path) -> None:
    for flow in FLOWS:
        assert lines(out / f"{flow}.jsonl") == mock.engagements(flow), flow
    assert not list(out.glob("*.partial*")), "a .partial or a state file was left"


def requests_per_flow(mock: MockStudio) -> Counter[str]:
    return Counter(request.path.split("/")[3] for request in mock.requests)


def test_four_flows_run_concurrently_and_exactly(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    with held_together(mock, len(FLOWS)) as overlap:  # the first requests wait for each other
        result = run(mock, *export_args(server, tmp_path))
    assert result.returncode == 0, result.stderr
    assert_exact(mock, tmp_path)
    assert not overlap.gave_up, f"at most {overlap.peak} of {len(FLOWS)} flows at once"
    assert overlap.peak >= len(FLOWS)
    assert "4 of 4 done" in result.stderr


def test_an_outage_then_the_same_command_again_completes_exactly(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    mock.inject(Fault.server_error(503), times=60, after=6)
    first = run(mock, *export_args(server, tmp_path))
    assert first.returncode == 3, first.stderr
    assert "run the same command again" in first.stderr
    final = sorted(tmp_path.glob("*.jsonl"))
    partial = sorted(tmp_path.glob("*.jsonl.partial"))
    assert final or partial
    for path in final:  # a finished flow is final and whole
        assert lines(path) == mock.engagements(path.stem)
    pages_per_flow = -(-COUNT // PAGE)
    finished = {path.name.split(".")[0] for path in final}
    written = {path.name.split(".")[0]: len(lines(path)) // PAGE for path in partial}
    mock.clear_faults()
    mock.reset_requests()
    again = run(mock, *export_args(server, tmp_path))
    assert again.returncode == 0, again.stderr
    assert_exact(mock, tmp_path)
    asked = requests_per_flow(mock)
    for flow in FLOWS:
        missing = 0 if flow in finished else pages_per_flow - written.get(flow, 0)
        assert asked.get(flow, 0) == missing, (flow, asked, written)


def test_one_flow_with_output_resumes_when_run_again(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "one.jsonl"
    args = [FLOWS[0], "--base-url", server, "--page-size", str(PAGE), "--output", str(out)]
    mock.inject(Fault.server_error(503), times=3, after=2)
    first = run(mock, *args)
    assert first.returncode == 3, first.stderr
    assert len(lines(tmp_path / "one.jsonl.partial")) == 2 * PAGE
    mock.reset_requests()
    again = run(mock, *args)
    assert again.returncode == 0, again.stderr
    assert lines(out) == mock.engagements(FLOWS[0])
    assert len(mock.requests) == 2  # pages 3 and 4 only
    mock.reset_requests()
    complete = run(mock, *args)
    assert complete.returncode == 0
    assert "complete already" in complete.stderr
    assert mock.requests == []


def test_other_fields_refuse_and_restart_starts_over(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    mock.inject(Fault.server_error(503), times=60, after=4)
    assert run(mock, *export_args(server, tmp_path)).returncode == 3
    mock.clear_faults()
    mock.reset_requests()
    other = run(mock, *export_args(server, tmp_path, "--fields", "sid,status"))
    assert other.returncode == 2, other.stderr
    assert "--fields" in other.stderr
    assert "--restart" in other.stderr
    assert mock.requests == []
    restarted = run(mock, *export_args(server, tmp_path, "--fields", "sid,status", "--restart"))
    assert restarted.returncode == 0, restarted.stderr
    for flow in FLOWS:
        expected = [{"sid": r["sid"], "status": r["status"]} for r in mock.engagements(flow)]
        assert lines(tmp_path / f"{flow}.jsonl") == expected


def test_restart_starts_unfinished_flows_over_and_keeps_complete_ones(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    mock.inject(Fault.server_error(503), times=60, after=6)
    assert run(mock, *export_args(server, tmp_path, "--concurrency", "1")).returncode == 3
    complete = {path.stem for path in tmp_path.glob("*.jsonl")}
    assert complete
    assert complete != set(FLOWS)
    mock.clear_faults()
    mock.reset_requests()
    restarted = run(mock, *export_args(server, tmp_path, "--restart"))
    assert restarted.returncode == 0, restarted.stderr
    assert_exact(mock, tmp_path)
    asked = requests_per_flow(mock)
    for flow in FLOWS:
        assert asked.get(flow, 0) == (0 if flow in complete else -(-COUNT // PAGE)), asked


def test_ctrl_c_keeps_whole_pages_and_a_rerun_finishes(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    mock.inject(Fault.delay(0.3), times=40)
    command = [*CLI, "list", *export_args(server, tmp_path)]
    code, stderr = interrupted(command, mock_env(mock), mock, requests=6)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    for partial in tmp_path.glob("*.jsonl.partial"):
        assert len(lines(partial)) % PAGE == 0, "half a page was kept"
    mock.clear_faults()
    again = run(mock, *export_args(server, tmp_path))
    assert again.returncode == 0, again.stderr
    assert_exact(mock, tmp_path)


def test_a_bad_sid_in_the_flows_file_is_named_before_any_request(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    flows = tmp_path / "flows.txt"
    flows.write_text(f"# every flow\n{FLOWS[0]}\n\n{FLOWS[1]}  # the second\nFW123\n")
    result = run(
        mock, "--flows-file", str(flows), "--base-url", server, "--output-dir", str(tmp_path)
    )
    assert result.returncode == 2
    assert f"{flows}:5" in result.stderr
    assert "FW123" in result.stderr
    assert mock.requests == []


def test_the_flows_file_is_read_with_comments(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    flows = tmp_path / "flows.txt"
    flows.write_text("\n".join(f"{flow}  # flow {n}" for n, flow in enumerate(FLOWS)) + "\n\n")
    out = tmp_path / "out"
    result = run(
        mock, "--flows-file", str(flows), "--base-url", server, "--output-dir", str(out),
        "--page-size", str(PAGE),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert_exact(mock, out)


def test_many_flows_without_output_dir_say_what_to_add(mock: MockStudio, server: str) -> None:
    result = run(mock, *FLOWS[:2], "--base-url", server)
    assert result.returncode == 2
    assert "--output-dir" in result.stderr
    assert mock.requests == []
