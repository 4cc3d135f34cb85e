"""What a person is told: the live progress, the summary, warnings and failures, in words.

Nothing here knows which sink a run writes to: ``list`` and ``archive`` report through it alike.
The live display is drawn only on a terminal; the summary fits the terminal's width (a flow SID
is never cut: columns that do not fit are left out), and each failure is a line of its own below
it, with the advice that fits its cause.
"""

from __future__ import annotations

import errno
import json
import shutil
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import Any, NoReturn

import click
from rich.console import Console
from rich.live import Live
from rich.text import Text

from .. import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    InvalidParameterError,
    NotFoundError,
    RateLimitError,
    ResponseTooLargeError,
    ServerError,
    TransportError,
    UnexpectedResponseError,
    UntrustedURLError,
)
from ._exits import EXIT_INTERRUPTED, exit_code, most_serious
from ._jobs import Job, JobState
from ._journal import JournalError, OutputBusy

REFRESH_SECONDS = 0.25


def is_debug(ctx: click.Context) -> bool:
    """Whether ``--debug`` was given (before or after the command)."""
    return bool(ctx.meta.get("studio_engagements.debug"))


def plural(count: int, noun: str, many: str | None = None) -> str:
    """``1 flow``, ``2 flows``, ``1,457 pages``."""
    return f"{count:,} {noun if count == 1 else many or noun + 's'}"


# What a network failure was, in words (the client's errors name httpx's exception first).
_NETWORK = {
    "ConnectError": "could not connect",
    "ConnectTimeout": "connecting timed out",
    "ReadTimeout": "no answer in time",
    "WriteTimeout": "sending timed out",
    "PoolTimeout": "no connection free in time",
    "ReadError": "the connection failed while reading",
    "WriteError": "the connection failed while sending",
    "RemoteProtocolError": "the server broke the connection",
    "LocalProtocolError": "the request could not be sent",
    "ProxyError": "the proxy failed",
}


def in_words(error: BaseException) -> str:
    """The error on one line, in words (no Python class name)."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted (Ctrl-C)"
    text = " ".join(str(error).split())
    if isinstance(error, TransportError):
        cause = type(error.__cause__).__name__ if error.__cause__ is not None else ""
        text = text.removeprefix(f"{cause}: ").removeprefix(cause).strip()
        what = _NETWORK.get(cause, "timed out" if isinstance(error, TimeoutError) else "")
        return f"network failure: {what}: {text}" if what else f"network failure: {text}"
    if isinstance(error, ApiError):  # the URL, request id and link: with --debug or --report
        code = "" if error.code is None else f", Twilio code {error.code}"
        return f"{error.message} (HTTP {error.status}{code})"
    if isinstance(error, ResponseTooLargeError):
        return f"a page larger than max_response_bytes={error.max_response_bytes:,} (HTTP 200)"
    if isinstance(error, UnexpectedResponseError):
        return f"unexpected response (HTTP {error.status}): {error.reason}"
    if isinstance(error, OSError) and error.strerror and error.filename:
        return f"{error.strerror}: {error.filename}"
    return text or "failed"


def advice(error: BaseException) -> str | None:
    """What to do about ``error``, when there is something better than giving up."""
    if isinstance(error, KeyboardInterrupt):
        return "run the same command again to go on from what is kept"
    if isinstance(error, AuthenticationError):
        return (
            "check the credentials: TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY "
            "and TWILIO_API_SECRET) of the account that owns the flow"
        )
    if isinstance(error, NotFoundError):
        return (
            "check the flow SID (and that it belongs to this account): "
            "`studio-engagements flows` lists the account's flows"
        )
    if isinstance(error, ResponseTooLargeError):
        return "raise the cap with --max-response-bytes N if such pages are expected"
    if isinstance(error, UntrustedURLError):
        return "the API pointed the next page to another origin: nothing more is read"
    if isinstance(error, RateLimitError | ServerError):
        return "Twilio is busy or failing: run the same command again later to resume"
    if isinstance(error, TransportError):
        return (
            "check the network, --base-url, --region and --edge (an unknown region's host does "
            "not resolve); then run the same command again to resume"
        )
    if isinstance(error, UnexpectedResponseError | ApiError):
        return None
    if isinstance(error, OutputBusy):
        return None  # its message says what to wait for
    if isinstance(error, OSError):
        text = str(error).lower()
        if error.errno == errno.ENOSPC or "disk is full" in text or "full" in text.split():
            return "free some space, then run the same command again to go on"
        if error.errno in (errno.EACCES, errno.EROFS, errno.EPERM) or "read-only" in text:
            return "choose another output, or make this one writable"
    return None


def rerun_helps(error: BaseException) -> bool:
    """Whether running the same command again may get further: not for a wrong SID or
    credentials, an untrusted next page, or an output that must be dealt with first."""
    hopeless = (
        AuthenticationError, NotFoundError, UntrustedURLError, JournalError,
        InvalidParameterError, ConfigurationError,
    )  # fmt: skip
    return not isinstance(error, hopeless)


def failure_line(error: BaseException) -> str:
    """A failure in one line: what went wrong, then what to do about it."""
    hint = None if isinstance(error, JournalError) else advice(error)
    return in_words(error) + ("" if hint is None else f"; {hint}")


def fail(ctx: click.Context, error: BaseException) -> NoReturn:
    """``error:`` and the failure in one line (its traceback first with --debug); its exit
    code."""
    if is_debug(ctx) and not isinstance(error, KeyboardInterrupt):
        traceback.print_exception(error, file=sys.stderr)
    click.echo(f"error: {failure_line(error)}", err=True)
    ctx.exit(exit_code(error))


def show_tracebacks(ctx: click.Context, jobs: Sequence[Job]) -> None:
    """With --debug, each failed flow's traceback (exit codes stay the same)."""
    if not is_debug(ctx):
        return
    for job in jobs:
        if job.error is not None and not isinstance(job.error, KeyboardInterrupt):
            traceback.print_exception(job.error, file=sys.stderr)


