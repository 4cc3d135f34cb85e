"""Which flows to export: SIDs from the command line and --flows-file, checked before sending."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from .. import _request
from ..errors import InvalidParameterError


def gather_flow_sids(arguments: Sequence[str], flows_file: Path | None) -> tuple[str, ...]:
    """The flows to export, in order, each once; a usage error names a bad SID and its place."""
    named = [(sid, f"FLOW_SID argument {number}") for number, sid in enumerate(arguments, 1)]
    if flows_file is not None:
        try:
            lines = flows_file.read_text(encoding="utf-8").splitlines()
        except (OSError, UnicodeDecodeError) as error:
            raise click.UsageError(f"cannot read --flows-file {flows_file}: {error}") from None
        for number, line in enumerate(lines, start=1):
            text = line.split("#", 1)[0].strip()
            if text:
                named.append((text, f"{flows_file}:{number}"))
    if not named:
        raise click.UsageError("give a FLOW_SID (or --flows-file FILE)")
    problems = []
    for sid, where in named:
        try:
            _request.check("flow_sid", "FlowSid", sid)
        except InvalidParameterError as error:
            problems.append(f"{where}: {error}")
    if problems:
        raise click.UsageError("\n".join(problems))
    return tuple(dict.fromkeys(sid for sid, _ in named))
