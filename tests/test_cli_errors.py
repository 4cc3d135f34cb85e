"""The studio-engagements command's failures: one line, the documented exit code, nothing sent."""

from __future__ import annotations

import socket
import subprocess

import pytest

from studio_engagements import __version__
from studio_engagements.testing import MockStudio

from .helpers import CLI, mock_env, run_cli, twilio_env

FLOW = "FW" + "c" * 32


pytestmark = pytest.mark.usefixtures("fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: 30}, seed=11)


def run(args: list[str], mock: MockStudio) -> subprocess.CompletedProcess[str]:
    return run_cli(*args, env=mock_env(mock))


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["list", "FWnope"], "flow_sid"),
        (["list", FLOW, "--page-size", "0"], "1<=x<=1000"),
        (["list", FLOW, "--page-size", "5000"], "1<=x<=1000"),
        (["list", FLOW, "--limit", "0"], "--limit"),
        (["list", FLOW, "--fields", "sid,password"], "--fields"),
        (["list", FLOW, "--format", "xml"], "--format"),
        (["list", FLOW, "--resume-from", "http://127.0.0.1:1/x"], "--resume-from"),
        (["list", FLOW, "--region", "evil.com/"], "region"),
        (["list", FLOW, "--base-url", "http://example.com"], "base_url"),
        (["list", FLOW + "\x1b[31m"], "flow_sid"),
    ],
)
def test_invalid_input_exits_2_and_sends_nothing(
    mock: MockStudio, server: str, args: list[str], fragment: str
) -> None:
    if "--base-url" not in args:
        args = [*args, "--base-url", server]
    result = run(args, mock)
    assert result.returncode == 2, result.stderr
    assert fragment in result.stderr
    assert "Traceback" not in result.stderr
    assert mock.requests == []


def test_missing_credentials_exit_2_naming_the_variables(server: str) -> None:
    result = run_cli("list", FLOW, "--base-url", server, env=twilio_env())
    assert result.returncode == 2
    assert "TWILIO_ACCOUNT_SID" in result.stderr


def test_api_errors_exit_3(mock: MockStudio, server: str, cli_env: dict[str, str]) -> None:
    result = run(["list", "FW" + "9" * 32, "--base-url", server], mock)
    assert result.returncode == 3
    (line,) = result.stderr.splitlines()  # one line, in words, with the advice that fits
    assert line.startswith("error: The requested resource")
    assert "check the flow SID" in line
    assert "NotFoundError" not in line
    assert "run the same command again" not in line
    wrong = {**cli_env, "TWILIO_AUTH_TOKEN": "wrong-token"}
    result = run_cli("list", FLOW, "--base-url", server, env=wrong)
    assert result.returncode == 3
    (line,) = result.stderr.splitlines()
    assert "check the credentials" in line
    assert "AuthenticationError" not in line
    assert "wrong-token" not in result.stderr


def test_network_failure_exits_4(mock: MockStudio) -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    result = run(["list", FLOW, "--base-url", f"http://127.0.0.1:{port}"], mock)
    assert result.returncode == 4
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: network failure: could not connect")
    assert "TransportError" not in line
    assert "ConnectError" not in line
    assert "--region" in line  # the advice that fits a network failure
    debug = run(["list", FLOW, "--debug", "--base-url", f"http://127.0.0.1:{port}"], mock)
    assert debug.returncode == 4
    assert "TransportError" in debug.stderr  # --debug shows the traceback, the code stays


def test_table_format_errors_are_one_line(mock: MockStudio, server: str) -> None:
    result = run(["list", "FW" + "9" * 32, "--base-url", server, "--format", "table"], mock)
    assert result.returncode == 3
    (line,) = result.stderr.splitlines()
    assert line.startswith("error: The requested resource")
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [[], ["list"], ["archive"], ["mock"], ["demo"]])
def test_help_has_examples(command: list[str]) -> None:
    result = subprocess.run([*CLI, *command, "--help"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert "Example" in result.stdout


def test_version() -> None:
    result = subprocess.run([*CLI, "--version"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0
    assert __version__ in result.stdout
