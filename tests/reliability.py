"""Helpers shared by the reliability suites (tests/test_reliability_*.py) and `nox -s soak`.

``SOAK`` (set by `nox -s soak` through ``STUDIO_ENGAGEMENTS_SOAK=1``) scales the suites up; the
default pytest run uses the fast sizes. Figures go to :data:`FIGURES`; ``tests/conftest.py``
prints them at the end of the run ("reliability figures"), so `nox -s soak` shows them.
"""

from __future__ import annotations

import base64
import contextlib
import json
import re
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import quote

import httpx
import hypothesis
import yaml
from hypothesis import HealthCheck
from hypothesis import strategies as st

from studio_engagements import AsyncStudioClient, Engagement, StudioClient
from studio_engagements.testing import Fault

from .helpers import FLOW, SPEC_PATH, transport_driver

SOAK = __import__("os").environ.get("STUDIO_ENGAGEMENTS_SOAK") == "1"
FIGURES: list[str] = []
# -- hypothesis: its settings, JSON values of any shape, bodies no parser should choke on -------

EXAMPLES = 2000 if SOAK else 150
SETTINGS = hypothesis.settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)

# Hostile inputs: any JSON value, and bodies a broken or hostile server sends.
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
HOSTILE_BODIES = [
    b"",
    b" ",
    b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>",
    b"\xff\xfe\x00{",
    b'{"engagements": [], "meta": {"url": "\xc3\x28"}}',
    b"[" * 100_000 + b"]" * 100_000,
    b'{"engagements": [' + b'{"context":' * 50_000 + b"1" + b"}" * 50_000 + b"]}",
    b"NaN",
    b'{"engagements": [], "meta": null}',
]


# Every kind of fault: 429 with Retry-After 0-1 s, 500/502/503, dropped connections,
# truncated bodies, and a delay past the client timeout (CLIENT_TIMEOUT < DELAY).
CLIENT_TIMEOUT = 0.5
DELAY = 1.0
FAULTS = (
    Fault.rate_limit(retry_after=0),
    Fault.rate_limit(retry_after=1),
    Fault.server_error(500),
    Fault.server_error(502),
    Fault.server_error(503),
    Fault.drop_connection(),
    Fault.truncated_body(),
    Fault.delay(DELAY),
)


# Hostile arguments: text of every kind, flow SIDs that are not, numbers out of range or of
# another type, URLs of other schemes and origins.
SID_PATTERN = re.compile(r"FW[0-9a-fA-F]{32}")
hostile_text = (
    st.text()
    | st.text(st.characters(max_codepoint=31), min_size=1)  # control characters
    | st.text(min_size=2_000, max_size=20_000)  # very long
    | st.sampled_from(["", " ", "FW", "fw" + "a" * 32, "FW" + "a" * 31, "FW" + "a" * 33])
    | st.builds(lambda s: "FW" + "a" * 32 + s, st.text(min_size=1))  # valid, then a tail
    | st.builds(lambda s: s + "FW" + "a" * 32, st.text(min_size=1))
    | st.sampled_from(["FW" + "а" * 32, "ＦＷ" + "a" * 32, "FW" + "٣" * 32])  # noqa: RUF001
)
bad_sids = hostile_text.filter(lambda s: not SID_PATTERN.fullmatch(s))
bad_numbers = (
    st.integers(max_value=0)
    | st.integers(min_value=1001)
    | st.floats()
    | st.booleans()
    | st.text()
    | st.none().map(lambda _: [1])
)
bad_urls = (
    st.sampled_from(
        [
            "ftp://127.0.0.1/v1/Flows",
            "file:///etc/passwd",
            "javascript:alert(1)",
            "data:text/plain,hi",
            "gopher://127.0.0.1:70/",
            "http://user:pass@127.0.0.1/v1/Flows/x",
            "//127.0.0.1/v1/Flows",
            "http://[::1",
            "http://127.0.0.1:99999/v1",
            "\x00http://127.0.0.1/",
            "https://evil.example.com/v1/Flows/" + "FW" + "e" * 32 + "/Engagements",
        ]
    )
    | st.text()
)


