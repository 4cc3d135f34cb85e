"""Command definitions: the commands, their options and help; the work is in other modules."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console

from .._client import StudioClient
from .._request import packaged_rules
from .._version import __version__
from ..errors import StudioError
from ..testing import MockStudio
from ._archive import ArchiveRequest, run_archive
from ._demo import run_demo
from ._exits import EXIT_INTERRUPTED, INTERRUPTED, honour_ctrl_c, plain_ctrl_c
from ._journal import JournalError
from ._list import ListRequest, export_table, export_to_file, export_to_folder, export_to_stdout
from ._many import DEFAULT_CONCURRENCY, MAX_CONCURRENCY
from ._options import client_options, connection_options, debug_option
from ._report import fail
from ._rows import FORMATS

_PAGE_SIZE = packaged_rules()["PageSize"]


EXIT_CODES = """\b
Exit codes:
  0    success (every flow complete)
  1    the output could not be written (or its reader went away)
  2    usage or invalid input; an output another export holds, or one a rerun cannot continue
  3    API error
  4    network failure
  130  interrupted (Ctrl-C); run the same command again to resume"""


class _Group(click.Group):
    """Turns every error a command meets into one line and its documented exit code."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except (StudioError, JournalError, OSError, KeyboardInterrupt) as error:
            fail(ctx, error)

    def main(self, *args: Any, **kwargs: Any) -> Any:
        honour_ctrl_c()
        try:
            return super().main(*args, **kwargs)
        except SystemExit:
            if INTERRUPTED.is_set():  # even if some code swallowed the KeyboardInterrupt
                sys.exit(EXIT_INTERRUPTED)
            raise


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES
)
@click.version_option(__version__, prog_name="studio-engagements")
@debug_option
def main() -> None:
    """Export Twilio Studio engagements; archive whole histories; serve a mock; run a demo.

    \b
    Examples:
      studio-engagements demo
      studio-engagements list FWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --output engagements.jsonl
      studio-engagements archive --all-flows --steps --output history.sqlite
      studio-engagements mock --port 4010
    """


