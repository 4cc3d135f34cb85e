"""Bounded responses against real misbehaving servers on loopback: deadline, size cap, memory.

Each server here is a raw socket on 127.0.0.1 started by the test: a 200 that never ends, a
Content-Length over the cap, a body or headers that trickle past the deadline, a gzip bomb.
"""

from __future__ import annotations

import gzip
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from studio_engagements import (
    RequestTimeoutError,
    ResponseTooLargeError,
    StudioClient,
    TransportError,
    UnexpectedResponseError,
)
from studio_engagements import errors as errors_module

from .helpers import FLOW, SID, TOKEN
from .hostile import (
    CAP,
    PEAK_BOUND,
    TIMEOUT,
    Behaviour,
    Hostile,
    driver,
    good_page,
    measured,
    records,
    respond,
    trickle,
)

Start = Callable[[Callable[[Hostile], Behaviour]], Hostile]


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
        trickle(server, conn, body)

    return behaviour


def trickling_headers(server: Hostile) -> Behaviour:
    def behaviour(conn: socket.socket, target: str) -> None:
        trickle(server, conn, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" * 100)

    return behaviour


def gzip_bomb(server: Hostile) -> Behaviour:
    bomb = gzip.compress(b" " * (64 * 1024 * 1024), compresslevel=9)

    def behaviour(conn: socket.socket, target: str) -> None:
        respond(conn, bomb, "Content-Encoding: gzip")

    return behaviour


CASES: dict[str, tuple[Callable[[Hostile], Behaviour], type[Exception]]] = {
    "endless 200": (endless_200, ResponseTooLargeError),
    "Content-Length over the cap": (huge_content_length, ResponseTooLargeError),
    "gzip bomb": (gzip_bomb, ResponseTooLargeError),
    "body trickling past the deadline": (trickling_body, RequestTimeoutError),
    "headers trickling past the deadline": (trickling_headers, RequestTimeoutError),
}


@pytest.mark.parametrize("case", list(CASES))
def test_typed_error_within_the_deadline_and_bounded_memory(
    kind: str, case: str, hostile: Start
) -> None:
    make, expected = CASES[case]
    server = hostile(make)
    error, peak = measured(expected, lambda: driver(kind, server).page(FLOW))
    # The deadline, not the server, ended the trickle (which would go on for 30 s and more);
    # the cases over the cap would end in a timeout error, not a size error, without their check.
    assert not server.trickled_out.is_set(), f"{case}: the client waited for the whole trickle"
    assert peak < PEAK_BOUND, f"{case}: peak {peak:,} bytes"
    if isinstance(error, ResponseTooLargeError):
        assert error.max_response_bytes == CAP
        assert isinstance(error, UnexpectedResponseError)
        assert f"max_response_bytes={CAP:,}" in str(error)
        assert "with_options(max_response_bytes=" in str(error)
        assert len(server.requests) == 1
    else:
        assert isinstance(error, TransportError | TimeoutError)
        assert f"{TIMEOUT:g} s deadline" in str(error)


def test_the_cap_is_not_retried_but_the_deadline_is(
    kind: str, hostile: Start, waits: list[float]
) -> None:
    big = hostile(huge_content_length)
    with pytest.raises(ResponseTooLargeError):
        driver(kind, big, max_retries=2).page(FLOW)
    assert len(big.requests) == 1
    slow = hostile(trickling_headers)
    with pytest.raises(RequestTimeoutError) as caught:
        driver(kind, slow, max_retries=1, timeout=0.5).page(FLOW)
    assert caught.value.attempts == 2
    assert len(slow.requests) == 2
    assert len(waits) == 1


def test_headers_trickling_on_a_reused_connection(kind: str, hostile: Start) -> None:
    """The second page comes over the first page's keep-alive connection, then trickles."""

    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            if "Page=1" in target:
                trickle(server, conn, b"HTTP/1.1 200 OK\r\n" * 100)
            else:
                respond(conn, good_page(server, 0))

        return behaviour

    server = hostile(make)
    with pytest.raises(RequestTimeoutError, match="deadline"):
        driver(kind, server).stream(FLOW)
    assert server.connections == 1
    assert not server.trickled_out.is_set(), "the client waited for the whole 170 s trickle"


def test_a_page_within_the_cap_and_deadline_is_read_whole_also_gzipped(
    kind: str, hostile: Start
) -> None:
    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            page = int(target.rsplit("Page=", 1)[1]) if "Page=" in target else 0
            body = good_page(server, page, last=page == 2)
            if page == 1:
                respond(conn, gzip.compress(body), "Content-Encoding: gzip")
            else:
                respond(conn, body)

        return behaviour

    server = hostile(make)
    got = driver(kind, server).stream(FLOW)
    assert [e.sid for e in got] == [r["sid"] for r in records(0, 6)]


def test_an_error_answer_over_the_cap_is_cut_and_still_retried(
    kind: str, hostile: Start, waits: list[float]
) -> None:
    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            if len(server.requests) == 1:
                respond(conn, b"<html>" + b"x" * (4 * CAP), status="503 Service Unavailable")
            else:
                respond(conn, good_page(server, 0, last=True))

        return behaviour

    server = hostile(make)
    assert len(driver(kind, server, max_retries=1).page(FLOW).engagements) == 2
    assert len(server.requests) == 2


def test_max_response_bytes_is_configurable_and_checked() -> None:
    client = StudioClient(SID, TOKEN, base_url="http://127.0.0.1:1", max_response_bytes=2048)
    assert client.max_response_bytes == 2048
    assert client.with_options(max_response_bytes=4096).max_response_bytes == 4096
    assert client.with_options(timeout=3).max_response_bytes == 2048
    assert StudioClient(SID, TOKEN).max_response_bytes == 64 * 1024 * 1024
    for bad in (0, -1, 10, 1.5, True, "1e6", None):
        with pytest.raises(errors_module.ConfigurationError, match="max_response_bytes"):
            StudioClient(SID, TOKEN, max_response_bytes=bad)  # type: ignore[arg-type]
    with pytest.raises(errors_module.ConfigurationError):
        client.with_options(max_response_bytes=5)


def test_a_custom_transport_still_gets_the_cap() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=b"[" + b"0," * CAP + b"0]")

    http = httpx.Client(transport=httpx.MockTransport(handler))
    client = StudioClient(
        SID, TOKEN, base_url="http://127.0.0.1:1", http_client=http, max_response_bytes=CAP
    )
    with pytest.raises(ResponseTooLargeError):
        client.engagements.page(FLOW)


