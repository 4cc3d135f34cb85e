"""``studio-engagements demo``: a real export over loopback HTTP against the mock, no account."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from rich.console import Console

from .. import Engagement
from ..testing import Fault, MockStudio
from ._file_sink import FileSink
from ._jobs import Job
from ._journal import Shape
from ._report import plural
from ._rows import FIELDS, TABLE_FIELDS, engagement_table
from ._runner import carry_out

DEMO_FLOW = "FW" + "de" * 16
DEMO_ENGAGEMENTS = 3000
DEMO_PAGE_SIZE = 500
SHOWN_ROWS = 8


def run_demo(console: Console) -> int:
    """Serve the mock on an ephemeral loopback port and export a flow from it over HTTP."""
    mock = MockStudio(flows={DEMO_FLOW: DEMO_ENGAGEMENTS}, seed=2026)
    with mock.serve() as base_url, tempfile.TemporaryDirectory() as folder:
        console.print(f"Mock Studio API on [bold]{base_url}[/bold]")
        console.print(f"Flow {DEMO_FLOW}: {DEMO_ENGAGEMENTS:,} engagements")
        mock.inject(Fault.rate_limit(retry_after=1), times=1)
        console.print("One 429 with Retry-After: 1 is queued, to show a retry.")
        target = Path(folder) / "engagements.jsonl"
        shape = Shape("jsonl", FIELDS, DEMO_PAGE_SIZE, None)
        sink = FileSink(shape, lambda sid: target, restart=False)
        options = {
            "account_sid": mock.account_sid, "auth_token": mock.auth_token, "base_url": base_url,
        }  # fmt: skip
        started = time.monotonic()
        outcome = carry_out(
            sink, [Job(DEMO_FLOW)], options, concurrency=1, page_size=DEMO_PAGE_SIZE,
            quiet=True, steps=False,
        )  # fmt: skip
        elapsed = time.monotonic() - started
        (job,) = outcome.jobs
        if outcome.interrupted:
            raise KeyboardInterrupt
        if job.error is not None:
            raise job.error
        with target.open(encoding="utf-8") as handle:
            records = [json.loads(line) for line in handle]
        size = target.stat().st_size
    for retry in range(job.retries):
        console.print(f"[yellow]  a request was refused with 429 ({retry + 1}); the client "
                      "waited its Retry-After and retried[/yellow]")  # fmt: skip
    shown = [Engagement.from_dict(record) for record in records[:SHOWN_ROWS]]
    console.print(engagement_table(shown, TABLE_FIELDS))
    sids = [record["sid"] for record in records]
    requests = len(mock.requests)
    console.print(
        f"[bold green]Exported {plural(len(sids), 'engagement')}[/bold green] "
        f"({len(set(sids)):,} distinct) in {plural(job.pages, 'page')}, {elapsed:.2f} s, "
        f"{plural(requests, 'request')} ({plural(job.retries, 'retry', 'retries')}), "
        f"{size / 1e6:.1f} MB of jsonl."
    )
    return 0 if len(set(sids)) == len(sids) == DEMO_ENGAGEMENTS else 1
