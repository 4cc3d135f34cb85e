"""Shared fixtures: the spec, the mock over real HTTP (``server``), both client kinds (``kind``),
the CLI's environment (``cli_env``), instant retry waits (``waits``), a clean shared mock; the
distributions built once (``dists``) and a user's virtual environment with them (``user_venv``).

A module that uses ``server``, ``cli_env`` or ``fresh_mock`` defines the ``mock`` they serve.
Constants and the sync/async driver are in ``helpers.py``, imported by name.
"""

from __future__ import annotations

import subprocess
import sys
import venv
from collections.abc import Iterator
from typing import Any

import pytest
import yaml

from studio_engagements.testing import MockStudio

from .helpers import KINDS, ROOT, SPEC_PATH, Dists, UserVenv, mock_env
from .reliability import FIGURES, instant_sleeps


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    """The OpenAPI document as committed."""
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture(scope="session", params=KINDS)
def kind(request: pytest.FixtureRequest) -> str:
    """``sync`` or ``async``: which client a test drives (session scope: hypothesis allows it)."""
    return str(request.param)


@pytest.fixture(scope="module")
def server(mock: MockStudio) -> Iterator[str]:
    """The module's ``mock`` over real HTTP on 127.0.0.1 (an ephemeral port): its base URL.

    Module scope (hypothesis tests use it too): the module's ``mock`` is module-scoped, and its
    tests start clean with ``fresh_mock``.
    """
    with mock.serve() as base_url:
        yield base_url


@pytest.fixture
def cli_env(mock: MockStudio) -> dict[str, str]:
    """The environment for a CLI run against ``mock``: its credentials, no other TWILIO_ ones."""
    return mock_env(mock)


@pytest.fixture
def waits() -> Iterator[list[float]]:
    """Make the clients' retry waits instant; the list records each wait asked for."""
    with instant_sleeps() as recorded:
        yield recorded


@pytest.fixture
def hostile() -> Iterator[Any]:
    """Start loopback servers that misbehave (tests/hostile.py): ``hostile(make)``, closed after."""
    from .hostile import Hostile

    servers: list[Hostile] = []

    def start(make: Any) -> Hostile:
        server = Hostile(lambda conn, target: None)
        server.behaviour = make(server)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.close()


@pytest.fixture
def fresh_mock(mock: MockStudio) -> Iterator[None]:
    """No faults and no recorded requests left over: for modules sharing one ``mock`` fixture."""
    mock.clear_faults()
    mock.reset_requests()
    yield
    mock.clear_faults()
    mock.reset_requests()


@pytest.fixture(scope="session")
def dists(tmp_path_factory: pytest.TempPathFactory) -> Dists:
    """Build the sdist, then the wheel from it, as pip does from PyPI (built once a run)."""
    out = tmp_path_factory.mktemp("dist")
    build = [sys.executable, "-m", "build", "--sdist", "--outdir", str(out), str(ROOT)]
    subprocess.run(build, check=True, capture_output=True, timeout=600)
    (sdist,) = out.glob("twilio_studio_engagements-*.tar.gz")
    wheel = [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(sdist)]
    subprocess.run(wheel, check=True, timeout=600)
    (built,) = out.glob("twilio_studio_engagements-*.whl")
    return Dists(sdist, built)


@pytest.fixture(scope="session")
def user_venv(tmp_path_factory: pytest.TempPathFactory, dists: Dists) -> UserVenv:
    """One environment for every test that installs the package as a user does (built once)."""
    env_dir = tmp_path_factory.mktemp("user") / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    made = UserVenv(env_dir / "bin" / "python", env_dir / "bin")
    install = made.pip("install", "-q", f"{dists.wheel}[mock,cli]")
    subprocess.run(install, check=True, timeout=600)
    return made


def pytest_sessionfinish(session: pytest.Session) -> None:
    """On a pytest-xdist worker: hand the figures measured here to the controller."""
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["figures"] = list(FIGURES)


@pytest.hookimpl(optionalhook=True)
def pytest_testnodedown(node: Any, error: Any) -> None:
    """On the pytest-xdist controller: gather each worker's figures, to print at the end."""
    FIGURES.extend(getattr(node, "workeroutput", {}).get("figures", []))


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures the reliability suites measured (tests/reliability.py)."""
    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)
