"""``--flows-file``: ``-`` reads flow SIDs from standard input within the same bounds and checks
as a file; the option (``flows_file_option``) as the commands declare it."""

from __future__ import annotations

import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner, Result

from studio_engagements.cli._flow_list import (
    MAX_FLOWS_FILE_BYTES,
    flows_file_option,
    gather_flow_sids,
)

ONE, TWO = "FW" + "1" * 32, "FW" + "2" * 32


@click.command()
@click.argument("flow_sids", nargs=-1)
@flows_file_option
def flows(flow_sids: tuple[str, ...], flows_file: Path | str | None) -> None:
    """Print the flows gathered, one a line."""
    click.echo("\n".join(gather_flow_sids(flow_sids, flows_file)))


def run(*args: str, stdin: str | bytes | None = None) -> Result:
    return CliRunner().invoke(flows, list(args), input=stdin)


def test_dash_reads_the_sids_from_standard_input_with_comments() -> None:
    result = run(ONE, "--flows-file", "-", stdin=f"# from a pipe\n{TWO}  # two\n\n{ONE}\n")
    assert result.exit_code == 0, result.output
    assert result.output.split() == [ONE, TWO]


def test_a_bad_sid_on_standard_input_is_named_by_its_line() -> None:
    result = run("--flows-file", "-", stdin=f"{ONE}\nFWnope\n")
    assert result.exit_code == 2
    assert "standard input:2" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("stdin", "problem"),
    [
        (b"\0" * (MAX_FLOWS_FILE_BYTES + 1), "larger than"),
        ("FW" + "0" * 2000 + "\n", "line 1 is longer"),
        (b"\0\n", "NUL"),
        (b"\xff\n", "utf-8"),
    ],
    ids=["too large", "a long line", "NUL bytes", "not UTF-8"],
)
def test_standard_input_is_read_within_the_bounds_of_a_file(
    stdin: str | bytes, problem: str
) -> None:
    result = run("--flows-file", "-", stdin=stdin)
    assert result.exit_code == 2
    assert "cannot read --flows-file - (standard input)" in result.output
    assert problem in result.output


def test_empty_standard_input_asks_for_a_flow() -> None:
    result = run("--flows-file", "-", stdin="")
    assert result.exit_code == 2
    assert "give a FLOW_SID" in result.output


def test_a_file_named_dash_is_read_as_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "-").write_text(f"{TWO}\n")
    monkeypatch.chdir(tmp_path)
    result = run("--flows-file", "./-", stdin=f"{ONE}\n")
    assert result.exit_code == 0, result.output
    assert result.output.split() == [TWO]
    assert gather_flow_sids([], Path("-")) == (TWO,)


def test_a_missing_file_is_still_refused_by_the_option(tmp_path: Path) -> None:
    result = run("--flows-file", str(tmp_path / "absent.txt"))
    assert result.exit_code == 2
    assert "does not exist" in result.output


def test_no_standard_input_at_all_is_one_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(click.UsageError, match="there is no standard input"):
        gather_flow_sids([], "-")
