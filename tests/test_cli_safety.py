"""Nothing kept is put at risk: each case against a server that misbehaves that way.

A restart that cannot reach the API or is refused by it, a file another program holds or that
cannot be written, an engagement or flow deleted at Twilio, steps of another engagement, a steps
list that never ends, a list that loops back across reruns, two runs through a symlink.
"""

from __future__ import annotations

import contextlib
import json
import socket
import sqlite3
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from studio_engagements.cli._archive_store import file_error
from studio_engagements.testing import MockStudio

from .helpers import CLI, file_size_limit, jsonl, mock_env, run_cli
from .processes import serve_wsgi

FLOW = "FW" + "1" * 32
GONE = "FW" + "2" * 32
COUNT, PAGE = 30, 10
STUDIO = "https://studio.twilio.com"
# Runs its arguments as a command; prints the command's exit code and its own peak RSS (KiB).
PEAK = (
    "import os, subprocess, sys; child = subprocess.Popen(sys.argv[1:]); "
    "_, status, usage = os.wait4(child.pid, 0); "
    "print(os.waitstatus_to_exitcode(status), usage.ru_maxrss)"
)

Intercept = Callable[[str, str], tuple[int, bytes] | None]


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: COUNT, GONE: 12}, seed=21)


@contextlib.contextmanager
def serve_with(mock: MockStudio, intercept: Intercept) -> Iterator[str]:
    """The mock over real HTTP, except where ``intercept(path, query)`` answers instead."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        answer = intercept(environ["PATH_INFO"], environ.get("QUERY_STRING", ""))
        if answer is None:
            return list(mock.app(environ, start_response))
        status, body = answer
        start_response(
            f"{status} X",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    with serve_wsgi(app) as base:
        yield base


def not_found(path: str) -> tuple[int, bytes]:
    body = {"code": 20404, "message": f"The requested resource {path} was not found", "status": 404}
    return 404, json.dumps(body).encode()


def archive(
    mock: MockStudio, base: str, out: Path, *extra: str, flows: tuple[str, ...] = (FLOW,)
) -> subprocess.CompletedProcess[str]:
    args = ["archive", *flows, "--steps", "--page-size", str(PAGE), "--base-url", base]
    return run_cli(*args, "--output", str(out), *extra, env=mock_env(mock))


def rows(out: Path, query: str) -> list[tuple[Any, ...]]:
    with contextlib.closing(sqlite3.connect(out)) as db:
        return db.execute(query).fetchall()


def closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


# -- restart: built beside, swapped in only when complete -----------------------------------------


def test_a_restart_that_cannot_reach_the_api_or_is_refused_leaves_the_archive_as_it_was(
    mock: MockStudio, tmp_path: Path
) -> None:
    out = tmp_path / "history.sqlite"
    with serve_with(mock, lambda path, query: None) as base:
        assert archive(mock, base, out).returncode == 0
    before = out.read_bytes()
    down = archive(mock, closed_port(), out, "--restart", "--max-retries", "0")
    assert down.returncode == 4, down.stderr
    assert "--restart" not in down.stderr.split("error:", 1)[1].split(";")[0]
    env = {**mock_env(mock), "TWILIO_AUTH_TOKEN": "wrong"}
    with serve_with(mock, lambda path, query: None) as base:
        args = ["archive", FLOW, "--steps", "--base-url", base, "--output", str(out), "--restart"]
        wrong = run_cli(*args, env=env)
    assert wrong.returncode == 3, wrong.stderr
    assert "check the credentials" in wrong.stderr
    assert out.read_bytes() == before  # every row, byte for byte
    assert not Path(f"{out}.partial").exists()  # a restart that kept nothing leaves nothing


def test_an_interrupted_restart_keeps_the_old_archive_and_the_next_one_swaps_in(
    mock: MockStudio, tmp_path: Path
) -> None:
    out = tmp_path / "history.sqlite"
    with serve_with(mock, lambda path, query: None) as base:
        assert archive(mock, base, out).returncode == 0
    before = out.read_bytes()
    seen = {"steps": 0}

    def fail_late(path: str, query: str) -> tuple[int, bytes] | None:
        if path.endswith("/Steps"):
            seen["steps"] += 1
            if seen["steps"] > 5:
                return 503, b'{"code": 20503, "message": "down", "status": 503}'
        return None

    with serve_with(mock, fail_late) as base:
        failed = archive(mock, base, out, "--restart", "--max-retries", "0", "--concurrency", "1")
    assert failed.returncode == 3, failed.stderr
    assert out.read_bytes() == before
    assert Path(f"{out}.partial").exists()
    assert "unchanged" in failed.stderr
    with serve_with(mock, lambda path, query: None) as base:
        done = archive(mock, base, out, "--restart")
    assert done.returncode == 0, done.stderr
    assert not Path(f"{out}.partial").exists()
    (runs,) = rows(out, "SELECT COUNT(*) FROM archive_runs")[0]
    assert runs == 2  # the new archive's runs: the interrupted restart, then the one that ended


def test_a_list_restart_that_fails_keeps_the_file_and_its_manifest(
    mock: MockStudio, tmp_path: Path
) -> None:
    out = tmp_path / "export.jsonl"
    with serve_with(mock, lambda path, query: None) as base:
        first = run_cli("list", FLOW, "--base-url", base, "--output", str(out), env=mock_env(mock))
    assert first.returncode == 0, first.stderr
    manifest = out.with_name(out.name + ".export.json")
    kept = out.read_bytes(), manifest.read_bytes()
    args = ["list", FLOW, "--output", str(out), "--restart", "--fields", "sid,status"]
    failed = run_cli(*args, "--base-url", closed_port(), "--max-retries", "0", env=mock_env(mock))
    assert failed.returncode == 4, failed.stderr
    assert (out.read_bytes(), manifest.read_bytes()) == kept
    with serve_with(mock, lambda path, query: None) as base:
        again = run_cli(*args, "--base-url", base, env=mock_env(mock))
    assert again.returncode == 0, again.stderr
    assert [record["sid"] for record in jsonl(out)] == [e["sid"] for e in mock.engagements(FLOW)]


# -- files that are busy, read-only, or not archives ----------------------------------------------


def test_an_archive_another_program_holds_is_said_to_be_busy_not_to_be_restarted(
    mock: MockStudio, tmp_path: Path
) -> None:
    out = tmp_path / "history.sqlite"
    with serve_with(mock, lambda path, query: None) as base:
        assert archive(mock, base, out).returncode == 0
        holder = sqlite3.connect(out, isolation_level=None)
        holder.execute("BEGIN EXCLUSIVE")  # a notebook in the middle of a write
        try:
            busy = archive(mock, base, out)
        finally:
            holder.execute("ROLLBACK")
            holder.close()
    assert busy.returncode == 2, busy.stderr
    assert "in use by another program" in busy.stderr
    assert "--restart" not in busy.stderr
    assert "Traceback" not in busy.stderr


def test_a_read_only_archive_is_said_to_be_read_only(tmp_path: Path) -> None:
    """As SQLite says it (the CLI runs as root in CI, which writes read-only files anyway)."""
    out = tmp_path / "history.sqlite"
    sqlite3.connect(out).close()
    reader = sqlite3.connect(f"{out.as_uri()}?mode=ro", uri=True)
    with contextlib.closing(reader), pytest.raises(sqlite3.OperationalError) as raised:
        reader.execute("CREATE TABLE t (x)")
    said = file_error(out, raised.value)
    assert isinstance(said, OSError)
    assert "read-only" in str(said)
    assert "--restart" not in str(said)


def test_a_read_only_folder_is_refused_before_anything_and_leaves_nothing(
    mock: MockStudio, tmp_path: Path
) -> None:
    folder = tmp_path / "sealed"
    folder.mkdir()
    out = folder / "history.sqlite"
    with serve_with(mock, lambda path, query: None) as base:
        assert archive(mock, base, out).returncode == 0
        # A full or read-only file system: writes past 0 bytes fail, as a sealed folder would.
        result = run_cli(
            "archive", FLOW, "--steps", "--base-url", base, "--output", str(out),
            env=mock_env(mock), preexec_fn=file_size_limit(0),
        )  # fmt: skip
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "cannot rollback" not in result.stderr
    assert "--restart" not in result.stderr
    assert not Path(f"{out}-wal").exists() or result.returncode == 0


# -- gone at Twilio: recorded as unavailable, the run completes ------------------------------------


def test_an_engagement_deleted_at_twilio_is_recorded_and_the_archive_completes(
    mock: MockStudio, tmp_path: Path
) -> None:
    deleted = mock.engagements(FLOW)[3]["sid"]
    out = tmp_path / "history.sqlite"

    def gone(path: str, query: str) -> tuple[int, bytes] | None:
        return not_found(path) if f"/Engagements/{deleted}/" in path else None

    with serve_with(mock, gone) as base:
        result = archive(mock, base, out)
        assert result.returncode == 0, result.stderr
        again = archive(mock, base, out)
    assert again.returncode == 0, again.stderr
    assert rows(out, "SELECT sid, what FROM archive_unavailable") == [(deleted, "steps")]
    (kept,) = rows(out, f"SELECT COUNT(*) FROM engagements WHERE sid = '{deleted}'")[0]
    assert kept == 1  # the engagement itself is kept, as listed
    (total,) = rows(out, "SELECT COUNT(*) FROM engagements")[0]
    assert total == COUNT


def test_a_deleted_flow_is_unavailable_and_a_mistyped_one_is_an_error(
    mock: MockStudio, tmp_path: Path
) -> None:
    out = tmp_path / "history.sqlite"
    with serve_with(mock, lambda path, query: None) as base:
        assert archive(mock, base, out, flows=(FLOW, GONE)).returncode == 0

    def deleted(path: str, query: str) -> tuple[int, bytes] | None:
        return not_found(path) if path.startswith(f"/v1/Flows/{GONE}") else None

    typo = "FW" + "9" * 32
    with serve_with(mock, deleted) as base:
        result = archive(mock, base, out, flows=(FLOW, GONE))
        mistyped = archive(mock, base, out, flows=(FLOW, typo))
    assert result.returncode == 0, result.stderr
    assert "unavailable" in result.stderr
    assert GONE in result.stderr.split("archive summary", 1)[1]
    (held,) = rows(out, f"SELECT COUNT(*) FROM engagements WHERE flow_sid = '{GONE}'")[0]
    assert held == 12  # kept as last seen
    assert mistyped.returncode == 3, mistyped.stderr
    assert "check the flow SID" in mistyped.stderr
    with serve_with(mock, lambda path, query: None) as base:
        every = archive(mock, base, out, flows=("--all-flows",))
    assert every.returncode == 0, every.stderr  # the typo, named once, is not walked again
    assert typo not in every.stderr


# -- records of another parent, lists without end, loops -------------------------------------------


def test_steps_naming_another_engagement_are_refused_and_nothing_of_it_changes(
    mock: MockStudio, tmp_path: Path
) -> None:
    out = tmp_path / "history.sqlite"
    a, b = (e["sid"] for e in mock.engagements(FLOW)[:2])
    with serve_with(mock, lambda path, query: None) as base:
        assert archive(mock, base, out).returncode == 0
    b_steps = rows(out, f"SELECT * FROM steps WHERE engagement_sid = '{b}' ORDER BY _position")
    assert b_steps

    # An update that finds A changed reads A's steps; the server answers with B's.
    with contextlib.closing(sqlite3.connect(out)) as db:
        db.execute(
            "UPDATE engagements SET date_updated = '2000-01-01T00:00:00Z' WHERE sid = ?", (a,)
        )
        db.commit()

    def b_for_a(path: str, query: str) -> tuple[int, bytes] | None:
        if path.endswith(f"/Engagements/{a}/Steps"):
            page = mock.steps(FLOW, b)
            body = {"steps": page, "meta": {"next_page_url": None, "key": "steps"}}
            return 200, json.dumps(body).encode()
        return None

    with serve_with(mock, b_for_a) as base:
        result = archive(mock, base, out)
    assert result.returncode == 3, result.stderr
    assert a in result.stderr.split("archive summary", 1)[-1] or b in result.stderr
    assert (
        rows(out, f"SELECT * FROM steps WHERE engagement_sid = '{b}' ORDER BY _position") == b_steps
    )
    (a_steps,) = rows(out, f"SELECT COUNT(*) FROM steps WHERE engagement_sid = '{a}'")[0]
    assert a_steps == len(mock.steps(FLOW, a))  # A's old steps stay: its update was refused


def test_a_steps_list_that_never_ends_stops_at_studio_s_bound(
    mock: MockStudio, tmp_path: Path
) -> None:
    out = tmp_path / "history.sqlite"
    endless = mock.engagements(FLOW)[0]["sid"]
    served = {"pages": 0}

    def forever(path: str, query: str) -> tuple[int, bytes] | None:
        if not path.endswith(f"/Engagements/{endless}/Steps"):
            return None
        served["pages"] += 1
        n = served["pages"]
        step = mock.steps(FLOW, endless)[0]
        body = {
            "steps": [dict(step, sid=f"FT{n * 50 + i:032x}") for i in range(50)],
            "meta": {"key": "steps", "next_page_url": f"{STUDIO}{path}?PageSize=50&PageToken=T{n}"},
        }
        return 200, json.dumps(body).encode()

    with serve_with(mock, forever) as base:
        args = ["archive", FLOW, "--steps", "--base-url", base, "--output", str(out),
                "--max-retries", "0"]  # fmt: skip
        # Through a small parent of its own: a child forked from this (large) test process
        # would count this process's memory in its peak.
        run = subprocess.run(
            [sys.executable, "-c", PEAK, *CLI, *args], env=mock_env(mock), capture_output=True,
            text=True, timeout=300,
        )  # fmt: skip
    code, peak_kib = map(int, run.stdout.split())
    assert code == 3, run.stderr
    assert "1,000" in run.stderr
    assert served["pages"] <= 21  # 1,000 steps of 50 a page, and the one that went past them
    assert peak_kib < 400 * 1024
    (stored,) = rows(out, f"SELECT COUNT(*) FROM steps WHERE engagement_sid = '{endless}'")[0]
    assert stored == 0


def test_a_list_that_loops_back_never_writes_a_page_twice_across_reruns(
    mock: MockStudio, tmp_path: Path
) -> None:
    out = tmp_path / "export.jsonl"
    first_page: dict[str, Any] = {}

    healed = threading.Event()

    def loop(path: str, query: str) -> tuple[int, bytes] | None:
        if healed.is_set() or not path.endswith("/Engagements") or "PageToken" not in query:
            return None
        # Page 2 answers with page 1's records, under a fresh token each time.
        return 200, json.dumps(first_page["body"]).encode()

    env = mock_env(mock)
    with mock.client() as client:
        sent = client.engagements.page(FLOW, page_size=PAGE).sent_json()
    # Its URLs on Twilio's host, which the client follows on the configured origin.
    first_page["body"] = json.loads(
        sent.replace(MockStudio.IN_PROCESS_URL.encode(), STUDIO.encode())
    )
    args = ["list", FLOW, "--page-size", str(PAGE), "--output", str(out)]
    with serve_with(mock, loop) as base:
        for _ in range(3):
            result = run_cli(*args, "--base-url", base, env=env)
            assert result.returncode == 3, result.stderr
            partial = out.with_name(out.name + ".partial")
            sids = [json.loads(line)["sid"] for line in partial.read_text().splitlines()]
            assert len(sids) == len(set(sids)) == PAGE  # page 1 once, however many reruns
        healed.set()
        done = run_cli(*args, "--base-url", base, env=env)
    assert done.returncode == 0, done.stderr
    sids = [record["sid"] for record in jsonl(out)]
    assert sids == [e["sid"] for e in mock.engagements(FLOW)]


def test_two_archives_through_a_symlink_one_is_refused(mock: MockStudio, tmp_path: Path) -> None:
    out = tmp_path / "history.sqlite"
    link = tmp_path / "link.sqlite"
    link.symlink_to(out)

    def slow(path: str, query: str) -> tuple[int, bytes] | None:
        threading.Event().wait(0.05)
        return None

    with serve_with(mock, slow) as base:
        runs = [
            subprocess.Popen(
                [*CLI, "archive", FLOW, "--steps", "--base-url", base, "--output", str(target)],
                env=mock_env(mock), stderr=subprocess.PIPE, text=True,
            )
            for target in (out, link)
        ]  # fmt: skip
        results = [(run.wait(timeout=120), run.communicate()[1]) for run in runs]
    assert sorted(code for code, _ in results) == [0, 2], results
