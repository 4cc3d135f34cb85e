"""The engine's sinks, in process: the contract every sink passes, and the engine around them.

A sink says where a job stands before anything is sent, commits records with the checkpoint
they move on in one step (a commit that fails leaves the one before), and finishes. Another
sink (PostgreSQL, DuckDB) would join ``SINKS`` and pass the same tests.
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from studio_engagements import Engagement, Step
from studio_engagements.cli import _file_sink
from studio_engagements.cli._archive_sink import ArchiveSink
from studio_engagements.cli._archive_store import ArchiveStore
from studio_engagements.cli._exits import INTERRUPTED
from studio_engagements.cli._file_sink import FileSink
from studio_engagements.cli._jobs import Job, JobState, Sink, Stand
from studio_engagements.cli._journal import Manifest, SavedState, Shape, state_path
from studio_engagements.cli._rows import FIELDS
from studio_engagements.cli._runner import Runner, carry_out
from studio_engagements.testing import MockStudio

FLOW = "FW" + "4" * 32
COUNT, PAGE = 25, 10


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: COUNT}, seed=5)


def engagements(mock: MockStudio) -> list[Any]:
    return [Engagement.from_dict(record) for record in mock.engagements(FLOW)]


def steps_of(mock: MockStudio, record: Any) -> list[Any]:
    return [Step.from_dict(step) for step in mock.steps(FLOW, record.sid)]


class FileKind:
    """A file sink, opened anew for each run (as each run of the CLI does)."""

    def __init__(self, folder: Path) -> None:
        self.path = folder / "out.jsonl"

    def open(self) -> Sink:
        return FileSink(Shape("jsonl", FIELDS, PAGE, None), lambda sid: self.path, restart=False)

    def kept(self) -> list[str]:
        """The SIDs kept so far: the whole file, or the ``.partial`` up to its saved state."""
        if self.path.exists():
            return [line.split('"sid": "', 1)[1][:34] for line in _sids(self.path)]
        partial = self.path.with_name(self.path.name + ".partial")
        if not partial.exists():
            return []
        return [line.split('"sid": "', 1)[1][:34] for line in _sids(partial)]

    def close(self, sink: Sink, jobs: list[Job]) -> None:
        sink.close(jobs, interrupted=False)


def _sids(path: Path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line]


class ArchiveKind:
    """The archive sink (``steps``: with each engagement's steps)."""

    def __init__(self, folder: Path, steps: bool) -> None:
        self.path, self.steps = folder / "history.sqlite", steps

    def open(self) -> Sink:
        sink = ArchiveSink(ArchiveStore(self.path), steps=self.steps, warn=lambda text: None)
        sink.add_flows([], [FLOW])
        return sink

    def kept(self) -> list[str]:
        if not self.path.exists():
            return []
        with contextlib.closing(sqlite3.connect(self.path)) as db:
            query = "SELECT sid FROM engagements ORDER BY date_created DESC, sid"
            return [sid for (sid,) in db.execute(query)]

    def close(self, sink: Sink, jobs: list[Job]) -> None:
        sink.close(jobs, interrupted=False)


SINKS: dict[str, Callable[[Path], Any]] = {
    "file": FileKind,
    "archive": lambda folder: ArchiveKind(folder, steps=False),
    "archive --steps": lambda folder: ArchiveKind(folder, steps=True),
}


@pytest.fixture(params=list(SINKS))
def kind(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    return SINKS[request.param](tmp_path)


def commit(sink: Sink, job: Job, page: list[Any], cursor: str | None, mock: MockStudio) -> bool:
    """What the engine does with a page: owed steps first, one by one, then the page."""
    for record in sink.owed(job, page) if sink.steps else []:
        sink.commit_record(job, record, steps_of(mock, record))
    going_on = sink.commit_page(job, page, cursor)
    job.pages += 1
    return going_on


def test_a_new_output_starts_and_standing_writes_nothing(kind: Any, tmp_path: Path) -> None:
    before = sorted(tmp_path.iterdir())
    sink = kind.open()
    job = Job(FLOW)
    assert sink.stand(job).stand is Stand.START
    if isinstance(kind, FileKind):
        assert sorted(tmp_path.iterdir()) == before  # nothing written before the first page
    kind.close(sink, [job])


def test_a_rerun_resumes_after_the_last_commit_exactly(kind: Any, mock: MockStudio) -> None:
    records = engagements(mock)
    sink = kind.open()
    job = Job(FLOW)
    job.standing = sink.stand(job)
    commit(sink, job, records[:PAGE], "https://studio.twilio.com/next-1", mock)
    kind.close(sink, [job])  # as after Ctrl-C: what was committed stays
    again = kind.open()
    rerun = Job(FLOW)
    standing = again.stand(rerun)
    assert standing.stand is Stand.RESUME
    assert standing.cursor == "https://studio.twilio.com/next-1"
    assert sorted(kind.kept()) == sorted(r.sid for r in records[:PAGE])
    kind.close(again, [rerun])


def test_a_commit_that_fails_leaves_the_one_before(
    kind: Any, mock: MockStudio, monkeypatch: pytest.MonkeyPatch
) -> None:
    records = engagements(mock)
    sink = kind.open()
    job = Job(FLOW)
    job.standing = sink.stand(job)
    commit(sink, job, records[:PAGE], "https://studio.twilio.com/next-1", mock)
    page = records[PAGE : 2 * PAGE]
    if isinstance(kind, FileKind):  # the disk fills up as the page is written
        monkeypatch.setattr(_file_sink.os, "fsync", full_disk)
    else:  # a row SQLite refuses (a flow the archive does not hold), after the others
        page = [
            *page[:-1],
            Engagement.from_dict({**page[-1].to_dict(), "flow_sid": "FW" + "0" * 32}),
        ]
    with pytest.raises((OSError, sqlite3.Error, Exception)):
        commit(sink, job, page, "https://studio.twilio.com/next-2", mock)
    monkeypatch.undo()
    kind.close(sink, [job])
    kept = set(kind.kept())
    assert set(r.sid for r in records[:PAGE]) <= kept
    if not kind_commits_each_engagement(kind):
        assert kept == {r.sid for r in records[:PAGE]}  # none of the failed page
    assert page[-1].sid not in kept
    again = kind.open()
    assert again.stand(Job(FLOW)).cursor == "https://studio.twilio.com/next-1"
    kind.close(again, [])


def full_disk(fd: int) -> None:
    raise OSError(28, "No space left on device")


def kind_commits_each_engagement(kind: Any) -> bool:
    """With --steps, each engagement is committed with its steps: the unit is the engagement."""
    return isinstance(kind, ArchiveKind) and kind.steps


def test_a_finished_walk_is_complete_or_updated_next_time(kind: Any, mock: MockStudio) -> None:
    records = engagements(mock)
    sink = kind.open()
    job = Job(FLOW)
    job.standing = sink.stand(job)
    commit(sink, job, records[:PAGE], "https://studio.twilio.com/next-1", mock)
    commit(sink, job, records[PAGE:], None, mock)
    assert sink.finish(job) is None
    job.state = JobState.DONE
    kind.close(sink, [job])
    assert kind.kept() == [r.sid for r in records] or sorted(kind.kept()) == sorted(
        r.sid for r in records
    )
    again = kind.open()
    expected = Stand.COMPLETE if isinstance(kind, FileKind) else Stand.UPDATE
    assert again.stand(Job(FLOW)).stand is expected
    kind.close(again, [])


# -- the journal and the archive's state, in process ----------------------------------------------


def test_an_edited_state_is_refused_and_marks_survive_a_round_trip(tmp_path: Path) -> None:
    partial = tmp_path / "out.jsonl.partial"
    partial.write_bytes(b'{"sid": "x"}\n')
    shape = Shape("jsonl", FIELDS, PAGE, None)
    state = SavedState(FLOW, shape, "https://a/next", 1, 1, 13, "t", ["m1", "m2"])
    state.save(state_path(partial))
    assert SavedState.load(state_path(partial)).marks == ["m1", "m2"]
    text = state_path(partial).read_text().replace('"m1"', '"m9"')
    state_path(partial).write_text(text)
    with pytest.raises(Exception, match="edited"):
        SavedState.load(state_path(partial))


def test_a_manifest_describes_only_the_file_it_was_written_for(tmp_path: Path) -> None:
    final = tmp_path / "out.jsonl"
    final.write_bytes(b'{"sid": "x"}\n')
    Manifest.of(final, FLOW, Shape("jsonl", FIELDS, None, None), 1, 1).save(final)
    assert Manifest.load(final) is not None
    final.write_bytes(b'{"sid": "y"}\n')  # same length, other bytes
    assert Manifest.load(final) is None


def test_an_archive_made_by_an_earlier_version_is_brought_up_to_date(tmp_path: Path) -> None:
    path = tmp_path / "old.sqlite"
    with contextlib.closing(sqlite3.connect(path)) as db:
        db.executescript(
            """
            CREATE TABLE _archive (key TEXT PRIMARY KEY, value TEXT);
            INSERT INTO _archive VALUES ('options', '{"flows": "all", "steps": true}');
            CREATE TABLE _archive_flows (flow_sid TEXT PRIMARY KEY, position INTEGER,
                next_url TEXT, pages INTEGER DEFAULT 0, engagements INTEGER DEFAULT 0,
                done INTEGER DEFAULT 0);
            INSERT INTO _archive_flows VALUES ('FW1', 0, NULL, 3, 2, 1);
            CREATE TABLE _archive_pending_steps (engagement_sid TEXT PRIMARY KEY, flow_sid TEXT);
            INSERT INTO _archive_pending_steps VALUES ('FN2', 'FW1');
            CREATE TABLE flows (sid TEXT PRIMARY KEY, friendly_name);
            INSERT INTO flows VALUES ('FW1', 'Survey');
            CREATE TABLE engagements (sid TEXT PRIMARY KEY, flow_sid, status);
            INSERT INTO engagements VALUES ('FN1', 'FW1', 'ended'), ('FN2', 'FW1', 'active');
            CREATE TABLE steps (sid TEXT PRIMARY KEY, engagement_sid, name);
            INSERT INTO steps VALUES ('FT1', 'FN1', 'a'), ('FT0', 'FN1', 'b');
            """
        )
    ArchiveStore(path).close()
    with contextlib.closing(sqlite3.connect(path)) as db:
        types = {row[1]: row[2] for row in db.execute("PRAGMA table_info(engagements)")}
        assert (types["sid"], types["context"]) == ("TEXT", "TEXT")
        order = db.execute("SELECT sid, _position FROM steps ORDER BY _position").fetchall()
        assert order == [("FT1", 0), ("FT0", 1)]  # the order they were written in, kept
        assert db.execute("SELECT sid FROM engagements").fetchall() == [("FN1",)]
        assert db.execute("SELECT done, next_url FROM _archive_flows").fetchall() == [(0, None)]
        assert db.execute("SELECT friendly_name FROM flows").fetchall() == [("Survey",)]


# -- the engine -----------------------------------------------------------------------------------


def options_for(mock: MockStudio, transport: httpx.BaseTransport | None = None) -> dict[str, Any]:
    return {
        "account_sid": mock.account_sid, "auth_token": mock.auth_token,
        "base_url": MockStudio.IN_PROCESS_URL,
        "http_client": httpx.Client(transport=transport or mock.transport()),
    }  # fmt: skip


class Counting(httpx.BaseTransport):
    """The mock's transport, counting requests under way at once."""

    def __init__(self, inner: httpx.BaseTransport) -> None:
        self.inner, self.now, self.most = inner, 0, 0
        self.lock = threading.Lock()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        with self.lock:
            self.now += 1
            self.most = max(self.most, self.now)
        try:
            threading.Event().wait(0.002)
            return self.inner.handle_request(request)
        finally:
            with self.lock:
                self.now -= 1


@pytest.mark.parametrize("concurrency", [1, 3])
def test_the_engine_never_has_more_requests_under_way_than_concurrency(
    mock: MockStudio, tmp_path: Path, concurrency: int
) -> None:
    counting = Counting(mock.transport())
    sink = ArchiveKind(tmp_path, steps=True).open()
    outcome = carry_out(
        sink, [Job(FLOW)], options_for(mock, counting), concurrency=concurrency,
        page_size=PAGE, quiet=True, steps=True,
    )  # fmt: skip
    assert [job.state for job in outcome.jobs] == [JobState.DONE]
    assert 1 <= counting.most <= concurrency
    with contextlib.closing(sqlite3.connect(tmp_path / "history.sqlite")) as db:
        (kept,) = db.execute("SELECT COUNT(*) FROM engagements").fetchone()
    assert kept == COUNT


def test_ctrl_c_stops_the_engine_with_what_was_committed(
    mock: MockStudio, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    kind = ArchiveKind(tmp_path, steps=True)
    sink = kind.open()
    seen = {"requests": 0}

    class PressAfterTen(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            seen["requests"] += 1
            if seen["requests"] == 10:
                INTERRUPTED.presses = 1
            return mock.transport().handle_request(request)

    monkeypatch.setattr(INTERRUPTED, "presses", 0)
    runner = Runner(options_for(mock, PressAfterTen()), sink, concurrency=2, page_size=PAGE)
    job = Job(FLOW)
    job.standing = sink.stand(job)
    interrupted = runner.run([job])
    runner.close()
    sink.close([job], interrupted)
    assert interrupted
    assert job.state is JobState.INTERRUPTED
    assert seen["requests"] < 10 + 2 + 1  # no request started after the press but those under way
    kept = kind.kept()
    assert len(kept) < COUNT
    with contextlib.closing(sqlite3.connect(kind.path)) as db:
        for sid in kept:  # each kept engagement has every one of its steps
            (steps,) = db.execute(
                "SELECT COUNT(*) FROM steps WHERE engagement_sid = ?", (sid,)
            ).fetchone()
            assert steps == len(mock.steps(FLOW, sid))
