"""A newcomer's path: the mock command, its export lines, --help, and clear errors for slips."""

from __future__ import annotations

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

from studio_engagements.testing import MockStudio

from .helpers import CLI, FLOW, jsonl, mock_env, serving, twilio_env

WITHOUT = "import sys; sys.modules[sys.argv[1]] = None; from studio_engagements.cli import main"


def pasted(exports: dict[str, str]) -> dict[str, str]:
    """The environment after pasting the mock's export lines into a clean shell."""
    return {**twilio_env(), **exports}


def test_the_mock_serves_chosen_flows_and_the_readme_lines_run_as_written(
    tmp_path: Path,
) -> None:
    with serving([*CLI, "mock", "--port", "0", "--flow", f"{FLOW}=7", "--seed", "4"]) as (
        lines,
        exports,
        url,
    ):
        assert f"flow {FLOW} 7 engagements" in lines
        assert exports["STUDIO_ENGAGEMENTS_BASE_URL"] == url
        out = tmp_path / "engagements.jsonl"
        result = subprocess.run(
            [*CLI, "list", FLOW, "--output", str(out)],  # no --base-url: the variable says it
            capture_output=True, text=True, env=pasted(exports), timeout=60,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
    assert jsonl(out) == MockStudio(flows={FLOW: 7}, seed=4).engagements(FLOW)


def test_a_mock_on_every_address_prints_a_try_line_that_works() -> None:
    with serving([*CLI, "mock", "--host", "0.0.0.0", "--port", "0", "--flows", "1"]) as (
        lines,
        exports,
        url,
    ):
        assert url.startswith("http://127.0.0.1:")
        (try_line,) = [line for line in lines if line.startswith("try: ")]
        words = shlex.split(try_line.removeprefix("try: "))
        result = subprocess.run(
            [*CLI, *words[1:]], capture_output=True, text=True, env=pasted(exports), timeout=60
        )
    assert result.returncode == 0, result.stderr
    assert len(result.stdout.splitlines()) == 5


@pytest.mark.parametrize("module", ["click", "rich", "yaml"])
def test_without_a_module_of_the_cli_extra_the_cli_says_which_extra_to_install(
    module: str,
) -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT, module], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 1
    assert "twilio-studio-engagements[cli]" in result.stderr
    assert f"({module}" in result.stderr  # the missing module is named
    assert "Traceback" not in result.stderr


def test_help_shows_the_ranges_and_the_exit_codes() -> None:
    result = subprocess.run([*CLI, "list", "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    text = " ".join(result.stdout.split())
    assert "1<=x<=1000" in text  # --page-size, from the spec
    assert "--max-retries" in text
    assert "refused at once (exit 2)" in text
    for code in ("0 success", "2 usage", "3 API error", "4 network failure", "130 interrupted"):
        assert code in text, code


@pytest.mark.parametrize(
    ("content", "problem"),
    [(None, "larger than"), ("FW" + "0" * 2000 + "\n", "line 1 is longer"), ("\0\n", "NUL")],
    ids=["/dev/zero", "a long line", "NUL bytes"],
)
def test_a_flows_file_is_read_within_bounds(
    tmp_path: Path, content: str | None, problem: str
) -> None:
    flows_file = Path("/dev/zero")
    if content is not None:
        flows_file = tmp_path / "flows.txt"
        flows_file.write_text(content)
    result = subprocess.run(
        [*CLI, "list", "--flows-file", str(flows_file), "--output-dir", str(tmp_path / "out")],
        capture_output=True, text=True, env=mock_env(MockStudio(flows={})), timeout=60,
    )  # fmt: skip
    assert result.returncode == 2
    assert problem in result.stderr
    assert "Traceback" not in result.stderr


def test_demo_prints_a_table_and_a_summary() -> None:
    result = subprocess.run(
        [*CLI, "demo"],
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, "COLUMNS": "160"},
    )
    assert result.returncode == 0, result.stderr
    assert "Exported 3,000 engagements" in result.stdout
    assert "(3,000 distinct)" in result.stdout
    assert "7 requests (1 retry)" in result.stdout
    assert "429" in result.stdout
    assert "sid" in result.stdout
