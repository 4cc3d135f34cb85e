"""What a person sees of a many-flow export: a line per active flow while it runs, then a table."""

from __future__ import annotations

import sys
import threading
from collections.abc import Sequence
from typing import Any

from ._exits import exit_code, one_line
from ._many import FlowResult

_STATUS = {"done": "done", "skipped": "skipped (complete)", "failed": "failed"}


class LiveFlows:
    """One progress line per active flow on a terminal's stderr; nothing on pipes and files."""

    def __init__(self, flows: int) -> None:
        self._lock = threading.Lock()
        self._active: dict[str, FlowResult] = {}
        self._finished = 0
        self._flows = flows
        self._live: Any = None
        if sys.stderr.isatty():
            from rich.console import Console
            from rich.live import Live

            self._live = Live(
                get_renderable=self._render, console=Console(stderr=True), refresh_per_second=4
            )
            self._live.start()

    def update(self, result: FlowResult) -> None:
        """Note a flow's progress (called from the flows' threads)."""
        with self._lock:
            if result.status == "running":
                self._active[result.flow_sid] = result
            elif self._active.pop(result.flow_sid, None) is not None or result.status == "skipped":
                self._finished += 1

    def _render(self) -> Any:
        from rich.text import Text

        with self._lock:
            lines = [
                f"{sid}: {result.engagements:,} engagements, {result.pages} pages"
                for sid, result in self._active.items()
            ]
            lines.append(f"{self._finished} of {self._flows} flows finished")
        return Text("\n".join(lines))

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def print_summary(results: Sequence[FlowResult]) -> None:
    """The per-flow table and the totals, on stderr (plain text when it is not a terminal)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title="export summary", title_justify="left")
    for name in ("flow", "status", "engagements", "pages", "retries", "seconds"):
        table.add_column(name, justify="left" if name in ("flow", "status") else "right")
    table.add_column("error", no_wrap=True, overflow="ellipsis", max_width=90)
    for result in results:
        error = (
            ""
            if result.error is None
            else f"{one_line(result.error)} (exit {exit_code(result.error)})"
        )
        table.add_row(
            result.flow_sid,
            _STATUS.get(result.status, result.status),
            f"{result.engagements:,}",
            str(result.pages),
            str(result.retries),
            f"{result.seconds:.1f}",
            error,
        )
    done = sum(result.status in ("done", "skipped") for result in results)
    table.add_row(
        "total",
        f"{done} of {len(results)} complete",
        f"{sum(result.engagements for result in results):,}",
        str(sum(result.pages for result in results)),
        str(sum(result.retries for result in results)),
        f"{max((result.seconds for result in results), default=0.0):.1f}",
        "",
    )
    terminal = sys.stderr.isatty()
    Console(stderr=True, width=None if terminal else 200, no_color=not terminal).print(table)
