"""Shared fixtures: where the repository's files are."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "openapi" / "studio_v1_engagements.yaml"


@pytest.fixture(scope="session")
def spec() -> dict[str, Any]:
    """The OpenAPI document as committed."""
    loaded: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    return loaded


@pytest.fixture
def waits() -> Iterator[list[float]]:
    """Make the clients' retry waits instant; the list records each wait asked for."""
    from .reliability import instant_sleeps

    with instant_sleeps() as recorded:
        yield recorded


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    """Which client a test drives: ``sync`` (StudioClient) or ``async`` (AsyncStudioClient)."""
    return str(request.param)


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


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """Print the figures the reliability suites measured (tests/reliability.py)."""
    from .reliability import FIGURES

    if FIGURES:
        terminalreporter.section("reliability figures")
        for line in FIGURES:
            terminalreporter.write_line(line)


@pytest.fixture
def fresh_mock(mock: Any) -> Iterator[None]:
    """No faults and no recorded requests left over: for modules sharing one ``mock`` fixture."""
    mock.clear_faults()
    mock.reset_requests()
    yield
    mock.clear_faults()
