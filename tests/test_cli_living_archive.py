"""The living archive: runs on a schedule against a world that moves (the mock with a clock, and a
small server of our own that evolves by day) keep every engagement ever served, as last served.
"""

from __future__ import annotations

import contextlib
import json
import math
import signal
import sqlite3
import subprocess
import threading
import urllib.parse
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from studio_engagements import Engagement, Step
from studio_engagements.testing import MockStudio

from .helpers import CLI, interrupted, mock_env, run_cli
from .processes import serve_wsgi

FLOWS = ["FW" + "7" * 32, "FW" + "8" * 32]
PAGE = 20
DAY = timedelta(days=1)


def archive(
    base: str, out: Path, env: dict[str, str], *extra: str
) -> subprocess.CompletedProcess[str]:
    args = ["archive", *FLOWS, "--steps", "--page-size", str(PAGE), "--base-url", base]
    return run_cli(*args, "--output", str(out), *extra, env=env)


def served(mock: MockStudio) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Every engagement the mock serves now, with its steps, by SID."""
    return {
        e["sid"]: (e, mock.steps(flow, e["sid"])) for flow in FLOWS for e in mock.engagements(flow)
    }


def held(out: Path) -> dict[str, tuple[dict[str, Any], list[dict[str, Any]]]]:
    """Every engagement of the archive, with its steps in order, as the API's records."""
    with contextlib.closing(sqlite3.connect(out)) as db:
        db.row_factory = sqlite3.Row
        engagements = [dict(row) for row in db.execute("SELECT * FROM engagements")]
        steps = [
            dict(r) for r in db.execute("SELECT * FROM steps ORDER BY engagement_sid, _position")
        ]
    by_engagement: dict[str, list[dict[str, Any]]] = {}
    for step in steps:
        step.pop("_position")
        by_engagement.setdefault(step["engagement_sid"], []).append(_as_sent(step))
    return {e["sid"]: (_as_sent(e), by_engagement.get(e["sid"], [])) for e in engagements}


def _as_sent(row: dict[str, Any]) -> dict[str, Any]:
    assert row.pop("_extra") is None
    for column in ("context", "links"):
        if row.get(column) is not None:
            row[column] = json.loads(row[column])
    return row


def operations(mock: MockStudio) -> Counter[str | None]:
    return Counter(request.operation for request in mock.requests)


@pytest.fixture
def world() -> Iterator[tuple[MockStudio, str]]:
    mock = MockStudio(flows=dict.fromkeys(FLOWS, 120), seed=31)
    with mock.serve() as base:
        yield mock, base


def test_updates_keep_every_engagement_ever_served_as_last_served(
    world: tuple[MockStudio, str], tmp_path: Path
) -> None:
    mock, base = world
    out, env = tmp_path / "history.sqlite", mock_env(mock)
    ever = served(mock)  # day 10
    at_first = len(ever)
    first = archive(base, out, env)
    assert first.returncode == 0, first.stderr
    assert held(out) == ever
    for days in (2, 1):  # day 12, then day 13
        mock.advance(days * DAY)
        before = held(out)
        now = served(mock)
        new = set(now) - set(before)
        changed = {sid for sid in set(now) & set(before) if now[sid] != before[sid]}
        assert new, "engagements arrived"
        assert changed, "active engagements ended, with more steps"
        ever.update(now)
        mock.reset_requests()
        update = archive(base, out, env)
        assert update.returncode == 0, update.stderr
        assert held(out) == ever  # every one ever served, each as last served
        assert f"({len(new):,} new, {len(changed):,} changed in this run)" in update.stderr
        counts = operations(mock)
        assert counts["ListStep"] == len(new) + len(changed)  # one steps list per new or changed
        assert counts["ListEngagement"] <= update_pages_bound(mock, before)
    mock.advance(32 * DAY)  # day 45: everything of days 10 to 13 is gone at Twilio
    late = archive(base, out, env)
    assert late.returncode == 0, late.stderr
    assert "warning:" in late.stderr
    kept = held(out)
    assert set(ever) <= set(kept)  # every day-10 engagement is still there
    with contextlib.closing(sqlite3.connect(out)) as db:
        runs = db.execute("SELECT outcome, new, changed FROM archive_runs ORDER BY run").fetchall()
        history = db.execute(
            "SELECT COUNT(DISTINCT sid), COUNT(*) FROM engagement_history"
        ).fetchone()
    assert [outcome for outcome, _, _ in runs] == ["complete"] * 4
    assert runs[0][1] == at_first  # the first run found every engagement new
    assert history[0] == len(kept)  # each engagement seen at least once
    assert history[1] == sum(new for _, new, _ in runs) + sum(changed for _, _, changed in runs)


