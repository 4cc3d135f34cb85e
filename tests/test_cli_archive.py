"""``studio-engagements archive`` against the mock over HTTP: the SQLite file holds exactly the
mock's flows, engagements and steps, and a rerun after an outage, a Ctrl-C or a second run at
once continues without fetching again what was committed.

``STUDIO_ENGAGEMENTS_SOAK=1`` (``nox -s soak``) runs the fault soak at full size.
"""

from __future__ import annotations

import json
import os
import random
import shlex
import signal
import sqlite3
import subprocess
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from studio_engagements.testing import Fault, MockStudio

from .helpers import CLI, ROOT, file_size_limit, interrupted, mock_env, run_cli
from .reliability import figure

FLOWS = ["FW" + letter * 32 for letter in "abc"]
OTHER = "FW" + "d" * 32
PAGE = 10
SOAK_RUNS = 12 if os.environ.get("STUDIO_ENGAGEMENTS_SOAK") else 3
INTERRUPTS = 40 if os.environ.get("STUDIO_ENGAGEMENTS_SOAK") else 10

pytestmark = pytest.mark.usefixtures("fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOWS[0]: 35, FLOWS[1]: 12, FLOWS[2]: 0, OTHER: 4}, seed=21)


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """Where a test's archive goes."""
    return tmp_path / "archive.sqlite"


def command(server: str, out: Path, *extra: str, flows: list[str] = FLOWS) -> list[str]:
    return ["archive", *flows, "--steps", "--base-url", server, "--page-size", str(PAGE),
            "--output", str(out), *extra]  # fmt: skip


def archive(mock: MockStudio, *args: str) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=mock_env(mock))


def table(out: Path, name: str) -> list[dict[str, Any]]:
    """Every row of a table, with its JSON text columns read back as JSON, ordered by sid."""
    with sqlite3.connect(out) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(row) for row in db.execute(f"SELECT * FROM {name} ORDER BY sid")]
    for row in rows:
        assert row.pop("_extra") is None  # the mock sends only the spec's fields
        row.pop("_position", None)  # the steps' order: checked by assert_exact
        for column in ("context", "links"):
            if isinstance(row.get(column), str):
                row[column] = json.loads(row[column])
    return rows


