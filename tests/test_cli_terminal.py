"""What a person sees of the CLI on an 80x24 terminal, read through a terminal emulator (pyte).

A run of six flows with `list --output-dir`, one of them failing on the server and a Ctrl-C typed
part way; and an `archive --steps` run to its end. Each final screen is written to
``reports/terminal-*.txt`` (quoted in notes on the CLI's output). The summary must name every
flow by its whole SID, with the right state and counts, within the 80 columns.
"""

from __future__ import annotations

import json
import re
import sqlite3
import time
from pathlib import Path
from typing import Any

import pytest

from studio_engagements.testing import MockStudio

from .helpers import CLI, ROOT, mock_env
from .processes import Screen, on_a_screen, serve_wsgi

COLUMNS = 80
SMALL = ["FW" + letter * 32 for letter in "ab"]
FAILING = "FW" + "c" * 32
BIG = ["FW" + letter * 32 for letter in "def"]
# The order the run is given them in, two at a time: both small flows and the failing one are
# over before the second big flow starts, and the third cannot start before the Ctrl-C.
ORDER = [SMALL[0], FAILING, SMALL[1], BIG[0], BIG[1], BIG[2]]
PAGE = 50
BIG_COUNT = 100 * PAGE  # 100 pages of 50 ms each: the Ctrl-C lands long before one ends
SLOW = 0.05
ROW = re.compile(r"^(FW[0-9a-f]{32})  +(done|failed|interrupted|not started)  +([\d,]+)\b")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    flows = {**dict.fromkeys(SMALL, 30), FAILING: 30, **dict.fromkeys(BIG, BIG_COUNT)}
    return MockStudio(flows=flows, seed=11)


def keep(screen: Screen, name: str) -> None:
    """The final screen, for a person to read (reports/ is not committed)."""
    reports = ROOT / "reports"
    reports.mkdir(exist_ok=True)
    (reports / f"terminal-{name}.txt").write_text(screen.text, encoding="utf-8")


def summary_rows(screen: Screen) -> dict[str, tuple[str, int]]:
    """Each flow's row of the summary on the screen: its state and engagements."""
    rows = {}
    for line in screen.lines:
        found = ROW.match(line)
        if found:
            sid, state, engagements = found.groups()
            rows[sid] = (state, int(engagements.replace(",", "")))
    return rows


def printed_lines(screen: Screen) -> list[str]:
    """The lines the run printed (after its live display), as sent: escapes and \\r removed."""
    text = screen.raw.decode("utf-8", "replace")
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b[()][0-9A-Za-z]|\x1b[=>]", "", text)
    return [line.split("\r")[-1] for line in text.replace("\r\n", "\n").split("\n")]


def assert_nothing_left_above(screen: Screen, title: str) -> None:
    """The live display is gone: nothing but blank lines above the summary's ``title``."""
    above = screen.lines[: screen.lines.index(title)]
    assert not any(above), screen.text


def assert_fits(screen: Screen, first: str, last: str) -> list[str]:
    """The summary's table, from its ``first`` line to its ``last``, as printed: no line of it
    is wider than the terminal (the terminal would wrap it and cut a row in two)."""
    lines = printed_lines(screen)
    start = max(i for i, line in enumerate(lines) if line.startswith(first))
    end = next(i for i in range(start, len(lines)) if lines[i].startswith(last))
    table = lines[start : end + 1]
    assert all(len(line) <= COLUMNS for line in table), "\n".join(table)
    return table


def test_six_flows_one_failing_then_ctrl_c_on_80_columns(mock: MockStudio, tmp_path: Path) -> None:
    def app(environ: dict[str, Any], start_response: Any) -> Any:
        path = environ["PATH_INFO"]
        if FAILING in path:
            body = json.dumps({"code": 20500, "message": "Internal error", "status": 500})
            start_response("500 Internal Server Error", [("Content-Type", "application/json")])
            return [body.encode()]
        if any(flow in path for flow in BIG):
            time.sleep(SLOW)
        return mock.app(environ, start_response)

    def requests_for(flow: str) -> int:
        return sum(flow in request.path for request in mock.requests)

    def part_way() -> bool:  # the first big flow some pages in, the second started
        return requests_for(BIG[0]) >= 3 and requests_for(BIG[1]) >= 1

    out = tmp_path / "exports"
    with serve_wsgi(app) as base_url:
        screen = on_a_screen(
            [*CLI, "list", *ORDER, "--base-url", base_url, "--output-dir", str(out),
             "--page-size", str(PAGE), "--concurrency", "2", "--max-retries", "0"],
            mock_env(mock), ctrl_c_when=part_way,
        )  # fmt: skip
    keep(screen, "list-ctrl-c")
    assert screen.code == 130, screen.text
    assert_nothing_left_above(screen, "export summary")  # nor the ^C the terminal echoed
    rows = summary_rows(screen)
    assert sorted(rows) == sorted(ORDER), screen.text  # each SID whole, 34 characters, once
    for flow in SMALL:
        assert rows[flow] == ("done", 30), screen.text
        assert len((out / f"{flow}.jsonl").read_text().splitlines()) == 30
    assert rows[FAILING] == ("failed", 0), screen.text
    for flow in BIG:
        state, engagements = rows[flow]
        assert state in ("interrupted", "not started"), screen.text
        partial = out / f"{flow}.jsonl.partial"
        kept = len(partial.read_text().splitlines()) if partial.exists() else 0
        assert engagements == kept < BIG_COUNT, screen.text
    assert rows[BIG[2]] == ("not started", 0), screen.text
    total = next(line for line in screen.lines if line.startswith("total"))
    assert re.match(rf"total +2 of 6 done +{sum(n for _, n in rows.values()):,}\b", total), total
    assert_fits(screen, "flow ", "total")
    failure = next(line for line in screen.lines if line.startswith(f"{FAILING}: error:"))
    assert "HTTP 500" in failure, screen.text


def test_an_archive_with_steps_to_its_end_on_80_columns(mock: MockStudio, tmp_path: Path) -> None:
    flows = [*SMALL, FAILING]  # three small flows, all served
    archive = tmp_path / "history.sqlite"
    with mock.serve() as base_url:
        screen = on_a_screen(
            [*CLI, "archive", *flows, "--steps", "--output", str(archive),
             "--base-url", base_url, "--page-size", "10"],
            mock_env(mock),
        )  # fmt: skip
    keep(screen, "archive-steps")
    assert screen.code == 0, screen.text
    assert_nothing_left_above(screen, "archive summary")
    rows = summary_rows(screen)
    assert rows == {flow: ("done", 30) for flow in flows}, screen.text
    table = assert_fits(screen, "flow ", "total")
    steps = {
        flow: sum(len(mock.steps(flow, e["sid"])) for e in mock.engagements(flow)) for flow in flows
    }
    header = table[0].split()
    assert "steps" in header, table[0]
    column = header.index("steps")
    for line in table[2:-2]:
        cells = line.split("  ")
        cells = [cell.strip() for cell in cells if cell.strip()]
        assert int(cells[column].replace(",", "")) == steps[cells[0]], line
    total = table[-1]
    assert re.match(r"total +3 of 3 done +90\b", total), total
    with sqlite3.connect(archive) as db:
        assert db.execute("select count(*) from steps").fetchone()[0] == sum(steps.values())
