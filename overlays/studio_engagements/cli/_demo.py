"""``studio-engagements demo``: a real export over loopback HTTP against the mock, no account."""

from __future__ import annotations

import json
import logging
import tempfile
import time
from pathlib import Path

from rich.console import Console

from .._client import StudioClient
from .._models import Engagement
from ..testing import Fault, MockStudio
from ._exits import check_interrupted
from ._export import ExportFailed, PartialFile, Progress, export
from ._rows import FIELDS, TABLE_FIELDS, engagement_table, render_rows

DEMO_FLOW = "FW" + "de" * 16
DEMO_ENGAGEMENTS = 3000
DEMO_PAGE_SIZE = 500
SHOWN_ROWS = 8


class _RetryEcho(logging.Handler):
    """Prints the client's DEBUG line for every attempt that did not get a 200."""

    def __init__(self, console: Console) -> None:
        super().__init__(logging.DEBUG)
        self.console = console
        self.attempts = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.attempts += 1
        message = record.getMessage()
        if record.levelno == logging.DEBUG and "-> 200 " not in message:
            self.console.print(f"[yellow]  {message}; the client retries[/yellow]")


def run_demo(console: Console) -> int:
    """Serve the mock on an ephemeral loopback port and export a flow from it over HTTP."""
    mock = MockStudio(flows={DEMO_FLOW: DEMO_ENGAGEMENTS}, seed=2026)
    logger = logging.getLogger("studio_engagements")
    echo = _RetryEcho(console)
    previous_level = logger.level
    logger.addHandler(echo)
    logger.setLevel(logging.DEBUG)
    first_rows: list[Engagement] = []
    try:
        with mock.serve() as base_url, tempfile.TemporaryDirectory() as folder:
            console.print(f"Mock Studio API on [bold]{base_url}[/bold]")
            console.print(f"Flow {DEMO_FLOW}: {DEMO_ENGAGEMENTS} engagements")
            mock.inject(Fault.rate_limit(retry_after=1), times=1)
            console.print("One 429 with Retry-After: 1 is queued, to show a retry.")
            target = Path(folder) / "engagements.jsonl"
            sink = PartialFile(target, resume_at=None)

            def write(batch: list[Engagement]) -> None:
                if len(first_rows) < SHOWN_ROWS:
                    first_rows.extend(batch[: SHOWN_ROWS - len(first_rows)])
                sink.write_page(render_rows(batch, FIELDS, "jsonl", header=False))

            started = time.monotonic()
            with StudioClient(mock.account_sid, mock.auth_token, base_url=base_url) as client:
                try:
                    done: Progress = export(
                        client, DEMO_FLOW, limit=None, page_size=DEMO_PAGE_SIZE,
                        start=Progress(0, 0), write=write, before_page=check_interrupted,
                    )  # fmt: skip
                except ExportFailed as failed:
                    raise failed.cause from None  # e.g. Ctrl-C: one line and its exit code
            elapsed = time.monotonic() - started
            sink.finish()
            with target.open(encoding="utf-8") as handle:
                sids = [json.loads(line)["sid"] for line in handle]
            size = target.stat().st_size
    finally:
        logger.removeHandler(echo)
        logger.setLevel(previous_level)
    console.print(engagement_table(first_rows, TABLE_FIELDS))
    requests = len(mock.requests)
    console.print(
        f"[bold green]Exported {len(sids)} engagements[/bold green] ({len(set(sids))} distinct) "
        f"in {done.pages} pages, {elapsed:.2f} s, {requests} requests "
        f"({_plural(requests - done.pages, 'retry', 'retries')}), {size / 1e6:.1f} MB of jsonl."
    )
    return 0 if len(set(sids)) == len(sids) == DEMO_ENGAGEMENTS else 1


def _plural(count: int, one: str, many: str) -> str:
    return f"{count} {one if count == 1 else many}"