def warn(text: str) -> None:
    """A ``warning:`` line on stderr."""
    click.echo(f"warning: {' '.join(text.split())}", err=True)


class Display:
    """The live lines on a terminal's stderr: each running flow, then the whole run's counts."""

    def __init__(self, jobs: Sequence[Job], *, steps: bool, quiet: bool = False) -> None:
        self.jobs, self.steps = jobs, steps
        self.started = time.monotonic()
        self._start_counts = sum(job.engagements for job in jobs), sum(job.steps for job in jobs)
        self._shown = 0.0
        self._live: Any = None
        if sys.stderr.isatty() and not quiet:
            self._live = Live(console=Console(stderr=True), auto_refresh=False, transient=True)
            self._live.start()

    def show(self, runner: Any, *, force: bool = False) -> None:
        """Redraw, at most every ``REFRESH_SECONDS``."""
        if self._live is None:
            return
        now = time.monotonic()
        if not force and now - self._shown < REFRESH_SECONDS:
            return
        self._shown = now
        self._live.update(Text(self.text(runner.in_flight, now)), refresh=True)

    def text(self, in_flight: int, now: float) -> str:
        """The display's lines."""
        # Two columns short of the terminal: the "^C" it echoes after the last line must not
        # wrap it, or the redraw (which counts the lines it drew) leaves a line behind.
        width = shutil.get_terminal_size((80, 24)).columns - 2
        running = [job for job in self.jobs if job.state is JobState.RUNNING]
        lines = []
        for job in running[:8]:
            line = f"{job.flow_sid}  {job.engagements:,} engagements"
            if self.steps:
                line += f", {job.steps:,} steps"
            if job.retrying:
                line += f"; {job.retrying}"
            lines.append(line[:width])
        if len(running) > 8:
            lines.append(f"... and {plural(len(running) - 8, 'more flow')}")
        elapsed = now - self.started
        engagements = sum(job.engagements for job in self.jobs)
        steps = sum(job.steps for job in self.jobs)
        done = sum(job.state.finished for job in self.jobs)
        failed = sum(job.state is JobState.FAILED for job in self.jobs)
        total = f"{done:,} of {plural(len(self.jobs), 'flow')} done"
        if failed:
            total += f", {failed:,} failed"
        before_engagements, before_steps = self._start_counts
        counted = steps - before_steps if self.steps else engagements - before_engagements
        rate = counted / elapsed if elapsed > 0 else 0.0
        lines.append(
            f"{total}; {plural(engagements, 'engagement')}"
            + (f", {plural(steps, 'step')}" if self.steps else "")
            + f"; {plural(in_flight, 'request')} under way; "
            f"{rate:,.0f} {'steps' if self.steps else 'engagements'}/s; {_clock(elapsed)}"
        )
        return "\n".join(line[:width] for line in lines)

    def close(self) -> None:
        if self._live is not None:
            self._live.stop()
            self._live = None


