"""The list command's work: one flow to stdout, a table or a file; many flows to a folder."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import resource
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from .._client import StudioClient
from .._models import Engagement
from ._exits import EXIT_INTERRUPTED, EXIT_OTHER, check_interrupted, exit_code, most_serious
from ._export import ExportFailed, PartialFile, Progress, export
from ._flow_list import gather_flow_sids
from ._jobs import FileJob, Plan
from ._journal import JournalError, Shape, output_lock
from ._many import Gate, export_many
from ._report import (
    FlowResult,
    LiveFlows,
    ProgressLine,
    fail,
    print_summary,
    report_failure,
    watching_retries,
)
from ._rows import FIELDS, TABLE_FIELDS, engagement_table, render_rows


def chosen_fields(value: str | None, fmt: str) -> tuple[str, ...]:
    if value is None:
        return TABLE_FIELDS if fmt == "table" else FIELDS
    chosen = tuple(name.strip() for name in value.split(",") if name.strip())
    unknown = [name for name in chosen if name not in FIELDS]
    if not chosen or unknown:
        named = ", ".join(map(repr, unknown)) or "(none given)"
        raise click.BadParameter(
            f"unknown field(s) {named}; choose from {', '.join(FIELDS)}", param_hint="--fields"
        )
    return chosen


@dataclasses.dataclass(frozen=True, slots=True)
class ListRequest:
    """The ``list`` command's options, checked together before anything is sent."""

    flow_sids: tuple[str, ...]
    shape: Shape
    output: Path | None
    output_dir: Path | None
    concurrency: int
    restart: bool
    resume_from: str | None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> ListRequest:
        fmt = options["fmt"]
        sids = gather_flow_sids(options["flow_sids"], options["flows_file"])
        if options["output"] is not None and options["output_dir"] is not None:
            raise click.UsageError("give --output FILE (one flow) or --output-dir DIR, not both")
        if len(sids) > 1 and options["output_dir"] is None:
            raise click.UsageError(
                f"{len(sids)} flows need --output-dir DIR: each is written to DIR/<FLOW_SID>.{fmt}"
            )
        if options["output_dir"] is not None and fmt == "table":
            raise click.UsageError("--output-dir writes jsonl or csv files, not a table")
        if options["resume_from"] is not None and (options["output"] is None or fmt == "table"):
            raise click.UsageError("--resume-from continues a jsonl or csv --output file")
        shape = Shape(
            fmt, chosen_fields(options["fields"], fmt), options["page_size"], options["limit"]
        )
        return cls(
            sids, shape, options["output"], options["output_dir"], options["concurrency"],
            options["restart"], options["resume_from"],
        )  # fmt: skip


@contextlib.contextmanager
def writable(path: Path, lock: Path | None = None) -> Iterator[None]:
    """Hold ``path``'s lock meanwhile; an OSError says that ``path`` cannot be written."""
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(output_lock(path, lock=lock))
        except OSError as error:
            raise OSError(f"cannot write {path}: {error.strerror or error}") from None
        yield


def planned(
    jobs: list[FileJob], locks: contextlib.ExitStack, restart: bool, resume_from: str | None
) -> list[Plan]:
    """Lock every job's output, then plan it; one JournalError names every file refused."""
    plans: list[Plan] = []
    refused: list[str] = []
    for job in jobs:
        try:
            locks.enter_context(writable(job.final))
            plans.append(job.plan(restart=restart, resume_from=resume_from))
        except JournalError as error:
            refused.append(str(error))
    if refused:
        raise JournalError("\n".join(refused))
    for plan in plans:
        if plan.note is not None:
            click.echo(plan.note, err=True)
    return plans


