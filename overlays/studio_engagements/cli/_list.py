"""The list command's work: one flow to stdout, a table or a file; many flows to a folder."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import attrs
import click
import httpx

from .._client import StudioClient
from .._models import Engagement
from ..errors import StudioError
from ._exits import EXIT_INTERRUPTED, EXIT_OTHER, exit_code, most_serious, one_line
from ._export import (
    FIELDS,
    TABLE_FIELDS,
    ExportFailed,
    PartialFile,
    engagement_table,
    export,
    render_rows,
)
from ._flow_list import gather_flow_sids
from ._jobs import FileJob, Plan, RerunRefused
from ._many import Gate, export_many
from ._report import ProgressLine, report_failure
from ._state import Shape
from ._summary import LiveFlows, print_summary


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


@attrs.frozen
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


def export_to_folder(
    ctx: click.Context, request: ListRequest, client_options: dict[str, Any]
) -> None:
    """Every flow to its own file in --output-dir, concurrently; a summary; the worst exit code."""
    assert request.output_dir is not None
    try:
        request.output_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise click.UsageError(f"cannot use --output-dir {request.output_dir}: {error}") from None
    jobs = [
        FileJob(sid, request.output_dir / f"{sid}.{request.shape.format}", request.shape)
        for sid in request.flow_sids
    ]
    plans = plans_for(jobs, request.restart, None)
    gate = Gate()
    http = httpx.Client(follow_redirects=False, event_hooks=gate.hooks())
    live = LiveFlows(len(jobs))
    interrupted = False
    try:
        with StudioClient(http_client=http, **client_options) as client:
            results = export_many(
                client.engagements,
                list(zip(jobs, plans, strict=True)),
                concurrency=request.concurrency,
                gate=gate,
                on_change=live.update,
            )
    except KeyboardInterrupt as stop:
        interrupted = True
        results = stop.args[0] if stop.args else []
    finally:
        live.close()
        http.close()
    print_summary(results)
    codes = [exit_code(result.error) for result in results if result.error is not None]
    if any(result.status == "failed" for result in results):
        click.echo("run the same command again to resume the unfinished flows", err=True)
    ctx.exit(most_serious([*codes, EXIT_INTERRUPTED] if interrupted else codes))


def plans_for(jobs: list[FileJob], restart: bool, resume_from: str | None) -> list[Plan]:
    """Every job's plan, or a usage error naming every file a rerun cannot continue."""
    plans: list[Plan] = []
    refused: list[str] = []
    for job in jobs:
        try:
            plans.append(job.plan(restart=restart, resume_from=resume_from))
        except (RerunRefused, OSError) as error:
            refused.append(str(error))
    if refused:
        raise click.UsageError("\n".join(refused))
    return plans


def export_to_file(ctx: click.Context, client: StudioClient, request: ListRequest) -> None:
    """One flow to --output FILE: started, resumed, or skipped when already complete."""
    assert request.output is not None
    (sid,) = request.flow_sids
    job = FileJob(sid, request.output, request.shape)
    (plan,) = plans_for([job], request.restart, request.resume_from)
    if plan.action == "skip":
        click.echo(f"{job.final} is complete already (--restart exports it again)", err=True)
        return
    progress = ProgressLine()
    try:
        done = job.run(plan, client.engagements, on_page=progress.update)
    except ExportFailed as failed:
        progress.close()
        report_failure(ctx, failed, job)
        return
    progress.close()
    click.echo(f"wrote {done.engagements} engagements to {job.final}", err=True)


def export_to_stdout(ctx: click.Context, client: StudioClient, request: ListRequest) -> None:
    """One flow to stdout, page by page (a csv header first)."""
    (sid,) = request.flow_sids
    shape = request.shape
    header_owed = shape.format == "csv"
    out = sys.stdout  # taken before the progress display, which redirects sys.stdout
    progress = ProgressLine()

    def write(batch: list[Engagement]) -> None:
        nonlocal header_owed
        out.write(render_rows(batch, shape.fields, shape.format, header=header_owed))
        out.flush()
        header_owed = False

    try:
        export(
            client.engagements, sid, limit=shape.limit, page_size=shape.page_size,
            resume_from=None, already=0, write=write, on_page=progress.update,
        )  # fmt: skip
    except ExportFailed as failed:
        progress.close()
        if isinstance(failed.cause, BrokenPipeError):
            # The reader of stdout went away (e.g. `| head`): stop quietly, as Unix tools do.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            ctx.exit(EXIT_OTHER)
        report_failure(ctx, failed, None)
    progress.close()


def export_table(ctx: click.Context, client: StudioClient, request: ListRequest) -> None:
    """One flow as a table, on stdout or in --output FILE (via FILE.partial)."""
    from rich.console import Console

    (sid,) = request.flow_sids
    shape = request.shape
    try:
        rows = list(client.engagements.stream(sid, limit=shape.limit, page_size=shape.page_size))
    except (StudioError, KeyboardInterrupt) as error:
        if ctx.find_root().params.get("debug") and isinstance(error, StudioError):
            raise
        click.echo(f"error: {one_line(error)}", err=True)
        ctx.exit(exit_code(error))
    table = engagement_table(rows, shape.fields)
    if request.output is None:
        # A terminal wraps the table to its width; a pipe gets whole lines, SIDs unbroken.
        Console(width=None if sys.stdout.isatty() else 1000).print(table)
        return
    text = Console(width=1000)
    with text.capture() as captured:
        text.print(table)
    sink = PartialFile(request.output, resume=False)
    sink.write_page(captured.get())
    sink.finish()
