"""``studio-engagements demo``: a real export over loopback HTTP against the mock, then a living
archive kept while the mock's clock moves: no account needed."""

from __future__ import annotations

import contextlib
import json
import sqlite3
import tempfile
import time
from datetime import timedelta
from pathlib import Path

from rich.console import Console

from .. import Engagement
from ..testing import Fault, MockStudio
from ._archive_sink import ArchiveSink
from ._archive_store import ArchiveStore
from ._file_sink import FileSink
from ._jobs import Job
from ._journal import Shape
from ._report import plural
from ._rows import FIELDS, TABLE_FIELDS, engagement_table
from ._runner import Outcome, carry_out

DEMO_FLOW = "FW" + "de" * 16
DEMO_ENGAGEMENTS = 3000
DEMO_PAGE_SIZE = 500
ARCHIVED_FLOW = "FW" + "a7" * 16
ARCHIVED = 200
DEMO_DAY = timedelta(days=1)
SHOWN_ROWS = 8


def run_demo(console: Console) -> int:
    """Serve the mock on an ephemeral loopback port, export a flow from it over HTTP, then keep
    a living archive of another while the mock's clock moves a day."""
    mock = MockStudio(flows={DEMO_FLOW: DEMO_ENGAGEMENTS, ARCHIVED_FLOW: ARCHIVED}, seed=2026)
    with mock.serve() as base_url, tempfile.TemporaryDirectory() as folder:
        options = {
            "account_sid": mock.account_sid, "auth_token": mock.auth_token, "base_url": base_url,
        }  # fmt: skip
        console.print(
            f"Mock Studio API on [bold]{base_url}[/bold] (its clock: {mock.now:%Y-%m-%d})"
        )
        exported = _export(console, mock, options, Path(folder) / "engagements.jsonl")
        archived = _archive(console, mock, options, Path(folder) / "history.sqlite")
    return 0 if exported and archived else 1


def _export(console: Console, mock: MockStudio, options: dict[str, str], target: Path) -> bool:
    console.print(f"Flow {DEMO_FLOW}: {DEMO_ENGAGEMENTS:,} engagements")
    mock.inject(Fault.rate_limit(retry_after=1), times=1)
    console.print("One 429 with Retry-After: 1 is queued, to show a retry.")
    shape = Shape("jsonl", FIELDS, DEMO_PAGE_SIZE, None)
    sink = FileSink(shape, lambda sid: target, restart=False)
    started, before = time.monotonic(), len(mock.requests)
    outcome = carry_out(
        sink, [Job(DEMO_FLOW)], options, concurrency=1, page_size=DEMO_PAGE_SIZE,
        quiet=True, steps=False,
    )  # fmt: skip
    elapsed = time.monotonic() - started
    (job,) = _succeeded(outcome)
    with target.open(encoding="utf-8") as handle:
        records = [json.loads(line) for line in handle]
    size = target.stat().st_size
    for retry in range(job.retries):
        console.print(f"[yellow]  a request was refused with 429 ({retry + 1}); the client "
                      "waited its Retry-After and retried[/yellow]")  # fmt: skip
    shown = [Engagement.from_dict(record) for record in records[:SHOWN_ROWS]]
    console.print(engagement_table(shown, TABLE_FIELDS))
    sids = [record["sid"] for record in records]
    requests = len(mock.requests) - before
    console.print(
        f"[bold green]Exported {plural(len(sids), 'engagement')}[/bold green] "
        f"({len(set(sids)):,} distinct) in {plural(job.pages, 'page')}, {elapsed:.2f} s, "
        f"{plural(requests, 'request')} ({plural(job.retries, 'retry', 'retries')}), "
        f"{size / 1e6:.1f} MB of jsonl."
    )
    return len(set(sids)) == len(sids) == DEMO_ENGAGEMENTS


def _archive(console: Console, mock: MockStudio, options: dict[str, str], target: Path) -> bool:
    """Archive a flow with its steps, let a day pass, update: what is new is added, what ended
    is refreshed."""
    console.print(f"\nFlow {ARCHIVED_FLOW}: a living archive with steps, in SQLite")
    for day, moved in enumerate((None, DEMO_DAY), start=1):
        if moved is not None:
            mock.advance(moved)
            console.print(f"A day passes at the mock (its clock: {mock.now:%Y-%m-%d}): "
                          "engagements arrive, active ones end.")  # fmt: skip
        store = ArchiveStore(target)
        sink = ArchiveSink(store, steps=True, warn=lambda text: console.print(f"warning: {text}"))
        sink.add_flows([], [ARCHIVED_FLOW])
        outcome = carry_out(
            sink, [Job(ARCHIVED_FLOW)], options, concurrency=4, page_size=None, quiet=True,
            steps=True,
        )  # fmt: skip
        (job,) = _succeeded(outcome)
        what = "archived" if day == 1 else "updated"
        console.print(
            f"[bold green]Run {day}: {what}[/bold green] {plural(job.engagements, 'engagement')} "
            f"and {plural(job.steps, 'step')} kept; {job.new:,} new, {job.changed:,} changed, "
            f"{plural(outcome.requests, 'request')}."
        )
    with contextlib.closing(sqlite3.connect(target)) as db:
        kept = {sid for (sid,) in db.execute("SELECT sid FROM engagements")}
    return {e["sid"] for e in mock.engagements(ARCHIVED_FLOW)} <= kept


def _succeeded(outcome: Outcome) -> list[Job]:
    """The jobs of a run that went through; else its failure, raised (Ctrl-C: one line, 130)."""
    if outcome.interrupted:
        raise KeyboardInterrupt
    for job in outcome.jobs:
        if job.error is not None:
            raise job.error
    return outcome.jobs