def export_to_folder(
    ctx: click.Context, request: ListRequest, client_options: dict[str, Any]
) -> None:
    """Every flow to its own file in --output-dir, concurrently; a summary; the worst exit code."""
    assert request.output_dir is not None
    try:
        request.output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OSError(f"cannot write --output-dir {request.output_dir}: {error}") from None
    jobs = [
        FileJob(sid, request.output_dir / f"{sid}.{request.shape.format}", request.shape)
        for sid in request.flow_sids
    ]
    _allow_open_files(len(jobs))
    results = [FlowResult(job.flow_sid) for job in jobs]
    gate = Gate()
    with contextlib.ExitStack() as locks:
        # The folder's own lock first: of two runs on one folder, one goes, one is refused.
        folder_lock = request.output_dir / ".studio-engagements.lock"
        locks.enter_context(writable(request.output_dir, folder_lock))
        plans = planned(jobs, locks, request.restart, None)
        live = LiveFlows(results)

        def retrying(flow_sid: str | None, reason: str, delay: float) -> None:
            gate.retrying(flow_sid, reason, delay)
            live.retrying(flow_sid, reason, delay)

        try:
            with StudioClient(**client_options) as client, watching_retries(retrying):
                interrupted = export_many(
                    client, list(zip(jobs, plans, strict=True)), results,
                    concurrency=request.concurrency, gate=gate,
                )  # fmt: skip
        except KeyboardInterrupt:
            interrupted = True
        finally:
            live.close()
    print_summary(results)
    codes = [exit_code(result.error) for result in results if result.error is not None]
    if any(result.status == "failed" for result in results):
        click.echo("run the same command again to resume the unfinished flows", err=True)
    ctx.exit(most_serious([*codes, EXIT_INTERRUPTED] if interrupted else codes))


def _allow_open_files(locks: int) -> None:
    """Raise the open-file limit as far as allowed: each flow's lock is an open file."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < locks + 256:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def export_to_file(ctx: click.Context, client: StudioClient, request: ListRequest) -> None:
    """One flow to --output FILE: started, resumed, or skipped when already complete."""
    assert request.output is not None
    (sid,) = request.flow_sids
    job = FileJob(sid, request.output, request.shape)
    with contextlib.ExitStack() as locks:
        (plan,) = planned([job], locks, request.restart, request.resume_from)
        if plan.action == "skip":
            click.echo(f"{job.final} is complete already (delete it to export it again)", err=True)
            return
        progress = ProgressLine(plan.start.engagements, plan.start.pages)
        try:
            with watching_retries(progress.retrying):
                done = job.run(
                    plan, client, before_page=check_interrupted,
                    on_page=lambda page: progress.update(page.engagements, page.pages),
                )  # fmt: skip
        except ExportFailed as failed:
            progress.close()
            report_failure(ctx, failed.cause, failed.written, str(job.partial), failed.resume_from)
        progress.close()
    this_run = done.engagements - plan.start.engagements
    click.echo(
        f"wrote {done.engagements} engagements to {job.final}"
        + (f" ({this_run} in this run)" if plan.action == "resume" else ""),
        err=True,
    )


def export_to_stdout(ctx: click.Context, client: StudioClient, request: ListRequest) -> None:
    """One flow to stdout, page by page (a csv header first)."""
    (sid,) = request.flow_sids
    shape = request.shape
    header_owed = shape.format == "csv"
    out = sys.stdout.buffer  # taken before the progress display, which redirects sys.stdout
    progress = ProgressLine()

    def write(batch: list[Engagement]) -> None:
        nonlocal header_owed
        out.write(render_rows(batch, shape.fields, shape.format, header=header_owed))
        out.flush()
        header_owed = False

    try:
        with watching_retries(progress.retrying):
            export(
                client, sid, limit=shape.limit, page_size=shape.page_size, start=Progress(0, 0),
                write=write, before_page=check_interrupted,
                on_page=lambda page: progress.update(page.engagements, page.pages),
            )  # fmt: skip
    except ExportFailed as failed:
        progress.close()
        if isinstance(failed.cause, BrokenPipeError):
            # The reader of stdout went away (e.g. `| head`): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_OTHER)
        report_failure(ctx, failed.cause, failed.written, None, failed.resume_from)
    progress.close()


def export_table(ctx: click.Context, client: StudioClient, request: ListRequest) -> None:
    """One flow as a table, on stdout or in --output FILE (via FILE.partial)."""
    (sid,) = request.flow_sids
    shape = request.shape
    rows = []
    try:
        for row in client.engagements.stream(sid, limit=shape.limit, page_size=shape.page_size):
            check_interrupted()
            rows.append(row)
    except KeyboardInterrupt as error:
        fail(ctx, error)
    table = engagement_table(rows, shape.fields)
    if request.output is None:
        # A terminal wraps the table to its width; a pipe gets whole lines, SIDs unbroken.
        Console(width=None if sys.stdout.isatty() else 1000).print(table)
        return
    text = Console(width=1000)
    with text.capture() as captured:
        text.print(table)
    with writable(request.output):
        sink = PartialFile(request.output, resume_at=None)
        sink.write_page(captured.get().encode("utf-8", errors="backslashreplace"))
        sink.finish()
