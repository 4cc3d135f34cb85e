"""The ``list`` command's work: which sink, which jobs, the run on the engine, what is said."""

from __future__ import annotations

import contextlib
import dataclasses
import os
import shlex
import sys
from pathlib import Path
from typing import Any

import click

from .. import UntrustedURLError
from ._exits import EXIT_OTHER
from ._file_sink import FileSink, StreamSink, TableSink
from ._flow_list import gather_flow_sids
from ._jobs import Job, JobState, Sink, Stand
from ._journal import Shape, writable
from ._report import (
    failure_line,
    plural,
    print_summary,
    rerun_helps,
    run_code,
    show_tracebacks,
    write_report,
)
from ._rows import FIELDS, TABLE_FIELDS
from ._runner import carry_out


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

    flow_sids: tuple[str, ...] | None
    """The flows to export, in order (None: every flow of the account, ``--all-flows``)."""
    shape: Shape
    output: Path | None
    output_dir: Path | None
    concurrency: int
    restart: bool
    resume_from: str | None
    quiet: bool
    report: Path | None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> ListRequest:
        fmt = options["fmt"]
        sids: tuple[str, ...] | None = None
        if options.get("all_flows"):
            if options["flow_sids"] or options["flows_file"] is not None:
                raise click.UsageError("give FLOW_SIDs, --flows-file FILE or --all-flows, not both")
            if options["output_dir"] is None:
                raise click.UsageError("--all-flows needs --output-dir DIR: one file per flow")
        else:
            sids = gather_flow_sids(options["flow_sids"], options["flows_file"])
        if options["output"] is not None and options["output_dir"] is not None:
            raise click.UsageError("give --output FILE (one flow) or --output-dir DIR, not both")
        if sids is not None and len(sids) > 1 and options["output_dir"] is None:
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
            options["restart"], options["resume_from"], bool(options.get("quiet")),
            options.get("report"),
        )  # fmt: skip


def run_list(ctx: click.Context, request: ListRequest, client_options: dict[str, Any]) -> None:
    """Export every flow of ``request``; a summary (or one line); the worst exit code."""
    with contextlib.ExitStack() as held:
        sink = _sink(request, held)
        jobs = [
            Job(sid, limit=request.shape.limit) for sid in request.flow_sids or ()
        ]  # --all-flows: filled in once the account's flows are listed
        limit = request.shape.limit

        def every_flow(flows: list[Any]) -> list[Job]:
            sids = dict.fromkeys(flow.sid for flow in flows if flow.sid is not None)
            return [Job(sid, limit=limit) for sid in sids]

        outcome = carry_out(
            sink, jobs, client_options, concurrency=request.concurrency,
            page_size=request.shape.page_size, quiet=request.quiet, steps=False,
            discover=every_flow if request.flow_sids is None else None,
            lock=(lambda job: _lock(held, sink, job)) if isinstance(sink, FileSink) else None,
        )  # fmt: skip
    jobs, interrupted = outcome.jobs, outcome.interrupted
    code = run_code(jobs, interrupted)
    show_tracebacks(ctx, jobs)
    if request.report is not None:
        output = str(request.output or request.output_dir or "-")
        write_report(request.report, jobs, command="list", code=code, output=output)
    if request.output_dir is not None or request.flow_sids is None:
        if not request.quiet or code:
            print_summary(jobs, title="export summary", steps=False, archive=False)
        unfinished = [job for job in jobs if not job.state.finished]
        if interrupted or any(job.error and rerun_helps(job.error) for job in unfinished):
            click.echo("run the same command again to resume the unfinished flows", err=True)
    elif jobs:
        _one_flow(ctx, request, sink, jobs[0], quiet=request.quiet)
    ctx.exit(code)


def _sink(request: ListRequest, held: contextlib.ExitStack) -> Sink:
    if request.shape.format == "table":
        return TableSink(request.shape, request.output)
    if request.output_dir is not None:
        folder = request.output_dir
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise OSError(
                f"cannot write --output-dir {folder}: {error.strerror or error}"
            ) from None
        # The folder's own lock first: of two runs on one folder, one goes, one is refused.
        held.enter_context(writable(folder, folder / ".studio-engagements.lock"))
        fmt = request.shape.format
        _allow_open_files(len(request.flow_sids or ()) + 1)
        return FileSink(request.shape, lambda sid: folder / f"{sid}.{fmt}", restart=request.restart)
    if request.output is not None:
        output = request.output
        return FileSink(
            request.shape, lambda sid: output, restart=request.restart,
            resume_from=request.resume_from,
        )  # fmt: skip
    return StreamSink(request.shape)


def _lock(held: contextlib.ExitStack, sink: FileSink, job: Job) -> None:
    held.enter_context(writable(sink.final(job)))


def _allow_open_files(locks: int) -> None:
    """Raise the open-file limit as far as allowed: each flow's lock is an open file."""
    try:
        import resource  # POSIX only: elsewhere there is no such limit to raise
    except ImportError:
        return
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft != resource.RLIM_INFINITY and soft < locks + 256:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def _one_flow(ctx: click.Context, request: ListRequest, sink: Sink, job: Job, quiet: bool) -> None:
    """What a one-flow export says: what it wrote, or what failed and how to go on."""
    if job.state is JobState.COMPLETE:
        click.echo(
            f"{request.output} is complete already: an export of a flow is a snapshot; to keep "
            "what is new as it comes, archive the flow (studio-engagements archive FLOW_SID "
            "--output FILE.sqlite, run on a schedule), or delete the file to export it again",
            err=True,
        )
        return
    if job.state.finished:
        if request.output is not None and not quiet:
            this_run = job.engagements - job.standing.engagements
            resumed = job.standing.stand is Stand.RESUME
            click.echo(
                f"wrote {plural(job.engagements, 'engagement')} to {request.output}"
                + (f" ({this_run:,} in this run)" if resumed else ""),
                err=True,
            )
        return
    error = job.error
    if isinstance(error, BrokenPipeError):
        # The reader of stdout went away (e.g. `| head`): stop quietly, as Unix tools do.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        ctx.exit(EXIT_OTHER)
    if error is None or isinstance(error, KeyboardInterrupt):
        click.echo("error: interrupted (Ctrl-C)", err=True)
    else:
        click.echo(f"error: {failure_line(error)}", err=True)
    if request.output is None:
        if job.cursor is not None:
            click.echo(f"the next page to read is {job.cursor}", err=True)
        return
    assert isinstance(sink, FileSink)
    kept = sink.partial(job)
    if job.engagements == 0 or not kept.exists():
        if error is None or rerun_helps(error):
            click.echo("nothing was kept: run the same command again to start over", err=True)
        return
    click.echo(f"{plural(job.engagements, 'engagement')} are in {kept}", err=True)
    if isinstance(error, UntrustedURLError):
        # Resuming from that URL would be refused again: there is nothing safe to suggest.
        click.echo("the API pointed the next page to another origin; not resuming", err=True)
    elif job.cursor is None:
        click.echo("run the same command again to resume", err=True)
    else:
        click.echo("run the same command again to resume, or:", err=True)
        click.echo(f"resume with: {resume_command(job.cursor)}", err=True)


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
