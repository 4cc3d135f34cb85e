"""What the test modules share: constants, the one sync/async driver, the mock's raw HTTP side,
schema validators; and, from ``processes.py``, the CLI and served mocks in subprocesses (runs,
banners, terminals, Ctrl-C, the CLI's environment). Fixtures are in ``conftest.py``."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import yaml
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from studio_engagements import AsyncStudioClient, Engagement, Page, StudioClient
from studio_engagements.testing import MockStudio

from .processes import CLI as CLI
from .processes import ctrl_c_works as ctrl_c_works
from .processes import file_size_limit as file_size_limit
from .processes import interrupted as interrupted
from .processes import jsonl as jsonl
from .processes import mock_env as mock_env
from .processes import on_a_terminal as on_a_terminal
from .processes import run_cli as run_cli
from .processes import serve_rewritten as serve_rewritten
from .processes import serving as serving
from .processes import twilio_env as twilio_env

ROOT = Path(__file__).resolve().parents[1]
SPEC_PATH = ROOT / "openapi" / "studio_v1_engagements.yaml"
SCHEMAS: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))["components"][
    "schemas"
]
KINDS = ("sync", "async")

FLOW = "FW" + "0123456789abcdef" * 2
OTHER = "FW" + "fedcba9876543210" * 2
# Credentials and origin of clients talking to a stub transport (not the mock).
SID = "AC" + "1" * 32
TOKEN = "t0ken-that-must-never-leak"
BASE = "http://127.0.0.1:4010"
# A record as the API sends it: the spec's own example, with a non-UTC offset and another status,
# in the flow the tests ask for (a record of another flow is refused).
RECORD: dict[str, Any] = {
    **SCHEMAS["Engagement"]["example"],
    "status": "ended",
    "date_updated": "2024-01-02T03:05:00+01:00",
}
RECORD["flow_sid"] = FLOW


# -- the one sync/async driver ----------------------------------------------------------------


class Driver:
    """The same calls through a sync or an async client (``kind``), with plain results back.

    ``make`` builds a fresh client: a StudioClient, an httpx.Client or an async twin. Each call
    opens it (``with``/``async with``), drains an iterator, awaits an awaitable, and closes it.
    """

    def __init__(self, kind: str, make: Callable[[], Any]) -> None:
        self.kind = kind
        self._make = make

    def run(self, call: Callable[[Any], Any]) -> Any:
        """``call(client)``'s result, iterated or awaited as the client's kind needs."""
        (result,) = self.each(call, 1)
        return result

    def each(
        self, call: Callable[[Any], Any], times: int, errors: tuple[type[Exception], ...] = ()
    ) -> list[Any]:
        """``call(client)`` ``times`` times on one client: each result, or the ``errors`` raised."""
        if self.kind == "sync":
            with self._make() as client:
                return [_attempt(lambda: _drained(call(client)), errors) for _ in range(times)]

        async def main() -> list[Any]:
            async with self._make() as client:
                results: list[Any] = []
                for _ in range(times):
                    try:
                        results.append(await _settled(call(client)))
                    except errors as error:
                        results.append(error)
                return results

        return asyncio.run(main())

    def list(self, flow: str = FLOW, **kwargs: Any) -> list[Engagement]:
        return list(self.run(lambda c: c.engagements.list(flow, **kwargs)))

    def stream(self, flow: str = FLOW, **kwargs: Any) -> list[Engagement]:
        return list(self.run(lambda c: c.engagements.stream(flow, **kwargs)))

    def pages(self, flow: str = FLOW, **kwargs: Any) -> list[Page]:
        return list(self.run(lambda c: c.engagements.pages(flow, **kwargs)))

    def page(self, flow: str = FLOW, **kwargs: Any) -> Page:
        page: Page = self.run(lambda c: c.engagements.page(flow, **kwargs))
        return page

    def get_page(self, url: str) -> Page:
        page: Page = self.run(lambda c: c.engagements.get_page(url))
        return page


def _drained(result: Any) -> Any:
    return list(result) if hasattr(result, "__next__") else result


async def _settled(result: Any) -> Any:
    if hasattr(result, "__anext__"):
        return [item async for item in result]
    return await result


def _attempt(call: Callable[[], Any], errors: tuple[type[Exception], ...]) -> Any:
    try:
        return call()
    except errors as error:
        return error


def studio(kind: str, *args: Any, **options: Any) -> Driver:
    """A driver of ``StudioClient(*args, **options)`` or its async twin."""
    client = StudioClient if kind == "sync" else AsyncStudioClient
    return Driver(kind, lambda: client(*args, **options))


def mock_driver(kind: str, mock: MockStudio, base_url: str | None = None, **options: Any) -> Driver:
    """A driver of clients of ``mock``: over HTTP at ``base_url``, else in-process."""
    if base_url is not None:
        return studio(kind, mock.account_sid, mock.auth_token, base_url=base_url, **options)
    make = mock.client if kind == "sync" else mock.async_client
    return Driver(kind, lambda: make(**options))


def stub_client(
    kind: str, handler: Callable[[httpx.Request], httpx.Response], **options: Any
) -> Any:
    """A StudioClient (``kind`` sync) or AsyncStudioClient talking to ``handler`` in-process."""
    client = StudioClient if kind == "sync" else AsyncStudioClient
    http = httpx.Client if kind == "sync" else httpx.AsyncClient
    transport = httpx.MockTransport(handler)
    return client(
        SID, TOKEN, http_client=http(transport=transport), **{"base_url": BASE, **options}
    )


def transport_driver(
    kind: str, handler: Callable[[httpx.Request], httpx.Response], **options: Any
) -> Driver:
    """A driver whose client talks to ``handler`` in-process (for answers the mock never gives)."""
    return Driver(kind, lambda: stub_client(kind, handler, **options))


def http_driver(kind: str, mock: MockStudio, base_url: str | None = None, **options: Any) -> Driver:
    """A driver of raw httpx clients of ``mock`` (its credentials): over HTTP, else in-process."""
    auth = (mock.account_sid, mock.auth_token)
    http = httpx.Client if kind == "sync" else httpx.AsyncClient
    transport = mock.transport if kind == "sync" else mock.async_transport

    def make() -> Any:
        if base_url is not None:
            return http(base_url=base_url, auth=auth, **options)
        return http(transport=transport(), base_url=mock.IN_PROCESS_URL, auth=auth, **options)

    return Driver(kind, make)


def answer(
    status: int, body: bytes | str | dict[str, Any], headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """A handler answering every request so; its ``calls`` attribute lists the requests."""
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        content = json.dumps(body).encode() if isinstance(body, dict) else body
        return httpx.Response(
            status, content=content, headers={"Content-Type": "application/json", **(headers or {})}
        )

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


def page_body(
    url: str, records: list[dict[str, Any]], next_page_url: str | None = None
) -> dict[str, Any]:
    """A well-formed page around ``records``."""
    return {
        "engagements": records,
        "meta": {
            "page": 0,
            "page_size": 50,
            "key": "engagements",
            "url": url,
            "first_page_url": url,
            "next_page_url": next_page_url,
            "previous_page_url": None,
        },
    }


# -- the mock's raw HTTP side, schemas, banners, the environment ------------------------------


def validator(spec: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for one of the spec's schemas, formats checked (as tests/test_spec.py does)."""
    registry = Registry().with_resource("urn:spec", Resource.opaque(spec))
    return Draft202012Validator(
        {"$ref": f"urn:spec#/components/schemas/{name}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def client(mock: MockStudio, user: str | None = None, password: str | None = None) -> httpx.Client:
    """A raw httpx client on the mock's in-process transport, with its account credentials."""
    return httpx.Client(
        transport=mock.transport(),
        base_url=mock.IN_PROCESS_URL,
        auth=(user or mock.account_sid, password or mock.auth_token),
    )


def walk(http: httpx.Client, flow_sid: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every page body of a flow, following next_page_url from the first page."""
    url: str | None = f"/v1/Flows/{flow_sid}/Engagements"
    query: dict[str, Any] | None = params
    while url is not None:
        response = http.get(url, params=query)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        yield body
        url, query = body["meta"]["next_page_url"], None


# -- requests at once: overlap counted, not timed ---------------------------------------------


class Overlap:
    """How many requests ``mock`` held at once (``peak``): see :func:`held_together`."""

    def __init__(self, together: int, patience: float) -> None:
        self.together = together
        self.patience = patience
        self.in_flight = 0
        self.peak = 0
        self.gave_up = False
        self._lock = threading.Lock()
        self._open = threading.Event()

    def hold(self) -> None:
        """Wait until ``together`` requests are in, or ``patience`` s have passed (then open)."""
        with self._lock:
            self.in_flight += 1
            self.peak = max(self.peak, self.in_flight)
            if self.in_flight >= self.together:
                self._open.set()
        if not self._open.wait(self.patience):
            self.gave_up = True
            self._open.set()  # one wait for the whole run: a serial client pays it once
        with self._lock:
            self.in_flight -= 1


@contextlib.contextmanager
def held_together(mock: MockStudio, together: int, patience: float = 30) -> Iterator[Overlap]:
    """Hold ``mock``'s first requests until ``together`` of them are in at once.

    Whether a client overlaps its requests, without a clock: a client that sends them together
    opens the gate at once (``peak == together``); one that waits for each answer before the
    next sends one, waits out ``patience`` and leaves ``peak`` at 1. Works over HTTP (each
    connection has its own server thread), not on the in-process transports.
    """
    overlap = Overlap(together, patience)
    endpoint = mock._endpoint
    answer = endpoint.handle

    def handle(request: Any) -> Any:
        overlap.hold()
        return answer(request)

    endpoint.handle = handle  # type: ignore[method-assign]
    try:
        yield overlap
    finally:
        del endpoint.handle


# -- the distributions and a user's environment (fixtures ``dists`` and ``user_venv``) ----------


@dataclasses.dataclass(frozen=True)
class Dists:
    """The sdist built from the source tree, and the wheel built from that sdist."""

    sdist: Path
    wheel: Path


@dataclasses.dataclass(frozen=True)
class UserVenv:
    """A fresh virtual environment with the wheel and its ``mock`` and ``cli`` extras, no pip."""

    python: Path
    bin: Path

    def pip(self, *args: str) -> list[str]:
        """This process's pip acting on the environment (it has no pip of its own)."""
        return [sys.executable, "-m", "pip", "--python", str(self.python), *args]

    def run(self, code: str, *extras: str, **options: Any) -> subprocess.CompletedProcess[str]:
        """Run ``code`` as if only the wheel with ``extras`` were installed.

        Every installed distribution outside what the wheel with ``extras`` requires (followed
        through their own requirements) cannot be imported; ``BLOCKED`` names its modules.
        """
        only = ONLY_WITH.replace("EXTRAS", repr(set(extras)))
        return subprocess.run(
            [self.python, "-c", only + code], capture_output=True, text=True, timeout=300,
            **options,
        )  # fmt: skip


# Run before the code: one environment stands for several installs (the wheel alone, with
# ``mock``), the other extras' distributions made unimportable.
ONLY_WITH = """
import importlib.metadata as md, re, sys

def norm(name):
    return re.sub(r"[-_.]+", "-", name).lower()

def needs(dist, extras):
    try:
        lines = md.requires(dist) or []
    except md.PackageNotFoundError:  # not for this Python (a marker): nothing to hide
        return
    for line in lines:
        extra = re.search(r"extra\\s*==\\s*['\\"]([^'\\"]+)", line)
        if extra is None or extra.group(1) in extras:
            name, wanted = re.match(r"([A-Za-z0-9._-]+)\\s*(?:\\[([^\\]]+)\\])?", line).groups()
            yield name, set((wanted or "").split(","))

allowed, todo = set(), [("twilio-studio-engagements", EXTRAS)]
while todo:
    dist, extras = todo.pop()
    if (norm(dist), frozenset(extras)) not in allowed:
        allowed.add((norm(dist), frozenset(extras)))
        todo.extend(needs(dist, extras))
allowed = {dist for dist, _ in allowed}
for module, owners in md.packages_distributions().items():
    if not {norm(owner) for owner in owners} & allowed:
        sys.modules[module] = None  # import fails, as if it were not installed
BLOCKED = sorted(module for module, owner in sys.modules.items() if owner is None)
"""
