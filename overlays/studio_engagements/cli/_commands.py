"""Command definitions: argument parsing and exit codes; the work is in _export and _demo."""

from __future__ import annotations

import os
import shlex
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import IO, Any

import click

from .._client import StudioClient
from .._models import Engagement
from .._version import __version__
from ..errors import (
    ApiError,
    ConfigurationError,
    InvalidParameterError,
    StudioError,
    TransportError,
    UnexpectedResponseError,
    UntrustedURLError,
)
from ._export import (
    FIELDS,
    FORMATS,
    TABLE_FIELDS,
    ExportFailed,
    PartialFile,
    Progress,
    count_records,
    engagement_table,
    export,
    render_rows,
)

EXIT_OTHER, EXIT_USAGE, EXIT_API, EXIT_NETWORK, EXIT_INTERRUPTED = 1, 2, 3, 4, 130


def exit_code(error: BaseException) -> int:
    """The documented exit code for an error."""
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(error, TransportError):
        return EXIT_NETWORK
    if isinstance(error, ApiError | UnexpectedResponseError):
        return EXIT_API
    if isinstance(error, OSError):  # the output could not be written
        return EXIT_OTHER
    return EXIT_USAGE


def one_line(error: BaseException) -> str:
    """``Type: message`` on a single line."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}"


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
@click.argument("flow_sid")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N engagements.")
@click.option(
    "--page-size", type=int, help="Engagements per request (default: the largest the API allows)."
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="jsonl", show_default=True)
@click.option("--fields", help="Comma-separated API field names to keep, in this order.")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write here (via FILE.partial).",
)
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
def list_command(
    ctx: click.Context,
    flow_sid: str,
    limit: int | None,
    page_size: int | None,
    fmt: str,
    fields: str | None,
    output: Path | None,
    resume_from: str | None,
    base_url: str | None,
    region: str | None,
    edge: str | None,
    timeout: float | None,
    max_response_bytes: int | None,
) -> None:
    """Export the engagements of FLOW_SID as jsonl (default), csv or a table.

    Credentials come from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and
    TWILIO_API_SECRET). With --output, the export is written to FILE.partial and renamed to FILE
    only when complete; after a failure, the command to resume is printed.

    \b
    Examples:
      studio-engagements list FWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --output all.jsonl
      studio-engagements list FWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --format csv --fields sid,status
      studio-engagements list FWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --format table --limit 20
    """
    chosen = _fields(fields, fmt)
    if resume_from is not None and (output is None or fmt == "table"):
        raise click.UsageError("--resume-from continues a jsonl or csv --output file")
    options: dict[str, Any] = {}
    if timeout is not None:
        options["timeout"] = timeout
    if max_response_bytes is not None:
        options["max_response_bytes"] = max_response_bytes
    with StudioClient(base_url=base_url, region=region, edge=edge, **options) as client:
        if fmt == "table":
            try:
                _table(client, flow_sid, limit, page_size, chosen, output)
            except (StudioError, KeyboardInterrupt) as error:
                if ctx.find_root().params.get("debug") and isinstance(error, StudioError):
                    raise
                click.echo(f"error: {one_line(error)}", err=True)
                ctx.exit(exit_code(error))
            return
        sink = _open_sink(output, resume=resume_from is not None)
        already = (
            count_records(sink.partial, fmt) if isinstance(sink, PartialFile) and resume_from else 0
        )
        progress = _ProgressLine()
        header_owed = fmt == "csv" and (not isinstance(sink, PartialFile) or sink.is_empty)

        def write(batch: list[Engagement]) -> None:
            nonlocal header_owed
            text = render_rows(batch, chosen, fmt, header=header_owed)
            header_owed = False
            if isinstance(sink, PartialFile):
                sink.write_page(text)
            else:
                sink.write(text)
                sink.flush()

        try:
            done = export(
                client.engagements,
                flow_sid,
                limit=limit,
                page_size=page_size,
                resume_from=resume_from,
                already=already,
                write=write,
                on_page=progress.update,
            )
        except ExportFailed as failed:
            progress.close()
            if isinstance(failed.cause, BrokenPipeError):
                # The reader of stdout went away (e.g. `| head`): stop quietly, as Unix tools do.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                ctx.exit(EXIT_OTHER)
            _report_failure(ctx, failed, sink, resume_from)
            return
        progress.close()
        if isinstance(sink, PartialFile):
            sink.finish()
            click.echo(f"wrote {done.engagements} engagements to {sink.final}", err=True)


def _open_sink(output: Path | None, *, resume: bool) -> PartialFile | IO[str]:
    if output is None:
        return sys.stdout
    try:
        return PartialFile(output, resume=resume)
    except OSError as error:
        raise click.UsageError(str(error)) from None


def _report_failure(
    ctx: click.Context, failed: ExportFailed, sink: PartialFile | IO[str], resumed: str | None
) -> None:
    if ctx.find_root().params.get("debug") and not isinstance(failed.cause, KeyboardInterrupt):
        raise failed.cause
    click.echo(f"error: {one_line(failed.cause)}", err=True)
    if isinstance(sink, PartialFile):
        sink.abandon()
        click.echo(f"{failed.written} engagements are in {sink.partial}", err=True)
    else:
        click.echo(f"{failed.written} engagements were written", err=True)
    resume_url = failed.resume_from if failed.resume_from is not None else resumed
    if isinstance(failed.cause, UntrustedURLError):
        # Resuming from that URL would be refused again: there is nothing safe to suggest.
        click.echo("the API pointed the next page to another origin; not resuming", err=True)
    elif isinstance(sink, PartialFile):
        click.echo(f"resume with: {_resume_command(resume_url)}", err=True)
    elif resume_url is not None:
        click.echo(f"the next page to read is {resume_url}", err=True)
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


def _table(
    client: StudioClient,
    flow_sid: str,
    limit: int | None,
    page_size: int | None,
    fields: Sequence[str],
    output: Path | None,
) -> None:
    from rich.console import Console

    rows = list(client.engagements.stream(flow_sid, limit=limit, page_size=page_size))
    table = engagement_table(rows, fields)
    if output is None:
        # A terminal wraps the table to its width; a pipe gets whole lines, SIDs unbroken.
        Console(width=None if sys.stdout.isatty() else 1000).print(table)
        return
    partial = output.with_name(output.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        Console(file=handle, width=1000).print(table)
    partial.replace(output)


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
