"""What a person is told about a one-flow export: progress on a terminal, how to go on."""

from __future__ import annotations

import shlex
import sys
import time
from typing import Any

import click

from ..errors import UntrustedURLError
from ._exits import exit_code, one_line
from ._export import ExportFailed, Progress
from ._jobs import FileJob


def report_failure(ctx: click.Context, failed: ExportFailed, job: FileJob | None) -> None:
    """The error in one line, what was kept, and how to go on; then the exit code."""
    if ctx.find_root().params.get("debug") and not isinstance(failed.cause, KeyboardInterrupt):
        raise failed.cause
    click.echo(f"error: {one_line(failed.cause)}", err=True)
    where = f"are in {job.partial}" if job is not None else "were written"
    click.echo(f"{failed.written} engagements {where}", err=True)
    if isinstance(failed.cause, UntrustedURLError):
        # Resuming from that URL would be refused again: there is nothing safe to suggest.
        click.echo("the API pointed the next page to another origin; not resuming", err=True)
    elif job is not None:
        click.echo("run the same command again to resume, or:", err=True)
        click.echo(f"resume with: {resume_command(failed.resume_from)}", err=True)
    elif failed.resume_from is not None:
        click.echo(f"the next page to read is {failed.resume_from}", err=True)
    ctx.exit(exit_code(failed.cause))


def resume_command(resume_url: str | None) -> str:
    """The command line that was run, with --resume-from set to ``resume_url``."""
    words = list(sys.argv[1:])
    cleaned: list[str] = []
    skip = False
    for word in words:
        if skip:
            skip = False
            continue
        if word == "--resume-from":
            skip = True
            continue
        if word.startswith("--resume-from="):
            continue
        cleaned.append(word)
    if resume_url is not None:
        cleaned += ["--resume-from", resume_url]
    return shlex.join(["studio-engagements", *cleaned])


class ProgressLine:
    """Engagements, pages and rate on stderr, only when stderr is a terminal."""

    def __init__(self) -> None:
        self._started = time.monotonic()
        self._status: Any = None
        if sys.stderr.isatty():
            from rich.console import Console

            self._status = Console(stderr=True).status("starting export…")
            self._status.start()

    def update(self, progress: Progress) -> None:
        if self._status is not None:
            rate = progress.engagements / max(time.monotonic() - self._started, 1e-9)
            self._status.update(
                f"{progress.engagements} engagements, {progress.pages} pages, {rate:,.0f}/s"
            )

    def close(self) -> None:
        if self._status is not None:
            self._status.stop()
            self._status = None
