"""Which flows to export: SIDs from the command line and --flows-file, checked before sending."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import click

from .. import rules
from ..errors import InvalidParameterError

MAX_FLOWS_FILE_BYTES = 8 * 1024 * 1024  # ~230,000 SIDs: more than any account has flows
MAX_LINE_CHARACTERS = 1024  # a SID and a comment


def gather_flow_sids(arguments: Sequence[str], flows_file: Path | None) -> tuple[str, ...]:
    """The flows to export, in order, each once; a usage error names a bad SID and its place."""
    named = [(sid, f"FLOW_SID argument {number}") for number, sid in enumerate(arguments, 1)]
    if flows_file is not None:
        for number, line in enumerate(_bounded_lines(flows_file), start=1):
            text = line.split("#", 1)[0].strip()
            if text:
                named.append((text, f"{flows_file}:{number}"))
    if not named:
        raise click.UsageError("give a FLOW_SID (or --flows-file FILE)")
    problems = []
    for sid, where in named:
        try:
            rules.check("flow_sid", "FlowSid", sid)
        except InvalidParameterError as error:
            problems.append(f"{where}: {error}")
    if problems:
        raise click.UsageError("\n".join(problems))
    return tuple(dict.fromkeys(sid for sid, _ in named))


def _bounded_lines(flows_file: Path) -> list[str]:
    """The file's lines, read within the bounds above; a usage error says what is wrong."""
    problem = None
    try:
        with flows_file.open("rb") as handle:
            data = handle.read(MAX_FLOWS_FILE_BYTES + 1)
        lines = data.decode("utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as error:
        problem = str(error)
    else:
        if len(data) > MAX_FLOWS_FILE_BYTES:
            problem = f"it is larger than {MAX_FLOWS_FILE_BYTES:,} bytes"
        elif "\0" in data.decode("utf-8"):
            problem = "it holds NUL bytes: it is not a text file"
        else:
            long = [n for n, line in enumerate(lines, 1) if len(line) > MAX_LINE_CHARACTERS]
            if long:
                problem = f"line {long[0]} is longer than {MAX_LINE_CHARACTERS} characters"
    if problem is not None:
        raise click.UsageError(f"cannot read --flows-file {flows_file}: {problem}")
    return lines
