"""The options several commands share: --debug, and the client's connection settings."""

from __future__ import annotations

import logging
import sys
from typing import Any

import click


def _debug(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.meta.get("studio_engagements.debug"):
        ctx.meta["studio_engagements.debug"] = True
        logging.basicConfig(level=logging.DEBUG, stream=sys.stderr, format="%(name)s: %(message)s")


debug_option = click.option(
    "--debug",
    is_flag=True,
    expose_value=False,
    callback=_debug,
    help="Also show tracebacks and DEBUG logs of every request (exit codes stay the same).",
)


CONNECTION = ("base_url", "region", "edge", "timeout", "max_response_bytes", "max_retries")


def connection_options(command: Any) -> Any:
    """Where requests go and how they are bounded and retried: the client's settings."""
    for option in reversed([
        click.option(
            "--base-url",
            help="API origin, e.g. a mock's http://127.0.0.1:4010 "
            "(or STUDIO_ENGAGEMENTS_BASE_URL).",
        ),
        click.option("--region", help="Twilio region, e.g. au1 (or TWILIO_REGION)."),
        click.option("--edge", help="Twilio edge, e.g. sydney (or TWILIO_EDGE)."),
        click.option(
            "--timeout", type=float,
            help="Seconds one request may take, connect to last byte (default 30).",
        ),
        click.option(
            "--max-response-bytes", type=click.IntRange(min=1024),
            help="Refuse a page larger than this (default 64 MiB).",
        ),
        click.option(
            "--max-retries", type=click.IntRange(min=0),
            help="Retries of a failed request (connection errors, timeouts, 429, 5xx; default 2).",
        ),
    ]):  # fmt: skip
        command = option(command)
    return command


def client_options(options: dict[str, Any]) -> dict[str, Any]:
    """The client's settings among a command's options (those given)."""
    return {name: options[name] for name in CONNECTION if options[name] is not None}
