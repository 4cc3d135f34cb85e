"""The export journal against the mock over HTTP: first-page failures, tampered state, complete.

Every case ends with the same command against a working server, and the file it leaves is
exactly the served engagements, or with a refusal that touched nothing; never a traceback.
"""

from __future__ import annotations

import json
import socket
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from studio_engagements.testing import Fault, MockStudio

from .helpers import (
    CLI,
    file_size_limit,
    interrupted,
    jsonl,
    mock_env,
    run_cli,
    serve_rewritten,
)

FLOW = "FW" + "e" * 32
UNSERVED = "FW" + "d" * 32
COUNT, PAGE = 230, 50  # five pages


pytestmark = pytest.mark.usefixtures("fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: COUNT}, seed=3)


def command(out: Path, *extra: str, flow: str = FLOW) -> list[str]:
    return ["list", flow, "--page-size", str(PAGE), "--output", str(out), *extra]


def with_base(mock: MockStudio, base_url: str) -> dict[str, str]:
    """The environment for a run whose command line names no server."""
    return {**mock_env(mock), "STUDIO_ENGAGEMENTS_BASE_URL": base_url}


def assert_exact(mock: MockStudio, out: Path, flow: str = FLOW) -> None:
    assert jsonl(out) == mock.engagements(flow)
    assert not out.with_name(out.name + ".partial").exists()
    assert not out.with_name(out.name + ".partial.state.json").exists()


def assert_the_same_command_is_exact(mock: MockStudio, out: Path, env: dict[str, str]) -> None:
    again = run_cli(*command(out), env=env)
    assert again.returncode == 0, again.stderr
    assert_exact(mock, out)


def assert_one_line(result: subprocess.CompletedProcess[str], code: int) -> None:
    assert result.returncode == code, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("error: ") or "\nerror: " in result.stderr, result.stderr


def refused_then_restarted(mock: MockStudio, server: str, out: Path) -> str:
    """The rerun is refused (one line, exit 2, naming --restart) and touches nothing, sends
    nothing; with --restart it is exact."""
    before = out.read_bytes() if out.exists() else None
    refused = run_cli(*command(out, "--base-url", server), env=mock_env(mock))
    assert_one_line(refused, 2)
    assert "--restart" in refused.stderr
    assert (out.read_bytes() if out.exists() else None) == before
    assert mock.requests == []
    restarted = run_cli(*command(out, "--base-url", server, "--restart"), env=mock_env(mock))
    assert restarted.returncode == 0, restarted.stderr
    assert_exact(mock, out)
    return refused.stderr


def closed_port() -> str:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{probe.getsockname()[1]}"


def test_failures_before_the_first_page_never_block_the_same_command(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    other = MockStudio(flows={UNSERVED: 1}, seed=3)  # the same credentials, not this flow
    with other.serve() as elsewhere:
        first_page_failures: list[tuple[dict[str, str], list[str], int, Any]] = [
            (with_base(mock, closed_port()), [], 4, None),
            ({**with_base(mock, server), "TWILIO_AUTH_TOKEN": "wrong"}, [], 3, None),
            (with_base(mock, elsewhere), [], 3, None),  # 404: that server has no such flow
            (with_base(mock, server), ["--max-response-bytes", "1024"], 3, None),
            (with_base(mock, server), [], 1, file_size_limit(1000)),  # a full disk on page 1
        ]
        for env, extra, code, preexec in first_page_failures:
            failed = run_cli(*command(out, *extra), env=env, preexec_fn=preexec)
            assert_one_line(failed, code)
            assert sorted(path.name for path in tmp_path.iterdir()) == []  # nothing left
            if extra:
                assert "--max-response-bytes" in failed.stderr  # the CLI's flag, not the kwarg
    assert_the_same_command_is_exact(mock, out, with_base(mock, server))


def test_many_flows_failing_before_their_first_page_block_nothing(tmp_path: Path) -> None:
    flows = [FLOW, "FW" + "f" * 32]
    served = MockStudio(flows=dict.fromkeys(flows, 120), seed=3)
    args = ["list", *flows, "--output-dir", str(tmp_path), "--page-size", str(PAGE)]
    failed = run_cli(*args, env=with_base(served, closed_port()))
    assert failed.returncode == 4, failed.stderr
    assert "Traceback" not in failed.stderr
    assert list(tmp_path.iterdir()) == []
    with served.serve() as working:
        again = run_cli(*args, env=with_base(served, working))
    assert again.returncode == 0, again.stderr
    for flow in flows:
        assert jsonl(tmp_path / f"{flow}.jsonl") == served.engagements(flow)


def test_ctrl_c_during_the_first_request_leaves_nothing_that_blocks(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    mock.inject(Fault.delay(5), times=1)
    code, stderr = interrupted([*CLI, *command(out)], with_base(mock, server), mock, requests=1)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert_the_same_command_is_exact(mock, out, with_base(mock, server))


def half_done(mock: MockStudio, server: str, out: Path) -> dict[str, Any]:
    """Export two pages, then fail: the .partial and its state, as a real outage leaves them."""
    mock.inject(Fault.server_error(503), times=1, after=2)
    failed = run_cli(*command(out, "--base-url", server, "--max-retries", "0"), env=mock_env(mock))
    assert failed.returncode == 3, failed.stderr
    state: dict[str, Any] = json.loads(Path(f"{out}.partial.state.json").read_text())
    assert state["size"] == Path(f"{out}.partial").stat().st_size
    return state


def edit_state(field: str, value: Callable[[Any], Any]) -> Callable[[Path, dict[str, Any]], None]:
    def edit(out: Path, state: dict[str, Any]) -> None:
        state[field] = value(state[field])
        Path(f"{out}.partial.state.json").write_text(json.dumps(state))

    return edit


def write_state(text: str) -> Callable[[Path, dict[str, Any]], None]:
    return lambda out, state: Path(f"{out}.partial.state.json").write_text(text)


def empty_partial(out: Path, state: dict[str, Any]) -> None:
    Path(f"{out}.partial").write_bytes(b"")


def cut_partial(out: Path, state: dict[str, Any]) -> None:
    with Path(f"{out}.partial").open("r+b") as partial:
        partial.truncate(state["size"] - 7)


def edit_partial(out: Path, state: dict[str, Any]) -> None:
    partial = Path(f"{out}.partial")
    partial.write_bytes(partial.read_bytes().replace(b'"FN', b'"XX'))


TAMPERED = {
    "size too large": edit_state("size", lambda size: size + 4096),
    "size mid-record": edit_state("size", lambda size: size - 7),
    "size one record short": lambda out, state: edit_state(
        "size", lambda size: 1 + (Path(f"{out}.partial").read_bytes().rindex(b"\n", 0, size - 1))
    )(out, state),
    "size negative": edit_state("size", lambda size: -1),
    "size a string": edit_state("size", str),
    "no next page": edit_state("next_url", lambda url: None),
    "partial emptied": empty_partial,
    "partial cut mid-record": cut_partial,
    "partial edited": edit_partial,
    "state is null": write_state("null"),
    "state is a string": write_state('"state"'),
    "state is not JSON": write_state("{"),
    "state is a list": write_state("[1, 2]"),
}


@pytest.mark.parametrize("tamper", TAMPERED.values(), ids=TAMPERED.keys())
def test_a_tampered_state_is_refused_and_restart_is_exact(
    mock: MockStudio, server: str, tmp_path: Path, tamper: Callable[[Path, dict[str, Any]], None]
) -> None:
    out = tmp_path / "out.jsonl"
    tamper(out, half_done(mock, server, out))
    mock.reset_requests()
    refused_then_restarted(mock, server, out)


@pytest.mark.parametrize("printed", [False, True], ids=["same command", "--resume-from URL"])
def test_a_partial_longer_than_its_state_is_cut_back_and_resumed(
    mock: MockStudio, server: str, tmp_path: Path, printed: bool
) -> None:
    out = tmp_path / "out.jsonl"
    state = half_done(mock, server, out)
    with Path(f"{out}.partial").open("ab") as partial:  # as a kill -9 mid-page leaves it
        partial.write(b'{"sid": "half a page written after the state was saved"}\n')
    resume = ["--resume-from", state["next_url"]] if printed else []
    resumed = run_cli(*command(out, "--base-url", server, *resume), env=mock_env(mock))
    assert resumed.returncode == 0, resumed.stderr
    assert f"after {state['engagements']:,} engagements ({state['pages']} pages)" in resumed.stderr
    assert_exact(mock, out)


def test_an_unrelated_file_at_the_output_is_refused_then_replaced_with_restart(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "notes.txt"
    out.write_text("my notes\n")
    assert str(out) in refused_then_restarted(mock, server, out)


def test_complete_means_finished_with_the_same_options(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.jsonl"
    assert run_cli(*command(out, "--base-url", server), env=mock_env(mock)).returncode == 0
    mock.reset_requests()
    again = run_cli(*command(out, "--base-url", server), env=mock_env(mock))
    assert again.returncode == 0
    assert "complete already" in again.stderr
    other_fields = run_cli(
        *command(out, "--base-url", server, "--fields", "sid,status"), env=mock_env(mock)
    )
    assert_one_line(other_fields, 2)
    assert "--fields" in other_fields.stderr
    kept = run_cli(*command(out, "--base-url", server, "--restart"), env=mock_env(mock))
    assert kept.returncode == 0
    assert "complete already" in kept.stderr
    assert mock.requests == []
    out.write_text(out.read_text() + "{}\n")  # edited since: not what the export wrote
    assert_one_line(run_cli(*command(out, "--base-url", server), env=mock_env(mock)), 2)
    assert (
        run_cli(*command(out, "--base-url", server, "--restart"), env=mock_env(mock)).returncode
        == 0
    )
    assert_exact(mock, out)


def test_a_paging_loop_never_duplicates_an_engagement(mock: MockStudio, tmp_path: Path) -> None:
    """The third page's next_page_url points back to itself: the walk refuses it, every time."""
    seen: dict[int, str] = {}

    def loop(path: str, page: dict[str, Any]) -> None:
        seen.setdefault(page["meta"]["page"], page["meta"]["next_page_url"])
        if page["meta"]["page"] == 2:
            page["meta"]["next_page_url"] = seen[1]

    out = tmp_path / "out.jsonl"
    with serve_rewritten(mock, loop) as looping:
        for _ in range(4):
            failed = run_cli(*command(out, "--base-url", looping), env=mock_env(mock))
            assert_one_line(failed, 3)
            assert "already read" in failed.stderr
            sids = [record["sid"] for record in jsonl(Path(f"{out}.partial"))]
            # Cut back to the last page whose next URL was good: the looping page is not kept.
            assert sids == [record["sid"] for record in mock.engagements(FLOW)[: 2 * PAGE]]
            state = json.loads(Path(f"{out}.partial.state.json").read_text())
            assert state["engagements"] == 2 * PAGE  # the last page whose next URL was good
    assert not out.exists()


@pytest.mark.parametrize(
    ("option", "where"),
    [
        ("--output", lambda tmp: tmp / "missing" / "out.jsonl"),
        ("--output", lambda tmp: tmp / "a-file" / "out.jsonl"),
        ("--output-dir", lambda tmp: tmp / "a-file" / "exports"),
        ("--output", lambda tmp: Path("/proc/out.jsonl")),
        ("--output-dir", lambda tmp: Path("/proc/exports")),
    ],
    ids=["missing parent", "parent is a file", "folder under a file", "/proc", "folder in /proc"],
)
def test_outputs_that_cannot_be_written_are_one_line_exit_1(
    mock: MockStudio, server: str, tmp_path: Path, option: str, where: Callable[[Path], Path]
) -> None:
    (tmp_path / "a-file").write_text("")
    result = run_cli(
        "list", FLOW, "--base-url", server, option, str(where(tmp_path)), env=mock_env(mock)
    )
    assert_one_line(result, 1)
    assert "cannot write" in result.stderr
    assert mock.requests == []
