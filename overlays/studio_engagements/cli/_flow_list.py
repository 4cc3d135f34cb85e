"""Which flows to export: SIDs from the command line and --flows-file, checked before sending.

:data:`flows_file_option` is the ``--flows-file FILE`` option of every command that takes flows;
``-`` reads standard input.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

import click

from .. import rules
from ..errors import InvalidParameterError

MAX_FLOWS_FILE_BYTES = 8 * 1024 * 1024  # ~230,000 SIDs: more than any account has flows
MAX_LINE_CHARACTERS = 1024  # a SID and a comment
STDIN = "-"
"""``--flows-file -``: the SIDs come from standard input."""


class FlowsFile(click.Path):
    """A readable file (a :class:`~pathlib.Path`), or ``-`` (kept as the string) for standard
    input; a file named ``-`` is given as ``./-``."""

    name = "flows_file"

    def __init__(self) -> None:
        super().__init__(dir_okay=False, exists=True, allow_dash=True, path_type=Path)

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if value == STDIN:
            return STDIN
        return super().convert(value, param, ctx)


flows_file_option: Callable[[Callable[..., Any]], Callable[..., Any]] = click.option(
    "--flows-file",
    type=FlowsFile(),
    help="Read flow SIDs from FILE ('-': standard input), one per line (blank lines and "
    "# comments allowed).",
)
"""The ``--flows-file`` option: its value (``flows_file``) is a Path, ``"-"`` or None."""


def gather_flow_sids(arguments: Sequence[str], flows_file: Path | str | None) -> tuple[str, ...]:
    """The flows to export, in order, each once; a usage error names a bad SID and its place.

    ``flows_file`` is a file, or the string ``"-"`` for standard input (a Path is always a file).
    """
    named = [(sid, f"FLOW_SID argument {number}") for number, sid in enumerate(arguments, 1)]
    if flows_file is not None:
        where = "standard input" if flows_file == STDIN else str(flows_file)
        for number, line in enumerate(_bounded_lines(flows_file, where), start=1):
            text = line.split("#", 1)[0].strip()
            if text:
                named.append((text, f"{where}:{number}"))
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


def _bounded_lines(flows_file: Path | str, where: str) -> list[str]:
    """The file's lines, read within the bounds above; a usage error says what is wrong."""
    problem = None
    try:
        if flows_file == STDIN:
            if sys.stdin is None:  # started with no standard input at all (e.g. pythonw)
                raise OSError("there is no standard input")
            data = _read_bounded(sys.stdin.buffer)
        else:
            with Path(flows_file).open("rb") as handle:
                data = _read_bounded(handle)
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
        shown = f"- ({where})" if flows_file == STDIN else where
        raise click.UsageError(f"cannot read --flows-file {shown}: {problem}")
    return lines


def _read_bounded(stream: BinaryIO) -> bytes:
    """Up to one byte past the limit: enough to tell that a file (or a pipe) is too large."""
    return stream.read(MAX_FLOWS_FILE_BYTES + 1)
