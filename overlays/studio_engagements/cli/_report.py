"""What a person is told: progress and retries while an export runs, failures, the summary.

Nothing here knows which kind of file is written: an export of any output reports through it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import re
import shlex
import sys
import threading
import time
import traceback
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn

import click
from rich.console import Console
from rich.live import Live
from rich.status import Status
from rich.table import Table
from rich.text import Text

from ..errors import ResponseTooLargeError, UntrustedURLError
from ._exits import exit_code, one_line

_FLOW_IN_URL = re.compile(r"/Flows/([^/?]+)/")
_STATUS = {"done": "done", "skipped": "skipped (complete)", "failed": "failed"}


def is_debug(ctx: click.Context) -> bool:
    """Whether ``--debug`` was given (before or after the command)."""
    return bool(ctx.meta.get("studio_engagements.debug"))


def describe(error: BaseException) -> str:
    """The error on one line, with the CLI's way out when there is one."""
    text = one_line(error)
    if isinstance(error, ResponseTooLargeError):
        text += " (raise the cap with --max-response-bytes N)"
    return text


def fail(ctx: click.Context, error: BaseException) -> NoReturn:
    """Print ``error`` in one line (after its traceback with --debug), exit with its code."""
    if is_debug(ctx) and not isinstance(error, KeyboardInterrupt):
        traceback.print_exception(error, file=sys.stderr)
    click.echo(f"error: {describe(error)}", err=True)
    ctx.exit(exit_code(error))


def report_failure(
    ctx: click.Context, error: BaseException, written: int, kept: str | None, resume: str | None
) -> NoReturn:
    """A failed export: the error, what was kept (``kept``: where, for a file export), how to go
    on; then the exit code."""
    if is_debug(ctx) and not isinstance(error, KeyboardInterrupt):
        traceback.print_exception(error, file=sys.stderr)
    click.echo(f"error: {describe(error)}", err=True)
    if kept is not None and written == 0:
        click.echo("nothing was kept: run the same command again to start over", err=True)
        ctx.exit(exit_code(error))
    click.echo(f"{written} engagements {f'are in {kept}' if kept else 'were written'}", err=True)
    if isinstance(error, UntrustedURLError):
        # Resuming from that URL would be refused again: there is nothing safe to suggest.
        click.echo("the API pointed the next page to another origin; not resuming", err=True)
    elif kept is not None:
        if resume is None:
            click.echo("run the same command again to resume", err=True)
        else:
            click.echo("run the same command again to resume, or:", err=True)
            click.echo(f"resume with: {resume_command(resume)}", err=True)
    elif resume is not None:
        click.echo(f"the next page to read is {resume}", err=True)
    ctx.exit(exit_code(error))


def resume_command(resume_url: str) -> str:
    """The command line that was run, with --resume-from set to ``resume_url``."""
    cleaned: list[str] = []
    skip = False
    for word in sys.argv[1:]:
        if skip or word == "--resume-from" or word.startswith("--resume-from="):
            skip = word == "--resume-from"
            continue
        cleaned.append(word)
    return shlex.join(["studio-engagements", *cleaned, "--resume-from", resume_url])


