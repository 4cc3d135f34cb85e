"""An extra that is not installed is named with its install line, not a bare missing module."""

from __future__ import annotations

import subprocess
import sys

WITHOUT_YAML = """
import sys
sys.modules["yaml"] = None  # as if PyYAML were not installed
try:
    from studio_engagements.testing import MockStudio
except ImportError as error:
    print(type(error).__name__, error.name)
    print(error)
"""


def test_the_mock_without_pyyaml_names_the_mock_extra() -> None:
    result = subprocess.run(
        [sys.executable, "-c", WITHOUT_YAML], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    kind, message = result.stdout.splitlines()
    assert kind == "ModuleNotFoundError yaml"
    assert "pip install 'twilio-studio-engagements[mock]'" in message
    assert "yaml is missing" in message
