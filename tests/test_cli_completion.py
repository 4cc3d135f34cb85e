"""Shell completion as the README documents it: the bash script is produced by the installed
command, and bash, with it loaded, completes commands and an option's choices."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# The console script pip installed beside this interpreter: click names the variable after it.
COMMAND = Path(sys.executable).parent / "studio-engagements"

COMPLETE = """
eval "$(_STUDIO_ENGAGEMENTS_COMPLETE=bash_source studio-engagements)"
COMP_WORDS=(studio-engagements ""); COMP_CWORD=1
_studio_engagements_completion studio-engagements; echo "${COMPREPLY[*]}"
COMPREPLY=(); COMP_WORDS=(studio-engagements list --format ""); COMP_CWORD=3
_studio_engagements_completion studio-engagements; echo "${COMPREPLY[*]}"
"""


def environment() -> dict[str, str]:
    return {**os.environ, "PATH": f"{COMMAND.parent}{os.pathsep}{os.environ.get('PATH', '')}"}


def test_the_bash_completion_script_is_produced() -> None:
    assert COMMAND.is_file(), f"{COMMAND}: the package's console script is not installed"
    result = subprocess.run(
        [str(COMMAND)], capture_output=True, text=True, timeout=60,
        env={**environment(), "_STUDIO_ENGAGEMENTS_COMPLETE": "bash_source"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "_studio_engagements_completion()" in result.stdout
    assert "complete -o nosort -F _studio_engagements_completion studio-engagements" in (
        result.stdout
    )


def test_bash_completes_the_commands_and_an_options_choices() -> None:
    bash = shutil.which("bash")
    assert bash is not None
    result = subprocess.run(
        [bash, "--norc", "--noprofile", "-c", COMPLETE],
        capture_output=True, text=True, timeout=60, env=environment(),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    commands, formats = result.stdout.splitlines()
    assert {"archive", "demo", "list", "mock"} <= set(commands.split())
    assert {"jsonl", "csv"} <= set(formats.split())
