"""Command definitions: the commands, their options and help; the work is in other modules.

Only click and the options' own rules are imported here: ``--help`` and ``--version`` import
neither the client's models, the engine, the archive nor the mock (each command imports its
work when it runs).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from .. import StudioError, __version__, rules
from ._exits import EXIT_INTERRUPTED, INTERRUPTED, honour_ctrl_c, plain_ctrl_c
from ._flow_list import flows_file_option
from ._journal import JournalError
from ._options import client_options, connection_options, debug_option
from ._report import fail

_PAGE_SIZE = rules.rule("PageSize")
DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
FORMATS = ("jsonl", "csv", "table")


EXIT_CODES = """\b
Exit codes:
  0    success (every flow done, updated, complete or unavailable at Twilio)
  1    the output could not be written (disk full, read-only, or its reader went away)
  2    usage or invalid input; an output another run holds, or one a rerun cannot continue
  3    API error (wrong credentials, a flow that does not exist, an unexpected answer)
  4    network failure
  130  interrupted (Ctrl-C); run the same command again to go on"""


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


def _run_options(command: Any) -> Any:
    """What every exporting command shares: how quiet, and the report for a scheduler."""
    command = click.option(
        "--report",
        type=click.Path(dir_okay=False, path_type=Path),
        help="Also write the run's summary as JSON to FILE (per flow: state, counts, error; "
        "the exit code), for a scheduler.",
    )(command)
    return click.option(
        "-q", "--quiet", is_flag=True,
        help="No progress, notes or summary; only warnings and failures.",
    )(command)  # fmt: skip


@click.group(
    cls=_Group, context_settings={"help_option_names": ["-h", "--help"]}, epilog=EXIT_CODES
)
@click.version_option(__version__, prog_name="studio-engagements")
@debug_option
def main() -> None:
    """Export Twilio Studio engagements; keep a living archive of them; serve a mock; a demo.

    \b
    Examples:
      studio-engagements demo
      studio-engagements flows
      studio-engagements list FW0123456789abcdef0123456789abcdef --output engagements.jsonl
      studio-engagements archive --all-flows --steps --output history.sqlite
      studio-engagements mock --port 4010
    """


@main.command(name="list", epilog=EXIT_CODES)
@debug_option
@click.argument("flow_sids", nargs=-1, metavar="FLOW_SID...")
@flows_file_option
@click.option("--all-flows", is_flag=True, help="Every flow of the account (with --output-dir).")
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
    "--concurrency",
    type=click.IntRange(1, MAX_CONCURRENCY),
    default=DEFAULT_CONCURRENCY,
    show_default=True,
    help=f"Requests at once, here one per flow (at most {MAX_CONCURRENCY}: Twilio limits "
    "concurrent requests per account; a 429 pauses every request for its Retry-After).",
)
@click.option(
    "--restart",
    is_flag=True,
    help="Start unfinished files over, and export again files no export of these options "
    "finished (each replaced only when the new one is complete); complete files are kept.",
)
@click.option("--resume-from", metavar="URL", help="Continue a failed export from this page URL.")
@_run_options
@connection_options
@click.pass_context
def list_command(ctx: click.Context, /, **options: Any) -> None:
    """Export the engagements of one or more flows as jsonl (default), csv or a table.

    Credentials come from TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and
    TWILIO_API_SECRET). With --output (one flow) or --output-dir (any number of flows), each
    file is written to FILE.partial and renamed to FILE only when complete (with a manifest,
    FILE.export.json, of the options that made it); after each whole page, where the export
    stands is saved beside it, so running the same command again skips complete flows and
    continues the others, once the .partial is checked against that state. One run at a time
    writes an output: a second run on it is refused at once (exit 2) while the first holds its
    lock (FILE.lock); a lock left by a process that died never blocks. An export is a
    snapshot: to keep what is new as it comes, use `archive`.

    \b
    Examples:
      studio-engagements list FW0123456789abcdef0123456789abcdef --output all.jsonl
      studio-engagements list --all-flows --output-dir exports --concurrency 4
      studio-engagements list --flows-file flows.txt --output-dir exports --format csv
      studio-engagements list FW0123456789abcdef0123456789abcdef --format table --limit 20
    """
    from ._list import ListRequest, run_list

    run_list(ctx, ListRequest.from_options(options), client_options(options))


@main.command(epilog=EXIT_CODES)
@debug_option
@click.argument("flow_sids", nargs=-1, metavar="FLOW_SID...")
@flows_file_option
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
    show_default=True, help=f"Requests at once (pages and steps; at most {MAX_CONCURRENCY}).",
)  # fmt: skip
@click.option(
    "--restart",
    is_flag=True,
    help="Build the archive anew in ARCHIVE.partial, and put it in place of the old one only "
    "once it is complete (the old one is kept as it is until then).",
)
@_run_options
@connection_options
@click.pass_context
def archive(ctx: click.Context, /, **options: Any) -> None:
    """Keep a living archive of flows, their engagements and (--steps) their steps in SQLite.

    Twilio keeps an engagement for 30 days after it starts; run this on a schedule (daily, or
    at least weekly) and the archive keeps every engagement for good. The first run reads each
    flow whole; each later run of the same command updates it: new engagements are added,
    changed ones (an active one that ended, more steps) refreshed, and one Twilio dropped is
    kept as last seen. Tables flows, engagements and steps have the API's field names as
    columns (context and links as JSON text); archive_runs has a row per run and
    engagement_history one per change seen. Each page, and each engagement with its steps, is
    committed whole: after a failure or Ctrl-C, the same command goes on from what is kept.
    One run at a time writes an archive: a second is refused at once (exit 2).

    \b
    Examples:
      studio-engagements archive --all-flows --steps --output history.sqlite
      studio-engagements archive FW0123456789abcdef0123456789abcdef --output one-flow.sqlite
    """
    from ._archive import ArchiveRequest, run_archive

    run_archive(ctx, ArchiveRequest.from_options(options), client_options(options))


@main.command(epilog=EXIT_CODES)
@debug_option
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="table", show_default=True)
@connection_options
@click.pass_context
def flows(ctx: click.Context, /, fmt: str, **options: Any) -> None:
    """List the account's flows (their SIDs are what `list` and `archive` take).

    \b
    Examples:
      studio-engagements flows
      studio-engagements flows --format csv > flows.csv
    """
    from ._flows import print_flows

    print_flows(fmt, client_options(options))


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
        from ..testing import MockStudio
    except ModuleNotFoundError as missing:
        raise click.UsageError(str(missing)) from None
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
