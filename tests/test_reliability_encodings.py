"""Every body bounded, whatever its Content-Encoding, against real loopback servers.

Stacked layers (``gzip, gzip``, or two ``Content-Encoding`` lines) are inflated layer by layer in
bounded steps and counted against the cap; encodings the client never asks for (``br``,
``zstd``, unknown tokens) are a typed error, never decoded, never retried. Peak RSS is measured
in a subprocess, so that the figure is the process's own and not the test runner's.
"""

from __future__ import annotations

import functools
import gzip
import json
import socket
import subprocess
import sys
import zlib
from collections.abc import Callable

import pytest

from studio_engagements import (
    ResponseTooLargeError,
    UnexpectedResponseError,
    UnsupportedEncodingError,
)

from . import hostile as loop
from .helpers import FLOW
from .hostile import Behaviour, Hostile, respond

Start = Callable[[Callable[[Hostile], Behaviour]], Hostile]
BOMB_BYTES = 64 * 1024 * 1024  # what the bombs inflate to: 256 times the cap


@functools.cache
def bomb(layers: int) -> bytes:
    """``BOMB_BYTES`` of JSON-ish spaces, gzipped ``layers`` times (a few hundred bytes at 2)."""
    data = b" " * BOMB_BYTES
    for _ in range(layers):
        data = gzip.compress(data, compresslevel=9)
    return data


def deflate(data: bytes) -> bytes:
    return zlib.compress(data, 9)


def answering(body: Callable[[Hostile], bytes], *headers: str) -> Callable[[Hostile], Behaviour]:
    """A server answering every request with ``body(server)`` and ``headers``."""

    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            respond(conn, body(server), *headers)

        return behaviour

    return make


BOMBS = {
    "gzip, gzip": (2, ["Content-Encoding: gzip, gzip"]),
    "two gzip header lines": (2, ["Content-Encoding: gzip", "Content-Encoding: gzip"]),
    "x-gzip, GZIP, gzip": (3, ["Content-Encoding: x-gzip, GZIP", "Content-Encoding: gzip"]),
}


@pytest.mark.parametrize("case", list(BOMBS))
def test_stacked_bombs_stop_at_the_cap_fast_in_bounded_memory(
    kind: str, case: str, hostile: Start
) -> None:
    layers, headers = BOMBS[case]
    body = bomb(layers)
    server = hostile(answering(lambda server: body, *headers))
    error, peak = loop.measured(
        ResponseTooLargeError, lambda: loop.driver(kind, server, max_retries=2).page(FLOW)
    )
    assert len(body) < 70_000, "the bomb is small on the wire"
    assert peak < loop.PEAK_BOUND, f"peak {peak:,} bytes"  # never the 64 MiB the body inflates to
    assert f"exceeds {loop.CAP:,} bytes" in str(error)
    assert len(server.requests) == 1, "a body over the cap is not retried"


@pytest.mark.parametrize(
    "header", ["br", "zstd", "compress", "gzip, br", "identity, snappy", "deflate, zstd"]
)
def test_encodings_never_asked_for_are_a_typed_error_not_retried(
    kind: str, header: str, hostile: Start
) -> None:
    server = hostile(answering(lambda server: b"\x1b\x00" * 5000, f"Content-Encoding: {header}"))
    with pytest.raises(UnsupportedEncodingError) as caught:  # not a timeout: no waiting for more
        loop.driver(kind, server, max_retries=2).page(FLOW)
    assert isinstance(caught.value, UnexpectedResponseError)
    applied = header.removeprefix("identity, ")  # identity is no encoding
    assert caught.value.encoding == applied
    assert repr(applied) in str(caught.value)
    assert "gzip or deflate" in str(caught.value)
    assert len(server.requests) == 1
    # What the client asks for: never an encoding it cannot bound.
    assert server.requests_headers[0]["accept-encoding"] == "gzip, deflate"


def test_an_error_answer_in_an_unknown_encoding_is_not_retried(kind: str, hostile: Start) -> None:
    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            respond(conn, b"\x00" * 100, "Content-Encoding: br", status="503 Service Unavailable")

        return behaviour

    server = hostile(make)
    with pytest.raises(UnsupportedEncodingError):
        loop.driver(kind, server, max_retries=2).page(FLOW)
    assert len(server.requests) == 1


LAYERS: dict[str, tuple[Callable[[bytes], bytes], list[str]]] = {
    "gzip, gzip": (lambda b: gzip.compress(gzip.compress(b)), ["Content-Encoding: gzip, gzip"]),
    "deflate, gzip": (lambda b: gzip.compress(deflate(b)), ["Content-Encoding: deflate, gzip"]),
    "identity, x-gzip": (gzip.compress, ["Content-Encoding: identity, x-gzip"]),
    "raw deflate": (lambda b: zlib.compress(b, 9, wbits=-15), ["Content-Encoding: deflate"]),
    "two lines": (
        lambda b: deflate(gzip.compress(b)),
        ["Content-Encoding: gzip", "Content-Encoding: deflate"],
    ),
}


@pytest.mark.parametrize("case", list(LAYERS))
def test_stacked_encodings_within_the_cap_are_read_whole(
    kind: str, case: str, hostile: Start
) -> None:
    encode, headers = LAYERS[case]

    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            page = int(target.rsplit("Page=", 1)[1]) if "Page=" in target else 0
            respond(conn, encode(loop.good_page(server, page, last=page == 2)), *headers)

        return behaviour

    server = hostile(make)
    got = loop.driver(kind, server).stream(FLOW)
    assert [e.sid for e in got] == [r["sid"] for r in loop.records(0, 6)]


def test_a_corrupt_layer_is_a_typed_error(kind: str, hostile: Start) -> None:
    body = gzip.compress(b"not deflate data at all")  # the outer gzip is fine, the inner is not
    server = hostile(answering(lambda server: body, "Content-Encoding: deflate, gzip"))
    with pytest.raises(Exception) as caught:  # noqa: PT011 (the type is asserted below)
        loop.driver(kind, server).page(FLOW)
    assert type(caught.value).__module__ == "studio_engagements.errors"
    assert "not valid" in str(caught.value)


PEAK_RSS = """
import resource, sys, warnings
warnings.simplefilter("ignore")
from studio_engagements import StudioClient, ResponseTooLargeError
client = StudioClient("AC" + "1" * 32, "t", base_url=sys.argv[1], max_response_bytes=4 << 20,
                      timeout=5)
client.engagements.page("FW" + "a" * 32, page_size=1)  # imports and pools warmed up
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
try:
    client.engagements.page("FW" + "a" * 32, page_size=2)
except ResponseTooLargeError as error:
    outcome = type(error).__name__
after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(before, after, outcome)
"""


def test_peak_rss_stays_bounded_in_a_process_of_its_own(hostile: Start) -> None:
    """A 3-layer bomb inflating to 64 MiB with a 4 MiB cap: the process grows by about the cap."""
    layered = bomb(3)

    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            if "PageSize=1" in target:
                respond(
                    conn, json.dumps({"engagements": [], "meta": {"next_page_url": None}}).encode()
                )
            else:
                respond(conn, layered, "Content-Encoding: gzip, gzip, gzip")

        return behaviour

    server = hostile(make)
    result = subprocess.run(
        [sys.executable, "-c", PEAK_RSS, server.base_url],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    before, after, outcome = result.stdout.split()
    grown = (int(after) - int(before)) * 1024  # ru_maxrss is in KiB on Linux
    assert outcome == "ResponseTooLargeError"
    assert grown < 24 * 1024 * 1024, f"peak RSS grew by {grown:,} bytes"