def update_pages_bound(mock: MockStudio, before: dict[str, Any]) -> int:
    """The pages an update may read: those of the engagements newer than the newest held (less
    the overlap) or still held as active, plus one."""
    newest = max(_date(e["date_created"]) for e, _ in before.values())
    active = [_date(e["date_created"]) for e, _ in before.values() if e["status"] == "active"]
    cutoff = min([newest - timedelta(minutes=2), *active])
    bound = 0
    for flow in FLOWS:
        recent = [e for e in mock.engagements(flow) if _date(e["date_created"]) >= cutoff]
        bound += math.ceil(len(recent) / PAGE) + 1
    return bound


def _date(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_ctrl_c_and_kill_9_during_an_update_then_the_same_command_is_exact(
    world: tuple[MockStudio, str], tmp_path: Path
) -> None:
    mock, base = world
    out, env = tmp_path / "history.sqlite", mock_env(mock)
    ever = served(mock)
    assert archive(base, out, env).returncode == 0
    args = [*CLI, "archive", *FLOWS, "--steps", "--page-size", str(PAGE), "--base-url", base,
            "--output", str(out), "--concurrency", "2"]  # fmt: skip
    for stop in (signal.SIGINT, signal.SIGKILL):
        mock.advance(DAY)
        ever.update(served(mock))
        code, stderr = interrupted(args, env, mock, requests=4, stop=stop)
        assert code in (130, -signal.SIGKILL), stderr
        assert "Traceback" not in stderr
        again = archive(base, out, env)
        assert again.returncode == 0, again.stderr
        assert held(out) == ever


def test_two_updates_at_once_one_is_refused(world: tuple[MockStudio, str], tmp_path: Path) -> None:
    mock, base = world
    out, env = tmp_path / "history.sqlite", mock_env(mock)
    assert archive(base, out, env).returncode == 0
    mock.advance(DAY)
    ever = {**held(out), **served(mock)}
    # The first update's first request is held until the second update has ended: the two runs
    # overlap whatever the machine's speed (the first holds the archive from its start).
    first_request, second_ended = threading.Event(), threading.Event()

    def held_app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        first_request.set()
        second_ended.wait(60)
        return list(mock.app(environ, start_response))

    with serve_wsgi(held_app) as held_base:
        args = [*CLI, "archive", *FLOWS, "--steps", "--page-size", str(PAGE), "--base-url",
                held_base, "--output", str(out)]  # fmt: skip
        first = subprocess.Popen(args, env=env, stderr=subprocess.PIPE, text=True)
        assert first_request.wait(60)
        second = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
        second_ended.set()
        first_code, first_err = first.wait(timeout=120), first.communicate()[1]
    assert (first_code, second.returncode) == (0, 2), (first_err, second.stderr)
    assert "in use" in second.stderr or "being written" in second.stderr, second.stderr
    assert held(out) == ever


def archive_days_ago(base: str, out: Path, env: dict[str, str], *, days: int) -> None:
    """Archive the flows, then record that run as finished ``days`` ago."""
    assert archive(base, out, env).returncode == 0
    long_ago = (datetime.now(UTC) - timedelta(days=days)).isoformat(timespec="seconds")
    with contextlib.closing(sqlite3.connect(out)) as db:
        db.execute("UPDATE archive_runs SET finished = ?", (long_ago,))
        db.commit()


def test_an_update_long_after_the_last_is_warned_about(
    world: tuple[MockStudio, str], tmp_path: Path
) -> None:
    mock, base = world
    out, env = tmp_path / "history.sqlite", mock_env(mock)
    archive_days_ago(base, out, env, days=26)
    result = archive(base, out, env)
    assert result.returncode == 0, result.stderr
    assert "warning: the last update" in result.stderr
    assert "26 days ago" in result.stderr


def test_a_run_that_fails_on_its_first_request_is_no_update(
    world: tuple[MockStudio, str], tmp_path: Path
) -> None:
    mock, base = world
    out, env = tmp_path / "history.sqlite", mock_env(mock)
    archive_days_ago(base, out, env, days=26)
    refused = archive(base, out, {**env, "TWILIO_AUTH_TOKEN": "wrong"})
    assert refused.returncode == 3, refused.stderr
    with contextlib.closing(sqlite3.connect(out)) as db:
        (last,) = db.execute("SELECT outcome FROM archive_runs ORDER BY run DESC").fetchone()
    assert last == "failed"
    result = archive(base, out, env)  # the last update is still the one 26 days ago
    assert result.returncode == 0, result.stderr
    assert "26 days ago" in result.stderr


# -- a server of our own that evolves by day ------------------------------------------------------


class Evolving:
    """A flow whose engagements start every 6 hours, stay active a day and a half (a step every
    12 hours), and are kept 30 days: served newest first, paged by offset."""

    FLOW = "FW" + "e0" * 16

    def __init__(self) -> None:
        self.epoch = datetime(2025, 3, 1, tzinfo=UTC)
        self.day = 0.0

    def now(self) -> datetime:
        return self.epoch + timedelta(days=self.day)

    def engagements(self) -> list[dict[str, Any]]:
        now, records = self.now(), []
        start = 0
        while (began := self.epoch + timedelta(hours=6 * start)) <= now:
            if now - began < timedelta(days=30):
                records.append(self.engagement(start, began, now))
            start += 1
        return records[::-1]

    def engagement(self, index: int, began: datetime, now: datetime) -> dict[str, Any]:
        """An engagement with every field of the spec (an unknown one would land in ``_extra``)."""
        ended = began + timedelta(hours=36)
        sid = f"FN{index:032x}"
        record = dict.fromkeys(Engagement.FIELDS)
        record.update(
            sid=sid, account_sid="AC" + "0" * 32, flow_sid=self.FLOW,
            contact_sid=f"FC{index:032x}", contact_channel_address="+15550000000",
            context={"flow": {"variables": {"n": index}}},
            status="ended" if now >= ended else "active",
            date_created=_text(began), date_updated=_text(min(now, ended)),
            url=f"https://studio.twilio.com/v1/Flows/{self.FLOW}/Engagements/{sid}",
        )  # fmt: skip
        return record

    def steps(self, index: int) -> list[dict[str, Any]]:
        """The steps so far: one every 12 hours from the start, four in all."""
        began = self.epoch + timedelta(hours=6 * index)
        count = min(int((self.now() - began) / timedelta(hours=12)) + 1, 4)
        return [self.step(index, n, began + timedelta(hours=12 * n)) for n in range(count)]

    def step(self, index: int, n: int, at: datetime) -> dict[str, Any]:
        record = dict.fromkeys(Step.FIELDS)
        record.update(
            sid=f"FT{index:028x}{n:04x}", account_sid="AC" + "0" * 32, flow_sid=self.FLOW,
            engagement_sid=f"FN{index:032x}", name=f"step {n}", context={"n": n},
            transitioned_from=f"w{n}", transitioned_to=f"w{n + 1}",
            date_created=_text(at), date_updated=_text(at),
        )  # fmt: skip
        record["type"] = "say-play"
        return record

    def app(self, environ: dict[str, Any], start_response: Any) -> list[bytes]:
        path = environ["PATH_INFO"]
        query = dict(urllib.parse.parse_qsl(environ.get("QUERY_STRING", "")))
        size, offset = int(query.get("PageSize", "50")), int(query.get("PageToken", "0"))
        origin = f"http://{environ['HTTP_HOST']}"
        parts = path.strip("/").split("/")
        if parts == ["v1", "Flows"]:
            body = self.page("flows", [{"sid": self.FLOW, "friendly_name": "Evolving"}], origin,
                             path, size, 0)  # fmt: skip
        elif parts[:3] == ["v1", "Flows", self.FLOW] and parts[3:] == ["Engagements"]:
            body = self.page("engagements", self.engagements(), origin, path, size, offset)
        elif len(parts) == 6 and parts[5] == "Steps":
            known = {e["sid"] for e in self.engagements()}
            if parts[4] not in known:
                start_response("404 Not Found", [("Content-Type", "application/json")])
                return [b'{"code": 20404, "message": "not found", "status": 404}']
            body = self.page("steps", self.steps(int(parts[4][2:], 16)), origin, path, size, offset)
        else:
            start_response("404 Not Found", [("Content-Type", "application/json")])
            return [b'{"code": 20404, "message": "not found", "status": 404}']
        start_response("200 OK", [("Content-Type", "application/json")])
        return [json.dumps(body).encode()]

    @staticmethod
    def page(key: str, records: list[Any], origin: str, path: str, size: int, offset: int) -> Any:
        chunk = records[offset : offset + size]
        more = offset + size < len(records)
        url = f"{origin}{path}?PageSize={size}&PageToken={offset + size}"
        return {key: chunk, "meta": {"key": key, "next_page_url": url if more else None}}


def _text(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def test_a_server_that_evolves_by_day_is_archived_exactly(tmp_path: Path) -> None:
    world = Evolving()
    env = mock_env(MockStudio(flows={}, seed=1))  # any credentials: this server takes them all
    out = tmp_path / "evolving.sqlite"
    ever: dict[str, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
    with serve_wsgi(world.app) as base:
        args = ["archive", world.FLOW, "--steps", "--page-size", "7", "--base-url", base]
        for day in (10, 12, 13, 45):
            world.day = day
            for engagement in world.engagements():
                steps = world.steps(int(engagement["sid"][2:], 16))
                ever[engagement["sid"]] = (engagement, steps)
            result = run_cli(*args, "--output", str(out), env=env)
            assert result.returncode == 0, result.stderr
            assert held(out) == ever
            if day == 45:
                assert "warning:" in result.stderr