def by_sid(records: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(records, key=lambda record: record["sid"])


def assert_exact(mock: MockStudio, out: Path, flows: list[str] = FLOWS) -> None:
    """The archive holds the mock's records of ``flows``, row by row, and nothing else."""
    assert table(out, "flows") == by_sid([r for r in mock.flow_records() if r["sid"] in flows])
    engagements = [e for flow in flows for e in mock.engagements(flow)]
    assert table(out, "engagements") == by_sid(engagements)
    steps = [s for e in engagements for s in mock.steps(e["flow_sid"], e["sid"])]
    assert steps, "the mock's engagements have steps"
    assert table(out, "steps") == by_sid(steps)
    with sqlite3.connect(out) as db:
        ordered = [
            sid for (sid,) in db.execute("SELECT sid FROM steps ORDER BY engagement_sid, _position")
        ]
    assert ordered == [
        s["sid"]
        for e in sorted(engagements, key=lambda e: e["sid"])
        for s in mock.steps(e["flow_sid"], e["sid"])
    ]
    for suffix in ("-wal", "-shm", "-journal", ".lock"):
        assert not Path(f"{out}{suffix}").exists(), suffix  # the file alone holds everything


def the_same_command_finishes(
    mock: MockStudio, server: str, out: Path, *extra: str, flows: list[str] = FLOWS
) -> None:
    """With the faults gone, the same command (``extra`` options aside) makes the archive exact."""
    mock.clear_faults()
    resumed = archive(mock, *command(server, out, *extra, flows=flows))
    assert resumed.returncode == 0, resumed.stderr
    assert_exact(mock, out, flows)


def operations(mock: MockStudio) -> Counter[str | None]:
    return Counter(request.operation for request in mock.requests)


def test_three_flows_with_steps_row_by_row(mock: MockStudio, server: str, out: Path) -> None:
    result = archive(mock, *command(server, out, "--concurrency", "4"))
    assert result.returncode == 0, result.stderr
    assert_exact(mock, out)
    steps = sum(
        len(mock.steps(e["flow_sid"], e["sid"])) for f in FLOWS for e in mock.engagements(f)
    )
    assert f"archived 3 flows, 47 engagements and {steps:,} steps" in result.stderr
    assert "archive summary" in result.stderr
    # The fewest requests: one flows page, ceil(n / 10) engagement pages, one steps page each.
    assert operations(mock) == {"ListFlow": 1, "ListEngagement": 4 + 2 + 1, "ListStep": 47}
    mock.reset_requests()
    again = archive(mock, *command(server, out))
    assert again.returncode == 0, again.stderr
    assert "(0 new, 0 changed in this run)" in again.stderr
    assert operations(mock)["ListStep"] == 0  # an update reads no steps of what did not change
    assert_exact(mock, out)


def test_an_outage_then_the_same_command_fetches_nothing_committed_again(
    mock: MockStudio, server: str, out: Path
) -> None:
    mock.inject(Fault.server_error(503), times=40, after=20)
    failed = archive(mock, *command(server, out, "--max-retries", "0", "--concurrency", "2"))
    assert failed.returncode == 3, failed.stderr
    assert "Traceback" not in failed.stderr
    assert "run the same command again" in failed.stderr
    with sqlite3.connect(out) as db:
        committed = {sid for (sid,) in db.execute("SELECT sid FROM engagements")}
        stepped = Counter(sid for (sid,) in db.execute("SELECT engagement_sid FROM steps"))
    assert committed, "the first run committed some engagements"
    for sid in committed:  # an engagement is committed with all of its steps, or not at all
        (flow,) = [f for f in FLOWS if any(e["sid"] == sid for e in mock.engagements(f))]
        assert stepped[sid] == len(mock.steps(flow, sid))
    mock.reset_requests()
    the_same_command_finishes(mock, server, out)
    counts = operations(mock)
    assert counts["ListFlow"] == 1
    stepped_again = [r.path.split("/")[5] for r in mock.requests if r.operation == "ListStep"]
    assert len(stepped_again) == len(set(stepped_again))
    everything = {e["sid"] for f in FLOWS for e in mock.engagements(f)}
    assert set(stepped_again) == everything - committed  # nothing committed is read again


def test_ctrl_c_then_the_same_command_is_exact(mock: MockStudio, server: str, out: Path) -> None:
    mock.inject(Fault.delay(0.2), times=10_000)
    code, stderr = interrupted([*CLI, *command(server, out)], mock_env(mock), mock, requests=8)
    assert code == 130, stderr
    assert "Traceback" not in stderr
    assert not Path(f"{out}-wal").exists()
    the_same_command_finishes(mock, server, out, "--concurrency", "8")


def test_ctrl_c_at_random_moments_always_ends_and_the_archive_is_exact(tmp_path: Path) -> None:
    """Ctrl-C wherever it lands (a request, a commit, a wait for the steps being fetched by
    eight threads sharing one connection pool) ends the run with 130, resuming each time."""
    big = "FW" + "e" * 32
    mock = MockStudio(flows={big: 60 * INTERRUPTS}, seed=8)
    mock.inject(Fault.delay(0.01), times=1_000_000)  # requests take a while: moments to land in
    out, chance = tmp_path / "big.sqlite", random.Random(2027)
    with mock.serve() as server:
        run = [*CLI, *command(server, out, "--concurrency", "8", flows=[big])]
        for _ in range(INTERRUPTS):
            code, stderr = interrupted(
                run, mock_env(mock), mock, requests=1, pause=chance.uniform(0, 0.3)
            )
            assert code == 130, stderr
            assert "Traceback" not in stderr, stderr
        with sqlite3.connect(out) as db:
            (committed,) = db.execute("SELECT count(*) FROM engagements").fetchone()
        assert 0 < committed < 60 * INTERRUPTS  # interrupted mid-archive, resumed each time
        the_same_command_finishes(mock, server, out, flows=[big])


def test_two_runs_at_once_one_refused_and_the_archive_exact(
    mock: MockStudio, server: str, out: Path
) -> None:
    mock.inject(Fault.delay(0.05), times=10_000)
    args = [*CLI, *command(server, out)]
    pipes = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE, "text": True}
    runs = [subprocess.Popen(args, env=mock_env(mock), **pipes) for _ in range(2)]
    results = [(run.wait(timeout=120), run.communicate()[1]) for run in runs]
    mock.clear_faults()
    assert sorted(code for code, _ in results) == [0, 2], results
    (refused,) = [stderr for code, stderr in results if code == 2]
    assert "another export" in refused
    assert len(refused.strip().splitlines()) == 1
    assert_exact(mock, out)


def test_all_flows_reads_list_flow_first(mock: MockStudio, server: str, tmp_path: Path) -> None:
    out = tmp_path / "everything.sqlite"
    result = archive(mock, *command(server, out, flows=["--all-flows"]))
    assert result.returncode == 0, result.stderr
    assert mock.requests[0].operation == "ListFlow"
    assert_exact(mock, out, flows=[record["sid"] for record in mock.flow_records()])