def figure(line: str) -> None:
    """Record a figure for the end-of-run summary (and print it, for `pytest -s`)."""
    FIGURES.append(line)
    print(line)


@contextlib.contextmanager
def instant_sleeps() -> Iterator[list[float]]:
    """Make the clients' retry waits instant (not a fixture: usable inside hypothesis tests).

    Yields the list of waits asked for: one per retry.
    """
    waits: list[float] = []

    def sleep(self: object, seconds: float) -> None:
        waits.append(seconds)

    async def async_sleep(self: object, seconds: float) -> None:
        waits.append(seconds)

    # The clients' `_sleep` methods are their test hook for waiting.
    saved = StudioClient._sleep, AsyncStudioClient._sleep
    StudioClient._sleep, AsyncStudioClient._sleep = sleep, async_sleep  # type: ignore[method-assign]
    try:
        yield waits
    finally:
        StudioClient._sleep, AsyncStudioClient._sleep = saved  # type: ignore[method-assign]


def list_all(kind: str, handler: Callable[[httpx.Request], httpx.Response]) -> list[Engagement]:
    """``list`` of the flow through the sync or async client on ``handler``; instant retries."""
    with instant_sleeps():
        return transport_driver(kind, handler, max_retries=1).list(FLOW)


def secret_forms(user: str, secret: str) -> list[str]:
    """Every spelling of a secret that must never show: raw, URL-encoded, in Basic auth."""
    pair = base64.b64encode(f"{user}:{secret}".encode()).decode()
    return [secret, quote(secret, safe=""), pair, pair.rstrip("=")]


def assert_no_secret(text: str, forms: list[str]) -> None:
    """Fail naming the form of the secret that ``text`` holds."""
    for form in forms:
        assert form not in text, f"a secret ({form[:6]}…) leaked into: {text[:300]!r}"


# -- a tiny loopback server that answers what it is told and counts what it gets ---------------

Answer = tuple[int, dict[str, str], bytes]


class CountingServer:
    """An HTTP server on 127.0.0.1 that records every request and answers with ``handler``.

    ``handler(path_and_query)`` returns (status, headers, body); the default is a 404. Use as a
    context manager; ``url`` is its origin and ``requests`` the (path, headers) received.
    """

    def __init__(self, handler: Callable[[str], Answer] | None = None) -> None:
        self.requests: list[tuple[str, dict[str, str]]] = []
        self._handler = handler or (lambda path: (404, {}, b'{"message": "nothing here"}'))
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:
                """Quiet."""

            def do_GET(self) -> None:
                outer.requests.append((self.path, dict(self.headers.items())))
                status, headers, body = outer._handler(self.path)
                self.send_response(status)
                for name, value in {"Content-Type": "application/json", **headers}.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> CountingServer:
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()


def json_answer(body: object, status: int = 200) -> Answer:
    return status, {}, json.dumps(body).encode()


# -- the response schema, for hypothesis-jsonschema -----------------------------------------------


def response_schema() -> dict[str, Any]:
    """The 200 body's schema from the OpenAPI document, as plain JSON Schema 2020-12.

    OpenAPI 3.1 schemas are JSON Schema 2020-12: only the ``$ref``s move from
    ``#/components/schemas`` to ``#/$defs``. ``format: uri`` is dropped (generating URIs is slow
    and the client never parses them); ``format: date-time`` is kept, so dates are RFC 3339.
    """
    spec = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]

    def plain(node: Any) -> Any:
        if isinstance(node, dict):
            return {
                key: value.replace("#/components/schemas/", "#/$defs/")
                if key == "$ref"
                else plain(value)
                for key, value in node.items()
                if key not in ("description", "example") and (key, value) != ("format", "uri")
            }
        if isinstance(node, list):
            return [plain(item) for item in node]
        return node

    return {**plain(schemas["ListEngagementResponse"]), "$defs": plain(schemas)}


def from_schema(schema: dict[str, Any]) -> Any:
    """hypothesis-jsonschema's ``from_schema`` (hypothesis is pinned to a release it works with)."""
    from hypothesis_jsonschema import from_schema as strategy

    return strategy(schema)
