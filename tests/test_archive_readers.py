"""An archive analysts use as it is: DuckDB's sqlite reader and pandas read its values (dates as
the API's text, JSON that their JSON functions read) with no cast; the steps keep their order;
the views answer the common questions."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from importlib import resources
from pathlib import Path
from typing import Any

import duckdb
import pandas
import pytest

from studio_engagements.testing import MockStudio

from .helpers import mock_env, run_cli
from .test_readme import ARCHIVE_READERS

FLOW = "FW" + "c0" * 16


@pytest.fixture(scope="module")
def archived(tmp_path_factory: pytest.TempPathFactory) -> tuple[MockStudio, Path]:
    mock = MockStudio(flows={FLOW: 40}, seed=51)
    out = tmp_path_factory.mktemp("readers") / "history.sqlite"
    with mock.serve() as base:
        args = ["archive", FLOW, "--steps", "--base-url", base, "--output", str(out)]
        result = run_cli(*args, env=mock_env(mock))
    assert result.returncode == 0, result.stderr
    return mock, out


def sqlite_extension() -> str:
    """DuckDB's sqlite reader, from its wheel (DuckDB would otherwise download it)."""
    found = resources.files("duckdb_ext") / "extensions" / f"v{duckdb.__version__}"
    (path,) = [arch / "sqlite_scanner.duckdb_extension" for arch in found.iterdir()]
    return str(path)


def test_every_column_has_a_declared_type(archived: tuple[MockStudio, Path]) -> None:
    _, out = archived
    with contextlib.closing(sqlite3.connect(out)) as db:
        tables = [
            name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            declared = {row[1]: row[2] for row in db.execute(f"PRAGMA table_info({table})")}
            assert all(kind in ("TEXT", "INTEGER", "REAL") for kind in declared.values()), (
                table, declared,
            )  # fmt: skip


def test_duckdb_reads_dates_and_json_without_casts(archived: tuple[MockStudio, Path]) -> None:
    mock, out = archived
    served = {e["sid"]: e for e in mock.engagements(FLOW)}
    con = duckdb.connect()
    con.execute(f"LOAD '{sqlite_extension()}'")
    con.execute(f"ATTACH '{out}' AS history (TYPE sqlite, READ_ONLY)")
    rows = con.execute(
        "SELECT sid, date_created, json_extract_string(context, '$.flow.flow_sid'), "
        "typeof(context) FROM history.engagements"
    ).fetchall()
    assert len(rows) == len(served)
    for sid, created, flow_in_context, kind in rows:
        assert created == served[sid]["date_created"]  # the API's text, not a blob
        assert flow_in_context == served[sid]["context"]["flow"]["flow_sid"]  # not NULL
        assert kind == "VARCHAR"
    stepped = next(sid for sid in served if len(mock.steps(FLOW, sid)) > 1)
    (ordered,) = con.execute(
        "SELECT list(sid ORDER BY _position) FROM history.steps WHERE engagement_sid = ?",
        [stepped],
    ).fetchone()
    assert ordered == [step["sid"] for step in mock.steps(FLOW, stepped)]


def test_pandas_reads_dates_and_json(archived: tuple[MockStudio, Path]) -> None:
    mock, out = archived
    with contextlib.closing(sqlite3.connect(out)) as db:
        frame = pandas.read_sql(
            "SELECT * FROM engagements ORDER BY date_created DESC", db, parse_dates=["date_created"]
        )
    served = mock.engagements(FLOW)
    assert list(frame["sid"]) == [e["sid"] for e in served]  # newest first, as listed
    assert str(frame["date_created"].dt.tz) == "UTC"
    assert [json.loads(text) for text in frame["context"]] == [e["context"] for e in served]


def test_the_views_answer_the_common_questions(archived: tuple[MockStudio, Path]) -> None:
    mock, out = archived
    with contextlib.closing(sqlite3.connect(out)) as db:
        paths = dict(db.execute("SELECT engagement_sid, path FROM engagement_paths").fetchall())
        per_day = db.execute(
            "SELECT day, status, engagements FROM engagements_per_day WHERE flow_sid = ?", (FLOW,)
        ).fetchall()
    for engagement in mock.engagements(FLOW):
        names = [step["name"] for step in mock.steps(FLOW, engagement["sid"]) if step["name"]]
        if names:  # GROUP_CONCAT leaves out a step without a name
            assert paths[engagement["sid"]] == " > ".join(names)
    assert sum(count for _, _, count in per_day) == len(mock.engagements(FLOW))


def test_the_readme_s_reading_example_runs_as_written(
    archived: tuple[MockStudio, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With DuckDB's sqlite reader where DuckDB looks for it (no download here)."""
    _, out = archived
    (code,) = ARCHIVE_READERS
    reader = Path(sqlite_extension())
    home = tmp_path / "home"
    folder = home / ".duckdb" / "extensions" / f"v{duckdb.__version__}" / reader.parent.name
    folder.mkdir(parents=True)
    shutil.copy(reader, folder / reader.name)
    shutil.copy(out, tmp_path / "history.sqlite")
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.chdir(tmp_path)
    found: dict[str, Any] = {}
    exec(compile(code, "README.md", "exec"), found)
    assert len(found["flows"]) == len(found["frame"]) == 40
    assert all(flow is not None for flow, _ in found["flows"])
    assert str(found["frame"]["date_created"].dt.tz) == "UTC"
