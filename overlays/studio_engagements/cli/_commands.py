"""Command definitions: argument parsing and exit codes; the work is in _export and _demo."""

from __future__ import annotations

import os
import shlex
import sys
import time
from pathlib import Path
from typing import Any

import attrs
import click
import httpx

from .._client import StudioClient
from .._models import Engagement
from .._version import __version__
from ..errors import (
    ConfigurationError,
    InvalidParameterError,
    StudioError,
    UntrustedURLError,
)
from ._exits import EXIT_INTERRUPTED, EXIT_OTHER, EXIT_USAGE, exit_code, most_serious, one_line
from ._export import (
    FIELDS,
    FORMATS,
    TABLE_FIELDS,
    ExportFailed,
    PartialFile,
    Progress,
    engagement_table,
    export,
    render_rows,
)
from ._flow_list import gather_flow_sids
from ._jobs import FileJob, Plan, RerunRefused
from ._many import DEFAULT_CONCURRENCY, MAX_CONCURRENCY, Gate, export_many
from ._state import Shape
from ._summary import LiveFlows, print_summary


class _Group(click.Group):
    """Turns the client's input and configuration errors into usage errors (exit 2)."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (InvalidParameterError, ConfigurationError, UntrustedURLError) as error:
            if ctx.find_root().params.get("debug"):
                raise
            click.echo(f"error: {one_line(error)}", err=True)
            ctx.exit(EXIT_USAGE)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="studio-engagements")
@click.option("--debug", is_flag=True, help="Show tracebacks and DEBUG logs of every request.")
def main(debug: bool) -> None:
    """Export Twilio Studio engagements; serve a mock of the API; run a demo.

    \b
    Examples:
      studio-engagements demo
      studio-engagements list FWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --output engagements.jsonl
      studio-engagements mock --port 4010
    """
    if debug:
        import logging

        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s: %(message)s")


def _fields(value: str | None, fmt: str) -> tuple[str, ...]:
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


@main.command(name="list")
@click.argument("flow_sids", nargs=-1, metavar="FLOW_SID...")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N engagements (per flow).")
@click.option(
    "--page-size", type=int, help="Engagements per request (default: the largest the API allows)."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--fields", help="Comma-separated API field names to keep, in this order.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (via FILE.partial); run the same command again to resume.",
)
@click.option(
    "--output-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Write each flow to DIR/<FLOW_SID>.jsonl (or .csv), each via its own .partial.",
)
@click.option(
    "--flows-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Read flow SIDs from FILE, one per line (blank lines and # comments allowed).",
)
@click.option(
    "--concurrency",
    type=click.IntRange(1, MAX_CONCURRENCY),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help=f"Flows exported at once (at most {MAX_CONCURRENCY}: Twilio limits concurrent requests "
    "per account, so more only queue; a 429 pauses every flow for its Retry-After).",
)
@click.option("--restart", is_flag=True, help="Discard unfinished .partial files and start over.")
@click.option("--resume-from", metavar="URL", help="Continue a failed export from this page URL.")
@click.option("--base-url", help="API origin, e.g. a mock's http://127.0.0.1:4010.")
@click.option("--region", help="Twilio region, e.g. au1 (or TWILIO_REGION).")
@click.option("--edge", help="Twilio edge, e.g. sydney (or TWILIO_EDGE).")
@click.option(
    "--timeout",
    type=float,
    help="Seconds one request may take, connect to last byte (default 30).",
)
@click.option(
    "--max-response-bytes",
    type=int,
    help="Refuse a page larger than this (default 64 MiB).",
)
@click.pass_context
def list_command(ctx: click.Context, /, **options: Any) -> None:
    """Export the engagements of one or more flows as jsonl (default), csv or a table.

    Credentials come from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and
    TWILIO_API_SECRET). With --output (one flow) or --output-dir (any number of flows), each
    file is written to FILE.partial and renamed to FILE only when complete; after each whole
    page, where the export stands is saved beside it, so running the same command again skips
    complete flows and continues the others. --restart starts over.

    \b
    Examples:
      studio-engagements list FWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --output all.jsonl
      studio-engagements list FWxxx... FWyyy... --output-dir exports --concurrency 4
      studio-engagements list --flows-file flows.txt --output-dir exports --format csv
      studio-engagements list FWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --format table --limit 20
    """
    request = _ListRequest.from_options(options)
    client_options: dict[str, Any] = {
        name: options[name]
        for name in ("base_url", "region", "edge", "timeout", "max_response_bytes")
        if options[name] is not None
    }
    if request.output_dir is not None:
        _export_many(ctx, request, client_options)
        return
    with StudioClient(**client_options) as client:
        if request.shape.format == "table":
            _table_command(ctx, client, request)
        elif request.output is not None:
            _file_command(ctx, client, request)
        else:
            _stdout_command(ctx, client, request)


@attrs.frozen
class _ListRequest:
    """The ``list`` command's options, checked together before anything is sent."""

    flow_sids: tuple[str, ...]
    shape: Shape
    output: Path | None
    output_dir: Path | None
    concurrency: int
    restart: bool
    resume_from: str | None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> _ListRequest:
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
        shape = Shape(fmt, _fields(options["fields"], fmt), options["page_size"], options["limit"])
        return cls(
            sids, shape, options["output"], options["output_dir"], options["concurrency"],
            options["restart"], options["resume_from"],
        )  # fmt: skip