@contextlib.contextmanager
def watching_retries(notify: Callable[[str | None, str, float], None]) -> Iterator[None]:
    """Call ``notify(flow_sid, reason, delay)`` for each retry the client logs, meanwhile."""

    class Watch(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            url = getattr(record, "retry_url", None)
            if url is not None:
                found = _FLOW_IN_URL.search(url)
                reason = str(getattr(record, "retry_reason", ""))
                delay = float(getattr(record, "retry_delay", 0.0))
                notify(found[1] if found else None, reason, delay)

    logger = logging.getLogger("studio_engagements")
    watch, level = Watch(logging.INFO), logger.level
    logger.addHandler(watch)
    if not logger.isEnabledFor(logging.INFO):
        logger.setLevel(logging.INFO)
    try:
        yield
    finally:
        logger.removeHandler(watch)
        logger.setLevel(level)


def retry_text(reason: str, delay: float) -> str:
    """How a retry is shown: e.g. ``retrying in 5.0 s after 429``."""
    return f"retrying in {delay:.1f} s after {reason}"


class ProgressLine:
    """Engagements, pages, rate and retries of one export on stderr, when it is a terminal."""

    def __init__(self, engagements: int = 0, pages: int = 0) -> None:
        self._started, self._already = time.monotonic(), engagements
        self._counts = f"{engagements:,} engagements, {pages} pages"
        self._status: Status | None = None
        if sys.stderr.isatty():
            self._status = Console(stderr=True).status("starting export…")
            self._status.start()

    def update(self, engagements: int, pages: int) -> None:
        """The export wrote up to ``engagements`` in ``pages`` (counting earlier runs)."""
        rate = (engagements - self._already) / max(time.monotonic() - self._started, 1e-9)
        self._counts = f"{engagements:,} engagements, {pages} pages, {rate:,.0f}/s"
        self._show(self._counts)

    def retrying(self, flow_sid: str | None, reason: str, delay: float) -> None:
        """A request is being retried (a ``watching_retries`` callback)."""
        self._show(f"{self._counts}; {retry_text(reason, delay)}")

    def show(self, text: str) -> None:
        """Show ``text`` as the progress line (on a terminal)."""
        self._show(text)

    def _show(self, text: str) -> None:
        if self._status is not None:
            self._status.update(text)

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None


@dataclasses.dataclass(slots=True)
class FlowResult:
    """How one flow's export went."""

    flow_sid: str
    status: str = "waiting"
    """``waiting``, ``running``, ``done``, ``skipped`` or ``failed``."""
    engagements: int = 0
    pages: int = 0
    seconds: float = 0.0
    error: BaseException | None = None
    retries: int = 0
    retrying: str | None = None
    steps: int | None = None
    """Steps archived (None: not an archive of steps)."""


class LiveFlows:
    """One progress line per active flow on a terminal's stderr; nothing on pipes and files."""

    def __init__(self, results: Sequence[FlowResult]) -> None:
        self._lock = threading.Lock()
        self._results = {result.flow_sid: result for result in results}
        self._live: Live | None = None
        if sys.stderr.isatty():
            self._live = Live(
                get_renderable=self._render, console=Console(stderr=True), refresh_per_second=4
            )
            self._live.start()

    def retrying(self, flow_sid: str | None, reason: str, delay: float) -> None:
        """A flow's request is being retried (a ``watching_retries`` callback)."""
        with self._lock:
            result = self._results.get(flow_sid or "")
            if result is not None:
                result.retries += 1
                result.retrying = retry_text(reason, delay)

    def _render(self) -> Text:
        with self._lock:
            results = list(self._results.values())
        lines = [
            f"{result.flow_sid}: {result.engagements:,} engagements, {result.pages} pages"
            + (f"; {result.retrying}" if result.retrying else "")
            for result in results
            if result.status == "running"
        ]
        finished = sum(result.status in ("done", "skipped") for result in results)
        failed = sum(result.status == "failed" for result in results)
        lines.append(f"{finished} of {len(results)} flows finished, {failed} failed")
        return Text("\n".join(lines))

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def print_summary(results: Sequence[FlowResult], title: str = "export summary") -> None:
    """The per-flow table and the totals on stderr, then each failed flow's whole error."""
    steps = any(result.steps is not None for result in results)
    table = Table(title=title, title_justify="left")
    names = ("flow", "status", "engagements", "pages", *(["steps"] * steps), "retries", "seconds")
    for name in names:
        table.add_column(name, justify="left" if name in ("flow", "status") else "right")
    table.add_column("error", no_wrap=True, overflow="ellipsis", max_width=60)
    for result in results:
        error = "" if result.error is None else f"exit {exit_code(result.error)}: {result.error}"
        if isinstance(result.error, KeyboardInterrupt):
            error = f"exit {exit_code(result.error)}: interrupted"
        table.add_row(
            result.flow_sid, _STATUS.get(result.status, result.status),
            f"{result.engagements:,}", str(result.pages),
            *([f"{result.steps or 0:,}"] * steps), str(result.retries),
            f"{result.seconds:.1f}", " ".join(error.split()),
        )  # fmt: skip
    done = sum(result.status in ("done", "skipped") for result in results)
    table.add_row(
        "total", f"{done} of {len(results)} complete",
        f"{sum(result.engagements for result in results):,}",
        str(sum(result.pages for result in results)),
        *([f"{sum(result.steps or 0 for result in results):,}"] * steps),
        str(sum(result.retries for result in results)),
        f"{max((result.seconds for result in results), default=0.0):.1f}", "",
    )  # fmt: skip
    terminal = sys.stderr.isatty()
    Console(stderr=True, width=None if terminal else 200, no_color=not terminal).print(table)
    for result in results:
        if result.error is not None:
            click.echo(f"{result.flow_sid}: error: {describe(result.error)}", err=True)
