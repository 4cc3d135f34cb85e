"""The ``archive`` command's work: the file (or the one ``--restart`` builds beside it), the
flows to keep, the run on the engine, and what is said."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import sqlite3
from pathlib import Path
from typing import Any

import click

from ._archive_sink import ArchiveSink, check_options
from ._archive_store import ArchiveStore
from ._flow_list import gather_flow_sids
from ._jobs import Job, JobState
from ._journal import JournalError, writable
from ._report import (
    plural,
    print_summary,
    rerun_helps,
    run_code,
    show_tracebacks,
    warn,
    write_report,
)
from ._runner import carry_out


@dataclasses.dataclass(frozen=True, slots=True)
class ArchiveRequest:
    """The ``archive`` command's options, checked together before anything is sent."""

    flow_sids: tuple[str, ...] | None
    """The flows to archive, in order (None: every flow ``ListFlow`` gives)."""
    output: Path
    steps: bool
    concurrency: int
    restart: bool
    page_size: int | None
    quiet: bool = False
    report: Path | None = None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> ArchiveRequest:
        sids: tuple[str, ...] | None = None
        if options["all_flows"]:
            if options["flow_sids"] or options["flows_file"] is not None:
                raise click.UsageError("give FLOW_SIDs, --flows-file FILE or --all-flows, not both")
        else:
            sids = gather_flow_sids(options["flow_sids"], options["flows_file"])
        return cls(
            sids, options["output"], options["steps"], options["concurrency"], options["restart"],
            options["page_size"], bool(options.get("quiet")), options.get("report"),
        )  # fmt: skip

    @property
    def target(self) -> Path:
        """The file this run writes: the archive, or (``--restart``) the new one beside it."""
        if not self.restart:
            return self.output
        return self.output.with_name(self.output.name + ".partial")


def run_archive(
    ctx: click.Context, request: ArchiveRequest, client_options: dict[str, Any]
) -> None:
    """Archive (or update) every flow of ``request``; a summary; the worst exit code."""
    target, warnings = request.target, list[str]()
    with writable(request.output):
        existed = target.exists()
        store = ArchiveStore(target)
        problem = check_options(store, request.steps)
        if problem is not None:
            store.close()
            raise JournalError(problem)
        sink = ArchiveSink(store, steps=request.steps, warn=warnings.append)
        named = request.flow_sids

        def discover(flows: list[Any]) -> list[Job]:
            listed = [flow.sid for flow in flows if flow.sid is not None]
            sink.add_flows(flows, list(named) if named is not None else listed)
            kept = sink.kept_flows()
            return [Job(sid) for sid in (kept if named is None else named)]

        try:
            outcome = carry_out(
                sink, [], client_options, concurrency=request.concurrency,
                page_size=request.page_size, quiet=request.quiet, steps=request.steps,
                discover=discover,
            )  # fmt: skip
        except BaseException:
            _forget_if_empty(target, existed)
            raise
        jobs = outcome.jobs
        whole = not outcome.interrupted and bool(jobs) and all(job.state.finished for job in jobs)
        if not _forget_if_empty(target, existed) and request.restart and whole:
            os.replace(target, request.output)  # the new archive, complete, takes the old's place
    code = run_code(jobs, outcome.interrupted)
    show_tracebacks(ctx, jobs)
    if request.report is not None:
        write_report(request.report, jobs, command="archive", code=code, output=str(request.output))
    if not request.quiet or code:
        print_summary(jobs, title="archive summary", steps=request.steps, archive=True)
    for text in warnings:
        warn(text)
    _say_what_happened(request, jobs, whole, outcome.interrupted, code)
    ctx.exit(code)


def _forget_if_empty(target: Path, existed: bool) -> bool:
    """A file this run made and kept no engagement in goes: nothing is left to block a rerun
    (e.g. a first run with a wrong token, or a --restart that could not reach the API)."""
    if existed or not target.exists():
        return False
    try:
        with contextlib.closing(
            sqlite3.connect(f"{target.resolve().as_uri()}?mode=ro", uri=True)
        ) as db:
            (kept,) = db.execute("SELECT COUNT(*) FROM engagements").fetchone()
    except sqlite3.Error:
        return False
    if kept:
        return False
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    return True


def _say_what_happened(
    request: ArchiveRequest, jobs: list[Job], whole: bool, interrupted: bool, code: int
) -> None:
    if request.quiet and not code:
        return
    engagements = sum(job.engagements for job in jobs)
    steps = sum(job.steps for job in jobs)
    new, changed = sum(job.new for job in jobs), sum(job.changed for job in jobs)
    unavailable = [job for job in jobs if job.state is JobState.UNAVAILABLE]
    if whole:
        kept = f"{plural(len(jobs), 'flow')}, {plural(engagements, 'engagement')}"
        if request.steps:
            kept += f" and {plural(steps, 'step')}"
        click.echo(
            f"archived {kept} in {request.output} ({new:,} new, {changed:,} changed in this run)",
            err=True,
        )
        if unavailable:
            click.echo(
                f"{plural(len(unavailable), 'flow')} no longer at Twilio (kept as last seen): "
                + ", ".join(job.flow_sid for job in unavailable),
                err=True,
            )
        return
    if request.restart:
        click.echo(
            f"{request.output} is unchanged; the new archive is unfinished in {request.target}: "
            "run the same command (with --restart) again to go on with it",
            err=True,
        )
    elif interrupted or any(job.error and rerun_helps(job.error) for job in jobs):
        click.echo("run the same command again to continue the archive", err=True)
