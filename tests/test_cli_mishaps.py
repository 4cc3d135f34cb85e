"""Ordinary mishaps against the mock over HTTP: two runs at once, Ctrl-C, 429s, odd strings.

Real processes where the behaviour needs one (locks, SIGINT). ``STUDIO_ENGAGEMENTS_SOAK=1``
(``nox -s soak``) runs the Ctrl-C stress with 100 interrupts instead of 8.
"""

from __future__ import annotations

import contextlib
import json
import os
import random
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from studio_engagements._models import Engagement
from studio_engagements.cli._rows import jsonl_line, render_rows
from studio_engagements.testing import Fault, MockStudio

from .helpers import CLI, interrupted, jsonl, mock_env, run_cli, serve_rewritten

FLOWS = ["FW" + letter * 32 for letter in "1234"]
BIG = "FW" + "9" * 32
PAGE = 40
INTERRUPTS = 100 if os.environ.get("STUDIO_ENGAGEMENTS_SOAK") else 8
BIG_COUNT = 500 * INTERRUPTS  # a run writes ~13 pages of 20 before its Ctrl-C: never all


pytestmark = pytest.mark.usefixtures("fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={**dict.fromkeys(FLOWS, 130), BIG: BIG_COUNT}, seed=5)


def single(server: str, out: Path, flow: str = FLOWS[0], *extra: str) -> list[str]:
    return ["list", flow, "--base-url", server, "--page-size", str(PAGE), "-o", str(out), *extra]


def folder(server: str, out: Path, *extra: str) -> list[str]:
    return ["list", *FLOWS, "--base-url", server, "--page-size", str(PAGE),
            "--output-dir", str(out), *extra]  # fmt: skip


def at_once(args: list[str], mock: MockStudio) -> list[subprocess.CompletedProcess[str]]:
    """Two identical runs started together, each page slowed so that they overlap."""
    mock.inject(Fault.delay(0.3), times=10_000)
    command = [*CLI, *args]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    processes = [subprocess.Popen(command, env=mock_env(mock), **pipes) for _ in range(2)]
    results = []
    for process in processes:
        stdout, stderr = process.communicate(timeout=120)
        results.append(subprocess.CompletedProcess(command, process.returncode, stdout, stderr))
    mock.clear_faults()
    return results


def assert_no_traceback(*results: subprocess.CompletedProcess[str]) -> None:
    for result in results:
        assert "Traceback" not in result.stderr, result.stderr


def test_two_runs_at_once_on_one_file(mock: MockStudio, server: str, tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    first, second = at_once(single(server, out), mock)
    assert_no_traceback(first, second)
    assert sorted([first.returncode, second.returncode]) == [0, 2], (first.stderr, second.stderr)
    refused = first if first.returncode == 2 else second
    assert str(out) in refused.stderr
    assert "another export" in refused.stderr
    assert jsonl(out) == mock.engagements(FLOWS[0])
    again = run_cli(*single(server, out), env=mock_env(mock))
    assert again.returncode == 0
    assert "complete already" in again.stderr
    assert jsonl(out) == mock.engagements(FLOWS[0])


def test_two_runs_at_once_on_one_folder(mock: MockStudio, server: str, tmp_path: Path) -> None:
    first, second = at_once(folder(server, tmp_path), mock)
    assert_no_traceback(first, second)
    assert sorted([first.returncode, second.returncode]) == [0, 2], (first.stderr, second.stderr)
    refused = first if first.returncode == 2 else second
    assert f"{tmp_path} is being written by another export" in refused.stderr
    again = run_cli(*folder(server, tmp_path), env=mock_env(mock))
    assert again.returncode == 0, again.stderr
    assert "4 of 4 done" in again.stderr
    for flow in FLOWS:
        assert jsonl(tmp_path / f"{flow}.jsonl") == mock.engagements(flow)
    assert not list(tmp_path.glob("*.partial*"))
    assert not list(tmp_path.glob("*.lock"))


def odd_strings(path: str, page: dict[str, Any]) -> None:
    """Every engagement of the first flow gets a lone surrogate and a JSON escape to keep."""
    if FLOWS[0] in path:
        for record in page["engagements"]:
            record["contact_channel_address"] = "\ud800 lone, \u2028 and \x00"


def test_a_lone_surrogate_is_written_as_valid_jsonl(mock: MockStudio, tmp_path: Path) -> None:
    expected = [{**record, "contact_channel_address": "\ud800 lone, \u2028 and \x00"}
                for record in mock.engagements(FLOWS[0])]  # fmt: skip
    with serve_rewritten(mock, odd_strings) as odd:
        result = run_cli(*single(odd, tmp_path / "one.jsonl"), env=mock_env(mock))
        assert result.returncode == 0, result.stderr
        assert jsonl(tmp_path / "one.jsonl") == expected
        many = run_cli(*folder(odd, tmp_path / "many"), env=mock_env(mock))
    assert many.returncode == 0, many.stderr
    assert "4 of 4 done" in many.stderr
    assert jsonl(tmp_path / "many" / f"{FLOWS[0]}.jsonl") == expected
    assert jsonl(tmp_path / "many" / f"{FLOWS[1]}.jsonl") == mock.engagements(FLOWS[1])


def test_nan_and_infinity_never_reach_a_file_as_invalid_json() -> None:
    record = {"sid": None, "context": {"a": float("nan"), "b": [float("inf"), 1.5], "c": "\udfff"}}
    line = jsonl_line(record)
    assert json.loads(line, parse_constant=pytest.fail) == {
        "sid": None, "context": {"a": None, "b": [None, 1.5], "c": "\udfff"},
    }  # fmt: skip
    engagement = Engagement.from_dict({"sid": None, "context": {"x": float("-inf")}})
    csv_text = render_rows([engagement], ("sid", "context"), "csv", header=True).decode()
    assert csv_text == 'sid,context\n,"{""x"": null}"\n'


def test_a_server_sending_infinity_gets_null_in_the_file(mock: MockStudio, tmp_path: Path) -> None:
    def huge(path: str, page: dict[str, Any]) -> None:
        page["engagements"][0]["context"] = {"n": float("inf")}  # sent as the token Infinity

    out = tmp_path / "out.jsonl"
    with serve_rewritten(mock, huge) as served:
        result = run_cli(*single(served, out), env=mock_env(mock))
    assert result.returncode == 0, result.stderr
    expected = mock.engagements(FLOWS[0])
    for first_of_page in expected[::PAGE]:
        first_of_page["context"] = {"n": None}
    assert jsonl(out) == expected  # strict JSON: parsing fails on NaN or Infinity


@pytest.mark.parametrize("where", ["before", "after"])
def test_debug_adds_tracebacks_and_keeps_exit_codes(
    mock: MockStudio, server: str, tmp_path: Path, where: str
) -> None:
    cases = [
        (["list", "FW" + "0" * 32, "--base-url", server], 3),  # no such flow: 404
        (["list", FLOWS[0], "--base-url", "http://127.0.0.1:1", "--max-retries", "0"], 4),
        (["list", FLOWS[0], "--base-url", server, "-o", str(tmp_path / "x" / "y")], 1),
        (["list", FLOWS[0], "--base-url", "http://example.com"], 2),
    ]
    for args, code in cases:
        args = ["--debug", *args] if where == "before" else [*args, "--debug"]
        result = run_cli(*args, env=mock_env(mock))
        assert result.returncode == code, result.stderr
        assert "Traceback" in result.stderr
        assert [line for line in result.stderr.splitlines() if line.startswith("error: ")]


@contextlib.contextmanager
def arrivals(mock: MockStudio) -> Iterator[list[tuple[float, int | None]]]:
    """When each request reached ``mock`` (this process's clock) and the status it got."""
    seen: list[tuple[float, int | None]] = []
    lock = threading.Lock()
    endpoint = mock._endpoint
    answer = endpoint.handle

    def handle(request: Any) -> Any:
        moment = time.monotonic()
        reply = answer(request)
        with lock:
            seen.append((moment, None if reply.response is None else reply.response.status))
        return reply

    endpoint.handle = handle  # type: ignore[method-assign]
    try:
        yield seen
    finally:
        del endpoint.handle


def test_a_429_on_one_flow_pauses_the_others_outside_their_deadline(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    retry_after = 3
    mock.inject(Fault.rate_limit(retry_after=retry_after), times=1, after=5)
    with arrivals(mock) as seen:
        result = run_cli(
            *folder(server, tmp_path), "--timeout", "2", "--concurrency", "4", env=mock_env(mock)
        )
    assert result.returncode == 0, result.stderr
    assert "4 of 4 done" in result.stderr
    assert "Deadline" not in result.stderr
    for flow in FLOWS:
        assert jsonl(tmp_path / f"{flow}.jsonl") == mock.engagements(flow)
    # Everyone waited out the Retry-After: while it runs, only the requests already under way
    # (one per other flow) reach the mock; without the shared pause the other flows' remaining
    # pages would. A slow machine only makes requests later, never earlier.
    limited = next(moment for moment, status in seen if status == 429)
    during = [status for moment, status in seen if limited < moment < limited + retry_after]
    assert len(during) <= len(FLOWS) - 1, during
    lines = result.stderr.splitlines()
    total = next(line for line in lines if line.lstrip("│ ").startswith("total"))
    assert " 1 " in total  # one retry in all: the other flows did not hammer the API


def test_each_failed_flow_is_named_with_its_whole_error_after_the_summary(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    mock.inject(Fault.server_error(500), times=100, after=4)
    result = run_cli(*folder(server, tmp_path), "--max-retries", "0", env=mock_env(mock))
    assert result.returncode == 3, result.stderr
    after_table = result.stderr.split("total", 1)[1]
    errors = [line for line in after_table.splitlines() if ": error: " in line]
    assert errors
    assert all("HTTP 500" in line and "ServerError" not in line for line in errors)
    assert all(line.split(":")[0] in FLOWS for line in errors)
    assert all("…" not in line for line in errors)


def test_ctrl_c_at_random_moments_exits_130_and_a_rerun_is_exact(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    """Interrupt the same export over and over, resuming each time; then let it finish."""
    out = tmp_path / "big.jsonl"
    chance = random.Random(2026)
    mock.inject(Fault.delay(0.01), times=100_000)  # pages take a while: moments to land in
    for _ in range(INTERRUPTS):
        code, stderr = interrupted(
            [*CLI, *single(server, out, BIG, "--page-size", "20")], mock_env(mock), mock,
            requests=1, pause=chance.uniform(0, 0.25),
        )  # fmt: skip
        assert code == 130, stderr
        assert "Traceback" not in stderr, stderr
        assert "Exception ignored" not in stderr, stderr
        assert not out.exists()
    state = json.loads(Path(f"{out}.partial.state.json").read_text())
    assert 0 < state["engagements"] < BIG_COUNT  # interrupted mid-export, resumed each time
    print(f"{INTERRUPTS} interrupts; {state['engagements']} engagements written between them")
    mock.clear_faults()
    finished = run_cli(*single(server, out, BIG, "--page-size", "20"), env=mock_env(mock))
    assert finished.returncode == 0, finished.stderr
    assert jsonl(out) == mock.engagements(BIG)