def _export_many(ctx: click.Context, request: _ListRequest, client_options: dict[str, Any]) -> None:
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
    plans = _plans(jobs, request.restart, None)
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


def _plans(jobs: list[FileJob], restart: bool, resume_from: str | None) -> list[Plan]:
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


def _file_command(ctx: click.Context, client: StudioClient, request: _ListRequest) -> None:
    """One flow to --output FILE: started, resumed, or skipped when already complete."""
    assert request.output is not None
    (sid,) = request.flow_sids
    job = FileJob(sid, request.output, request.shape)
    (plan,) = _plans([job], request.restart, request.resume_from)
    if plan.action == "skip":
        click.echo(f"{job.final} is complete already (--restart exports it again)", err=True)
        return
    progress = _ProgressLine()
    try:
        done = job.run(plan, client.engagements, on_page=progress.update)
    except ExportFailed as failed:
        progress.close()
        _report_failure(ctx, failed, job)
        return
    progress.close()
    click.echo(f"wrote {done.engagements} engagements to {job.final}", err=True)


def _stdout_command(ctx: click.Context, client: StudioClient, request: _ListRequest) -> None:
    """One flow to stdout, page by page (a csv header first)."""
    (sid,) = request.flow_sids
    shape = request.shape
    header_owed = shape.format == "csv"
    out = sys.stdout  # taken before the progress display, which redirects sys.stdout
    progress = _ProgressLine()

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
        _report_failure(ctx, failed, None)
    progress.close()


def _report_failure(ctx: click.Context, failed: ExportFailed, job: FileJob | None) -> None:
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
        click.echo(f"resume with: {_resume_command(failed.resume_from)}", err=True)
    elif failed.resume_from is not None:
        click.echo(f"the next page to read is {failed.resume_from}", err=True)
    ctx.exit(exit_code(failed.cause))


def _resume_command(resume_url: str | None) -> str:
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


def _table_command(ctx: click.Context, client: StudioClient, request: _ListRequest) -> None:
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


class _ProgressLine:
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


@main.command()
def demo() -> None:
    """Serve the mock on loopback and export a flow from it over HTTP: no account needed.

    \b
    Example:
      studio-engagements demo
    """
    from rich.console import Console

    from ._demo import run_demo

    sys.exit(run_demo(Console()))


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=4010,
    show_default=True,
    help="0: any free port.",
)
@click.option(
    "--flows", type=click.IntRange(min=0), default=3, show_default=True, help="How many flows."
)
@click.option(
    "--engagements", type=click.IntRange(min=0), default=1000, show_default=True, help="Per flow."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Data and credentials seed.")
def mock(host: str, port: int, flows: int, engagements: int, seed: int) -> None:
    """Serve MockStudio, a spec-driven fake of the API, until Ctrl-C.

    Prints the base URL, the credentials as export lines to paste, and the flow SIDs.

    \b
    Example:
      studio-engagements mock --port 4010 --flows 2 --engagements 5000
    """
    try:
        from ..testing import MockStudio
        from ..testing._server import serve_forever
    except ModuleNotFoundError as missing:
        raise click.UsageError(
            f"the mock needs the mock extra ({missing.name} is missing)"
        ) from None
    try:
        serve_forever(MockStudio.seeded(flows, engagements, seed=seed), host, port)
    except OSError as error:
        raise click.UsageError(
            f"cannot serve on {host}:{port}: {error.strerror or error}"
        ) from None