def test_other_flows_join_the_archive_and_other_steps_are_refused_unless_restart(
    mock: MockStudio, server: str, out: Path
) -> None:
    assert archive(mock, *command(server, out, flows=[OTHER])).returncode == 0
    more = archive(mock, *command(server, out, flows=[OTHER, FLOWS[1]]))
    assert more.returncode == 0, more.stderr  # a flow named later is archived beside the others
    assert_exact(mock, out, flows=[OTHER, FLOWS[1]])
    mock.reset_requests()
    before = out.read_bytes()
    other = archive(
        mock, *[word for word in command(server, out, flows=[OTHER]) if word != "--steps"]
    )
    assert other.returncode == 2
    assert "--steps" in other.stderr
    assert "--restart" in other.stderr
    assert mock.requests == []
    assert out.read_bytes() == before
    restarted = archive(mock, *command(server, out, "--restart", flows=[OTHER, FLOWS[1]]))
    assert restarted.returncode == 0, restarted.stderr
    assert_exact(mock, out, flows=[OTHER, FLOWS[1]])


def test_a_file_that_is_not_an_archive_is_refused(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "notes.sqlite"
    out.write_text("my notes\n" * 100)
    result = archive(mock, *command(server, out))
    assert result.returncode == 2
    assert "is not an archive" in result.stderr
    assert out.read_text() == "my notes\n" * 100
    assert mock.requests == []


def test_fault_soak_every_rerun_continues_until_exact(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    faults = [Fault.server_error(503), Fault.rate_limit(retry_after=0), Fault.drop_connection()]
    reruns = 0
    for run in range(SOAK_RUNS):
        out = tmp_path / f"soak-{run}.sqlite"
        mock.inject_rate(0.3, faults, seed=run)
        codes = [archive(mock, *command(server, out, "--max-retries", "1")).returncode]
        while codes[-1] != 0 and len(codes) < 30:
            codes.append(archive(mock, *command(server, out, "--max-retries", "1")).returncode)
        mock.clear_faults()
        assert codes[-1] == 0, codes
        assert set(codes) <= {0, 3, 4}, codes
        assert_exact(mock, out)
        reruns += len(codes) - 1
    figure(f"archive soak: {SOAK_RUNS} archives under 30% faults, {reruns} reruns, all exact")


def test_the_readme_archive_and_its_queries(mock: MockStudio, server: str, tmp_path: Path) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("### Archive everything", 1)[1].split("\n## ", 1)[0]
    lines = [
        line
        for line in section.splitlines()
        if line.startswith(("studio-engagements ", "sqlite3 "))
    ]
    (line, *queries) = lines
    assert len(queries) == 2
    words = shlex.split(line)
    result = run_cli(*words[1:], "--base-url", server, env=mock_env(mock), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert_exact(mock, tmp_path / words[words.index("--output") + 1], flows=list(mock.flows))
    names = {record["sid"]: record["friendly_name"] for record in mock.flow_records()}
    engagements = [e for flow in mock.flows for e in mock.engagements(flow)]
    by_status = Counter((e["flow_sid"], e["status"] or "") for e in engagements)  # NULL: ""
    paths = Counter(
        " > ".join(step["transitioned_to"] for step in steps if step["transitioned_to"])
        for steps in (mock.steps(e["flow_sid"], e["sid"]) for e in engagements)
        if steps
    )
    expected = [
        [f"{flow}|{names[flow]}|{status}|{n}" for (flow, status), n in sorted(by_status.items())],
        [f"{path}|{count}" for path, count in sorted(paths.items(), key=lambda p: (-p[1], p[0]))][
            :5
        ],
    ]
    for query, lines_expected in zip(queries, expected, strict=True):
        shown = subprocess.run(shlex.split(query), capture_output=True, text=True, cwd=tmp_path)
        assert shown.returncode == 0, shown.stderr
        assert shown.stdout.splitlines() == lines_expected


def test_a_full_disk_is_one_line_and_the_same_command_then_finishes(
    mock: MockStudio, server: str, out: Path
) -> None:
    full = run_cli(*command(server, out), env=mock_env(mock), preexec_fn=file_size_limit(200_000))
    assert full.returncode == 1, full.stderr
    assert "Traceback" not in full.stderr
    assert f"cannot write {out}" in full.stderr
    the_same_command_finishes(mock, server, out)


def test_kill_9_then_the_same_command_is_exact(mock: MockStudio, server: str, out: Path) -> None:
    mock.inject(Fault.delay(0.05), times=10_000)
    # No cleanup at all: the commits in the -wal file are the archive's.
    killed = [*CLI, *command(server, out)]
    code, _ = interrupted(killed, mock_env(mock), mock, requests=20, stop=signal.SIGKILL)
    assert code == -signal.SIGKILL
    the_same_command_finishes(mock, server, out)
