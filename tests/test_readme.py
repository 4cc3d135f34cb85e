"""Every example in the README runs: the set-up lines, the Python blocks and the CLI lines.

Python blocks run in-process with Twilio's hosts routed to a MockStudio (in-process transport)
and its credentials in the environment, so that they are exactly what a user types. Blocks that
define pytest tests run under pytest. CLI lines run against the mock served on loopback, with
``--base-url`` added.
"""

from __future__ import annotations

import contextlib
import io
import os
import re
import shlex
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
import pytest

from studio_engagements import AsyncStudioClient, StudioClient
from studio_engagements.testing import MockStudio

from .conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")
BLOCK = re.compile(r"^```(\w+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
BLOCKS = [(language, code) for language, code in BLOCK.findall(README)]
PYTHON = [code for language, code in BLOCKS if language == "python"]
SHELL = [code for language, code in BLOCKS if language == "bash"]
FLOW = "FW0123456789abcdef0123456789abcdef"
OTHER_FLOW = "FWfedcba9876543210fedcba9876543210"
SETUP = README.split("## Set up", 1)[1].split("\n## ", 1)[0]


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: 2500, OTHER_FLOW: 300}, seed=0)


def routed(transport: Any, real: Any) -> Any:
    """A transport sending Twilio's hosts to the mock and anything else (loopback) for real."""

    def pick(request: httpx.Request) -> Any:
        return transport if request.url.host.endswith("twilio.com") else real

    if isinstance(transport, httpx.AsyncBaseTransport):

        class AsyncRouter(httpx.AsyncBaseTransport):
            async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
                return await pick(request).handle_async_request(request)

        return AsyncRouter()

    class Router(httpx.BaseTransport):
        def handle_request(self, request: httpx.Request) -> httpx.Response:
            response: httpx.Response = pick(request).handle_request(request)
            return response

    return Router()


@pytest.fixture
def twilio_is_the_mock(mock: MockStudio, monkeypatch: pytest.MonkeyPatch) -> None:
    real_client, real_async = httpx.Client, httpx.AsyncClient

    class Client(real_client):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            # Twilio's hosts to the mock; loopback through the client's own transport, if any.
            real = kwargs.get("transport") or httpx.HTTPTransport()
            kwargs["transport"] = routed(mock.transport(), real)
            super().__init__(*args, **kwargs)

    class AsyncClient(real_async):  # type: ignore[misc,valid-type]
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            kwargs.setdefault(
                "transport", routed(mock.async_transport(), httpx.AsyncHTTPTransport())
            )
            super().__init__(*args, **kwargs)

    monkeypatch.setattr(httpx, "Client", Client)
    monkeypatch.setattr(httpx, "AsyncClient", AsyncClient)
    # The clients make their pool from the class they hold (what a subclass would override).
    monkeypatch.setattr(StudioClient, "_http_type", Client)
    monkeypatch.setattr(AsyncStudioClient, "_http_type", AsyncClient)
    for name in ("TWILIO_API_KEY", "TWILIO_API_SECRET", "TWILIO_REGION", "TWILIO_EDGE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", mock.account_sid)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", mock.auth_token)


def test_the_readme_has_examples() -> None:
    assert len(PYTHON) >= 7
    assert len(SHELL) >= 3


@pytest.mark.parametrize(
    "code", [c for c in PYTHON if "def test_" not in c], ids=lambda c: c.splitlines()[0][:40]
)
@pytest.mark.usefixtures("twilio_is_the_mock")
def test_python_example_runs(code: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)  # examples may write files
    output = io.StringIO()
    with contextlib.redirect_stdout(output):
        exec(compile(code, "README.md", "exec"), {"__name__": "readme_example"})
    if "print(" in code:
        assert output.getvalue().strip()


@pytest.mark.parametrize("code", [c for c in PYTHON if "def test_" in c])
def test_pytest_example_passes(code: str, tmp_path: Path) -> None:
    (tmp_path / "test_readme_example.py").write_text(code, encoding="utf-8")
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert f"{code.count('def test_')} passed" in result.stdout


def cli_lines() -> list[str]:
    return [
        line
        for code in SHELL
        for line in code.splitlines()
        if line.startswith("studio-engagements ")
    ]


@pytest.mark.parametrize("line", cli_lines())
def test_cli_example_runs(line: str, mock: MockStudio, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(TWILIO_ACCOUNT_SID=mock.account_sid, TWILIO_AUTH_TOKEN=mock.auth_token)
    words = shlex.split(line)
    with mock.serve() as base_url:
        result = subprocess.run(
            [sys.executable, "-m", "studio_engagements", *words[1:], "--base-url", base_url],
            capture_output=True,
            text=True,
            env=env,
            cwd=tmp_path,
            timeout=300,
        )
    assert result.returncode == 0, result.stderr
    if "--output-dir" in words:
        folder = tmp_path / words[words.index("--output-dir") + 1]
        flows = [word for word in words if word.startswith("FW")]
        assert sorted(path.name for path in folder.iterdir()) == sorted(
            f"{flow}.jsonl" for flow in flows
        )
    elif "--output" in words:
        written = tmp_path / words[words.index("--output") + 1]
        assert written.stat().st_size > 0
        assert not written.with_name(written.name + ".partial").exists()
    else:
        assert "FN" in result.stdout  # engagement SIDs on stdout


def setup_lines() -> list[str]:
    lines = [line for language, code in BLOCK.findall(SETUP) for line in code.strip().splitlines()]
    assert len(lines) == 2, "the README has exactly two set-up lines"
    return lines


def test_ci_runs_exactly_the_readme_test_line() -> None:
    _, test_line = setup_lines()
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert [
        line for line in ci.splitlines() if line and not line.startswith(("#", "set ", "cd "))
    ] == [test_line]


def test_the_demo_line_works_in_a_fresh_copy(tmp_path: Path) -> None:
    demo_line, _ = setup_lines()
    clone = tmp_path / "clone"
    for name in ("openapi", "generated", "overlays"):
        shutil.copytree(ROOT / name, clone / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, clone / name)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TWILIO_", "VIRTUAL_ENV"))}
    result = subprocess.run(
        ["bash", "-c", demo_line], cwd=clone, capture_output=True, text=True, timeout=600, env=env
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "Exported 3000 engagements (3000 distinct)" in result.stdout
