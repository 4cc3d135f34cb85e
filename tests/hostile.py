"""Loopback servers that misbehave on purpose, for the bounds suites (tests/test_reliability_*).

:class:`Hostile` is a raw HTTP/1.1 server on 127.0.0.1 in threads; a *behaviour* answers each
request on the socket as it likes (trickling, flooding, lying about the body). ``driver``
builds a sync or async client on it with a small cap and a short timeout.
"""

from __future__ import annotations

import json
import socket
import threading
import tracemalloc
from collections.abc import Callable
from typing import Any, TypeVar

import pytest

from studio_engagements import AsyncStudioClient, StudioClient

from .helpers import FLOW, SID, TOKEN, Driver, page_body

CAP = 256 * 1024  # a small max_response_bytes keeps the over-cap cases fast
TIMEOUT = 1.0
Behaviour = Callable[[socket.socket, str], None]
E = TypeVar("E", bound=BaseException)
# What reading within the cap may hold at its peak: the cap, a network chunk or two and the
# decoders' steps; never the gigabytes a hostile server sends.
PEAK_BOUND = 4 * CAP + 2 * 1024 * 1024


class Hostile:
    """A loopback HTTP/1.1 server in threads; ``behaviour(conn, target)`` answers each request."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.trickled_out = threading.Event()
        """Set once a trickle has sent all its bytes: a client with a deadline never sees it."""
        self.connections = 0
        self.requests: list[str] = []
        self.requests_headers: list[dict[str, str]] = []
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.base_url = f"http://127.0.0.1:{self._listener.getsockname()[1]}"
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self.stop.is_set():
            try:
                conn, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._serve, args=(conn,), daemon=True).start()

    def _serve(self, conn: socket.socket) -> None:
        with conn:
            try:
                conn.settimeout(30)
                pending = b""
                while not self.stop.is_set():
                    while b"\r\n\r\n" not in pending:
                        data = conn.recv(65536)
                        if not data:
                            return
                        pending += data
                    head, _, pending = pending.partition(b"\r\n\r\n")
                    first, *lines = head.decode("latin-1").split("\r\n")
                    target = first.split(" ")[1]
                    self.requests.append(target)
                    self.requests_headers.append(
                        {
                            k.strip().lower(): v.strip()
                            for k, _, v in (h.partition(":") for h in lines)
                        }
                    )
                    self.behaviour(conn, target)
            except OSError:
                return

    def url(self, page: int) -> str:
        return f"{self.base_url}/v1/Flows/{FLOW}/Engagements?PageSize=2&Page={page}"

    def close(self) -> None:
        self.stop.set()
        self._listener.close()
        self._thread.join(5)


def records(start: int, count: int) -> list[dict[str, Any]]:
    return [{"sid": f"FN{n:032x}", "status": "ended"} for n in range(start, start + count)]


def good_page(server: Hostile, page: int, last: bool = False) -> bytes:
    body = page_body(server.url(page), records(2 * page, 2), None if last else server.url(page + 1))
    return json.dumps(body).encode()


def respond(conn: socket.socket, body: bytes, *headers: str, status: str = "200 OK") -> None:
    lines = [f"HTTP/1.1 {status}", f"Content-Length: {len(body)}", *headers]
    conn.sendall(("\r\n".join(lines) + "\r\n\r\n").encode() + body)


def trickle(server: Hostile, conn: socket.socket, data: bytes, every: float = 0.1) -> None:
    """``data`` one byte at a time, each well within the per-read timeout; then
    ``server.trickled_out`` is set."""
    for byte in data:
        if server.stop.wait(every):
            return
        conn.sendall(bytes([byte]))
    server.trickled_out.set()
    server.stop.wait(60)


def driver(kind: str, server: Hostile, **options: Any) -> Driver:
    options = {"timeout": TIMEOUT, "max_retries": 0, "max_response_bytes": CAP, **options}
    cls = StudioClient if kind == "sync" else AsyncStudioClient
    return Driver(kind, lambda: cls(SID, TOKEN, base_url=server.base_url, **options))


def measured(expected: type[E], call: Callable[[], object]) -> tuple[E, int]:
    """The ``expected`` error ``call`` raises and its peak traced memory."""
    tracemalloc.start()
    try:
        with pytest.raises(expected) as caught:
            call()
        return caught.value, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