def _clock(seconds: float) -> str:
    whole = int(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


def summary_lines(jobs: Sequence[Job], *, title: str, steps: bool, archive: bool) -> list[str]:
    """The summary: a header, one row per flow and a total, fitted to the terminal; then each
    failed flow's error and advice on lines of their own."""
    columns: list[tuple[str, str]] = [("flow", "<"), ("state", "<"), ("engagements", ">")]
    if archive:
        columns += [("new", ">"), ("changed", ">")]
    if steps:
        columns.append(("steps", ">"))
    columns += [("pages", ">"), ("retries", ">"), ("seconds", ">")]
    rows = [_row(job) for job in jobs]
    rows.append(_total(jobs))
    width = shutil.get_terminal_size((200, 24)).columns if sys.stderr.isatty() else 10_000
    # What goes first when the table is too wide: timings and counts of requests, then pages.
    for dropped in ("retries", "seconds", "pages", "changed", "new"):
        if _table_width(columns, rows) <= width:
            break
        columns = [column for column in columns if column[0] != dropped]
    lines = [title, *_table(columns, rows)]
    for job in jobs:
        if job.error is None or isinstance(job.error, KeyboardInterrupt):
            continue
        if job.state is JobState.UNAVAILABLE:
            lines.append(f"{job.flow_sid}: unavailable (kept as last seen): {in_words(job.error)}")
        else:
            lines.append(f"{job.flow_sid}: error: {failure_line(job.error)}")
    return lines


def _row(job: Job) -> dict[str, str]:
    return {
        "flow": job.flow_sid, "state": job.state.value, "engagements": f"{job.engagements:,}",
        "new": f"{job.new:,}", "changed": f"{job.changed:,}", "steps": f"{job.steps:,}",
        "pages": f"{job.pages:,}", "retries": f"{job.retries:,}", "seconds": f"{job.seconds:.1f}",
    }  # fmt: skip


def _total(jobs: Sequence[Job]) -> dict[str, str]:
    done = sum(job.state.finished for job in jobs)
    return {
        "flow": "total", "state": f"{done:,} of {len(jobs):,} done",
        "engagements": f"{sum(job.engagements for job in jobs):,}",
        "new": f"{sum(job.new for job in jobs):,}",
        "changed": f"{sum(job.changed for job in jobs):,}",
        "steps": f"{sum(job.steps for job in jobs):,}",
        "pages": f"{sum(job.pages for job in jobs):,}",
        "retries": f"{sum(job.retries for job in jobs):,}",
        "seconds": f"{max((job.seconds for job in jobs), default=0.0):.1f}",
    }  # fmt: skip


def _widths(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, str]]) -> list[int]:
    return [max(len(name), *(len(row[name]) for row in rows)) for name, _ in columns]


def _table_width(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, str]]) -> int:
    return sum(_widths(columns, rows)) + 2 * (len(columns) - 1)


def _table(columns: Sequence[tuple[str, str]], rows: Sequence[dict[str, str]]) -> list[str]:
    widths = _widths(columns, rows)

    def line(values: Sequence[str]) -> str:
        cells = [
            f"{value:{align}{width}}"
            for value, (_, align), width in zip(values, columns, widths, strict=True)
        ]
        return "  ".join(cells).rstrip()

    header = line([name for name, _ in columns])
    rule = "  ".join("-" * width for width in widths)
    body = [line([row[name] for name, _ in columns]) for row in rows]
    return [header, rule, *body[:-1], rule, body[-1]]


def print_summary(jobs: Sequence[Job], *, title: str, steps: bool, archive: bool) -> None:
    """The summary on stderr."""
    for text in summary_lines(jobs, title=title, steps=steps, archive=archive):
        click.echo(text, err=True)


def run_code(jobs: Sequence[Job], interrupted: bool) -> int:
    """The exit code of a run: its most serious failure (Ctrl-C above all)."""
    codes = [exit_code(job.error) for job in jobs if job.state is JobState.FAILED and job.error]
    return most_serious([*codes, EXIT_INTERRUPTED] if interrupted else codes)


def write_report(
    path: Path, jobs: Sequence[Job], *, command: str, code: int, output: str | None
) -> None:
    """The run as JSON for a scheduler: per flow its state, counts and error; the exit code."""
    report = {
        "command": command,
        "exit_code": code,
        "output": output,
        "flows": [
            {
                "flow_sid": job.flow_sid,
                "state": job.state.value,
                "engagements": job.engagements,
                "new": job.new,
                "changed": job.changed,
                "steps": job.steps,
                "pages": job.pages,
                "unavailable": job.unavailable,
                "retries": job.retries,
                "requests": job.requests,
                "seconds": round(job.seconds, 3),
                "error": None if job.error is None else in_words(job.error),
                "exit_code": None if job.error is None else exit_code(job.error),
            }
            for job in jobs
        ],
    }
    temporary = path.with_name(path.name + ".tmp")
    temporary.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    temporary.replace(path)
