"""Misbehaving HTTP servers on loopback, for the bounded-response suite (test_reliability_bounds).

A :class:`Hostile` server is a raw socket on 127.0.0.1 whose ``behaviour(conn, target)`` answers
each request; the behaviours below are a 200 that never ends, a Content-Length over the cap, a
body or headers that trickle past the deadline, and a gzip bomb.
"""

from __future__ import annotations

import gzip
import json
import socket
import threading
from collections.abc import Callable
from typing import Any

from .helpers import FLOW, page_body

Behaviour = Callable[[socket.socket, str], None]


class Hostile:
    """A loopback HTTP/1.1 server in threads; ``behaviour(conn, target)`` answers each request."""

    def __init__(self, behaviour: Behaviour) -> None:
        self.behaviour = behaviour
        self.stop = threading.Event()
        self.connections = 0
        self.requests: list[str] = []
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
                    target = head.split(b"\r\n")[0].split(b" ")[1].decode()
                    self.requests.append(target)
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


def trickle(conn: socket.socket, data: bytes, stop: threading.Event, every: float = 0.1) -> None:
    """``data`` one byte at a time, each well within the per-read timeout."""
    for byte in data:
        if stop.wait(every):
            return
        conn.sendall(bytes([byte]))
    stop.wait(60)


# --- the behaviours -----------------------------------------------------------------------


def endless_200(server: Hostile) -> Behaviour:
    """A chunked 200 that never stops sending, as fast as the client reads."""
    chunk = b'{"sid": "FN0", "status": "ended"}, ' * 2000
    framed = f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"

    def behaviour(conn: socket.socket, target: str) -> None:
        conn.sendall(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n"
            b"Transfer-Encoding: chunked\r\n\r\n" + f"{5:x}\r\n".encode() + b'{"eng\r\n'
        )
        while not server.stop.is_set():
            conn.sendall(framed)

    return behaviour


def huge_content_length(server: Hostile) -> Behaviour:
    def behaviour(conn: socket.socket, target: str) -> None:
        conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 100000000000\r\n\r\n" + b" " * 1000)
        server.stop.wait(60)

    return behaviour


def trickling_body(server: Hostile) -> Behaviour:
    def behaviour(conn: socket.socket, target: str) -> None:
        body = good_page(server, 0, last=True)
        conn.sendall(f"HTTP/1.1 200 OK\r\nContent-Length: {len(body)}\r\n\r\n".encode())
        trickle(conn, body, server.stop)

    return behaviour


def trickling_headers(server: Hostile) -> Behaviour:
    def behaviour(conn: socket.socket, target: str) -> None:
        trickle(conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 100, server.stop)

    return behaviour


def gzip_bomb(server: Hostile) -> Behaviour:
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)

    def behaviour(conn: socket.socket, target: str) -> None:
        respond(conn, bomb, "Content-Encoding: gzip")

    return behaviour