# --- the CLI: exit code, resume hint, no half page -----------------------------------------


def second_page_misbehaves(make: Callable[[Hostile], Behaviour]) -> Callable[[Hostile], Behaviour]:
    def wrap(server: Hostile) -> Behaviour:
        bad = make(server)

        def behaviour(conn: socket.socket, target: str) -> None:
            if "Page=1" in target:
                bad(conn, target)
            else:
                respond(conn, good_page(server, 0), "Connection: close")
                raise OSError("closed")  # one request per connection: the next one is fresh

        return behaviour

    return wrap


@pytest.mark.parametrize(
    ("case", "code"),
    [
        ("endless 200", 3),
        ("Content-Length over the cap", 3),
        ("gzip bomb", 3),
        ("body trickling past the deadline", 4),
        ("headers trickling past the deadline", 4),
    ],
)
def test_cli_keeps_whole_pages_and_says_how_to_resume(
    case: str,
    code: int,
    tmp_path: Path,
    hostile: Start,
) -> None:
    server = hostile(second_page_misbehaves(CASES[case][0]))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(TWILIO_ACCOUNT_SID=SID, TWILIO_AUTH_TOKEN=TOKEN)
    output = tmp_path / "out.jsonl"
    command = [
        sys.executable, "-m", "studio_engagements", "list", FLOW, "--output", str(output),
        "--base-url", server.base_url, "--timeout", str(TIMEOUT),
        "--max-response-bytes", str(CAP),
    ]  # fmt: skip
    result = subprocess.run(command, capture_output=True, text=True, env=env, timeout=60)
    assert result.returncode == code, result.stderr
    partial = output.with_name("out.jsonl.partial")
    lines = partial.read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["sid"] for line in lines] == [r["sid"] for r in records(0, 2)]
    assert partial.read_text(encoding="utf-8").endswith("\n")
    assert not output.exists()
    assert "resume with:" in result.stderr
    assert f"--resume-from {server.url(1)}" in result.stderr.replace("'", "")
    if code == 3:
        assert "larger than max_response_bytes" in result.stderr
        assert "ResponseTooLargeError" not in result.stderr  # in words, the class name aside
        assert "--max-response-bytes" in result.stderr
    else:
        assert "deadline" in result.stderr
        # Three attempts (two retries by default), each cut by the deadline, not by the server.
        assert sum("Page=1" in target for target in server.requests) == 3, server.requests
        assert not server.trickled_out.is_set()