@main.command(name="list", epilog=EXIT_CODES)
@debug_option
@click.argument("flow_sids", nargs=-1, metavar="FLOW_SID...")
@click.option("--limit", type=click.IntRange(min=1), help="Stop after N engagements (per flow).")
@click.option(
    "--page-size",
    type=click.IntRange(_PAGE_SIZE.minimum, _PAGE_SIZE.maximum),
    help="Engagements per request (default: the largest the API allows).",
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
@click.option(
    "--restart",
    is_flag=True,
    help="Start unfinished files over, and replace files no export of these options finished; "
    "complete files are kept (delete one to export it again).",
)
@click.option("--resume-from", metavar="URL", help="Continue a failed export from this page URL.")
@connection_options
@click.pass_context
def list_command(ctx: click.Context, /, **options: Any) -> None:
    """Export the engagements of one or more flows as jsonl (default), csv or a table.

    Credentials come from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and
    TWILIO_API_SECRET). With --output (one flow) or --output-dir (any number of flows), each
    file is written to FILE.partial and renamed to FILE only when complete (with a manifest,
    FILE.export.json, of the options that made it); after each whole page, where the export
    stands is saved beside it, so running the same command again skips complete flows and
    continues the others, once the .partial is checked against that state. One export at a time
    writes an output: a second run on it is refused at once (exit 2) while the first holds its
    lock (FILE.lock); a lock left by a process that died never blocks.

    \b
    Examples:
      studio-engagements list FWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --output all.jsonl
      studio-engagements list FWxxx... FWyyy... --output-dir exports --concurrency 4
      studio-engagements list --flows-file flows.txt --output-dir exports --format csv
      studio-engagements list FWxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx --format table --limit 20
    """
    request = ListRequest.from_options(options)
    if request.output_dir is not None:
        export_to_folder(ctx, request, client_options(options))
        return
    with StudioClient(**client_options(options)) as client:
        if request.shape.format == "table":
            export_table(ctx, client, request)
        elif request.output is not None:
            export_to_file(ctx, client, request)
        else:
            export_to_stdout(ctx, client, request)


@main.command(epilog=EXIT_CODES)
@debug_option
@click.argument("flow_sids", nargs=-1, metavar="FLOW_SID...")
@click.option(
    "--flows-file",
    type=click.Path(dir_okay=False, exists=True, path_type=Path),
    help="Read flow SIDs from FILE, one per line (blank lines and # comments allowed).",
)
@click.option("--all-flows", is_flag=True, help="Archive every flow of the account (ListFlow).")
@click.option(
    "--output", "-o", required=True,
    type=click.Path(dir_okay=False, path_type=Path), help="The SQLite file to write.",
)  # fmt: skip
@click.option("--steps", is_flag=True, help="Also archive each engagement's steps.")
@click.option(
    "--page-size", type=click.IntRange(_PAGE_SIZE.minimum, _PAGE_SIZE.maximum),
    help="Engagements per request (default: the largest the API allows).",
)  # fmt: skip
@click.option(
    "--concurrency", type=click.IntRange(1, MAX_CONCURRENCY), default=DEFAULT_CONCURRENCY,
    show_default=True, help="Engagements whose steps are fetched at once.",
)  # fmt: skip
@click.option("--restart", is_flag=True, help="Delete the archive and start it over.")
@connection_options
@click.pass_context
def archive(ctx: click.Context, /, **options: Any) -> None:
    """Archive flows, their engagements and (--steps) their steps into one SQLite file.

    Tables flows, engagements and steps have the API's field names as columns (context and
    links as JSON text). Each page, and each engagement's steps, is committed with where the
    archive stands: running the same command again continues, and fetches nothing committed.
    A rerun with other flows or --steps is refused (exit 2) unless --restart. One run at a time
    writes an archive: a second is refused at once (exit 2) while the first holds ARCHIVE.lock.

    \b
    Examples:
      studio-engagements archive --all-flows --steps --output history.sqlite
      studio-engagements archive FWxxx... FWyyy... --output two-flows.sqlite
    """
    run_archive(ctx, ArchiveRequest.from_options(options), client_options(options))


@main.command()
def demo() -> None:
    """Serve the mock on loopback and export a flow from it over HTTP: no account needed.

    \b
    Example:
      studio-engagements demo
    """
    sys.exit(run_demo(Console()))


def _flow_counts(ctx: click.Context, param: click.Parameter, values: tuple[str, ...]) -> Any:
    flows = {}
    for text in values:
        sid, _, count = text.partition("=")
        if not count.isdigit():
            raise click.BadParameter(f"expected FLOW_SID=COUNT, not {text!r}")
        flows[sid] = int(count)
    return flows


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
    "--flow",
    "chosen",
    multiple=True,
    metavar="FLOW_SID=COUNT",
    callback=_flow_counts,
    help="Serve this flow with COUNT engagements (repeatable; instead of --flows).",
)
@click.option(
    "--flows", type=click.IntRange(min=0), default=3, show_default=True, help="How many flows."
)
@click.option(
    "--engagements", type=click.IntRange(min=0), default=1000, show_default=True, help="Per flow."
)
@click.option("--seed", type=int, default=0, show_default=True, help="Data and credentials seed.")
@click.option(
    "--days-per-minute",
    type=click.FloatRange(min=0),
    default=0,
    show_default=True,
    help="Move the mock's clock this many days every real minute (0: it stands still).",
)
def mock(
    host: str,
    port: int,
    chosen: dict[str, int],
    flows: int,
    engagements: int,
    seed: int,
    days_per_minute: float,
) -> None:
    """Serve MockStudio, a spec-driven fake of the API, until Ctrl-C.

    Prints the base URL, the credentials and STUDIO_ENGAGEMENTS_BASE_URL as export lines to
    paste (then the examples of --help run against the mock as written), and the flow SIDs.

    The mock has a clock: each flow keeps its COUNT engagements of the last 30 days, newest
    first, and receives COUNT more every 30 days. With --days-per-minute the clock runs: new
    engagements arrive at the head of the list, active ones end, and those older than 30 days
    are gone (404), as on Twilio. Run `archive` against it again and again to watch a living
    history grow.

    \b
    Example:
      studio-engagements mock --port 4010 --flows 2 --engagements 5000
      studio-engagements mock --flow FW0123456789abcdef0123456789abcdef=2500
      studio-engagements mock --flow FW0123456789abcdef0123456789abcdef=3000 --days-per-minute 1
    """
    try:
        served = (
            MockStudio(chosen, seed=seed)
            if chosen
            else MockStudio.seeded(flows, engagements, seed=seed)
        )
    except ValueError as error:
        raise click.BadParameter(str(error), param_hint="--flow") from None
    plain_ctrl_c()  # Ctrl-C is how the mock is stopped, at once: a success
    try:
        served.serve_forever(host, port, days_per_minute=days_per_minute)
    except OSError as error:
        raise click.UsageError(
            f"cannot serve on {host}:{port}: {error.strerror or error}"
        ) from None
