"""One request within its deadline: the budget, the sync watchdog, the async timeout.

Reading the body within the size cap is ``_body``'s; both clients send through here.
"""

from __future__ import annotations

import contextlib
import socket
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable, Iterator
from types import FrameType
from typing import Any

import httpx

from ._body import Body
from ._config import Limits

# What a request may take past its deadline (timeout) before it is abandoned, at most: the time
# to notice it (between chunks, or the watchdog's wake-up) and to close the connection.
SLACK = 1.0
# A buffer that grew past this (an outsized body) is dropped rather than kept for the next page.
_KEPT_BUFFER_BYTES = 16 * 1024 * 1024


class DeadlineExceeded(httpx.TimeoutException):
    """The whole request (connect, headers and body) outlasted its deadline: a timeout."""


def deadline_seconds(timeout: httpx.Timeout) -> float:
    """The whole-request deadline for ``timeout``: its largest limit (a number: that number)."""
    limits = [timeout.connect, timeout.read, timeout.write, timeout.pool]
    return max(limit for limit in limits if limit is not None)


class Budget:
    """One attempt's deadline and size cap, and the buffer its body is read into."""

    def __init__(
        self,
        request: httpx.Request,
        *,
        timeout: httpx.Timeout,
        max_bytes: int,
        buffers: list[bytearray],
    ) -> None:
        self.request = request
        self.seconds = deadline_seconds(timeout)
        self.deadline = time.monotonic() + self.seconds
        self.max_bytes = max_bytes
        self._buffers = buffers
        # Per-read timeouts never outlast the whole request's deadline.
        request.extensions = {
            **request.extensions,
            "timeout": {
                "connect": min(timeout.connect or self.seconds, self.seconds),
                "read": min(timeout.read or self.seconds, self.seconds),
                "write": min(timeout.write or self.seconds, self.seconds),
                "pool": min(timeout.pool or self.seconds, self.seconds),
            },
        }

    def remaining(self) -> float:
        """Seconds left before the deadline (negative once past it)."""
        return self.deadline - time.monotonic()

    def expired(self) -> DeadlineExceeded:
        """The error for running past the deadline."""
        return DeadlineExceeded(
            f"the request took longer than its {self.seconds:g} s deadline (timeout)",
            request=self.request,
        )

    def check(self) -> None:
        """Raise DeadlineExceeded if the deadline has passed."""
        if time.monotonic() > self.deadline:
            raise self.expired()

    def body(self, response: httpx.Response) -> Body:
        """Start reading ``response``'s body (refused at once if it announces too many bytes)."""
        return Body(self, response, self._buffers.pop() if self._buffers else bytearray())

    def release(self, buffer: bytearray) -> None:
        """Hand a buffer back for the next request (unless an outsized body grew it)."""
        if len(buffer) <= _KEPT_BUFFER_BYTES:
            self._buffers.append(buffer)


# --- sync: a watchdog shuts the socket down at the deadline ---------------------------------


class _Watchdog:
    """Shuts the request's socket down at the deadline, so that a blocked read returns."""

    def __init__(self, budget: Budget) -> None:
        self._lock = threading.Lock()
        self._sockets: list[socket.socket] = []
        self.fired = False
        self._timer = threading.Timer(max(budget.remaining(), 0.0), self._fire)
        self._timer.daemon = True

    def trace(self, event: str, info: dict[str, Any]) -> None:
        """httpcore's ``trace`` extension: note the connection's socket once it is known."""
        if event in ("connection.connect_tcp.complete", "connection.start_tls.complete"):
            self._watch(info.get("return_value"))
        elif event == "http11.send_request_headers.started":
            # A connection from the pool: httpcore's connection object is the caller's `self`.
            self._watch(_calling_stream(sys._getframe(1)))

    def _watch(self, stream: Any) -> None:
        get_extra_info = getattr(stream, "get_extra_info", None)
        sock = get_extra_info("socket") if get_extra_info is not None else None
        if isinstance(sock, socket.socket):
            with self._lock:
                self._sockets.append(sock)
                if self.fired:
                    _shutdown(sock)

    def _fire(self) -> None:
        with self._lock:
            self.fired = True
            for sock in self._sockets:
                _shutdown(sock)

    def __enter__(self) -> _Watchdog:
        self._timer.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._timer.cancel()


def _calling_stream(frame: FrameType | None) -> Any:
    """The network stream of the httpcore connection that is sending (within a few frames)."""
    for _ in range(4):
        if frame is None:
            return None
        owner = frame.f_locals.get("self")
        stream = getattr(owner, "_network_stream", None)
        if stream is not None:
            return stream
        frame = frame.f_back
    return None


def _shutdown(sock: socket.socket) -> None:
    # socket.socket's own shutdown, also for an SSLSocket: no TLS close_notify exchange.
    with contextlib.suppress(OSError):
        socket.socket.shutdown(sock, socket.SHUT_RDWR)


def send(http: httpx.Client, request: httpx.Request, limits: Limits) -> httpx.Response:
    """Send ``request`` and read the whole response within the deadline and the cap."""
    budget = Budget(
        request, timeout=limits.timeout, max_bytes=limits.max_bytes, buffers=limits.buffers
    )
    watchdog = _Watchdog(budget)
    request.extensions["trace"] = watchdog.trace
    with watchdog:
        try:
            response = http.send(request, stream=True, follow_redirects=False)
            try:
                return _read(budget, response, response.iter_raw, response.iter_bytes)
            finally:
                response.close()
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            if watchdog.fired or budget.remaining() < 0:
                raise budget.expired() from error
            raise


def _read(
    budget: Budget,
    response: httpx.Response,
    raw: Callable[[], Iterator[bytes]],
    decoded: Callable[[], Iterator[bytes]],
) -> httpx.Response:
    body = budget.body(response)
    try:
        for chunk in raw() if body.raw else decoded():
            if not body.feed(chunk):
                break
        budget.check()
        return body.finish()
    except BaseException:
        budget.release(body.buffer)
        raise


# --- async: the event loop's timeout around sending and reading ------------------------------


async def send_async(
    http: httpx.AsyncClient, request: httpx.Request, limits: Limits
) -> httpx.Response:
    """The awaited twin of :func:`send`: ``asyncio.timeout`` bounds sending and reading."""
    import asyncio  # imported on first use, as in _client

    budget = Budget(
        request, timeout=limits.timeout, max_bytes=limits.max_bytes, buffers=limits.buffers
    )
    scope = asyncio.timeout(max(budget.remaining(), 0.0))
    try:
        async with scope:
            response = await http.send(request, stream=True, follow_redirects=False)
            try:
                return await _aread(budget, response)
            finally:
                await response.aclose()
    except TimeoutError as error:
        if scope.expired():
            raise budget.expired() from error
        raise
    except (httpx.HTTPError, httpx.InvalidURL) as error:
        if budget.remaining() < 0:
            raise budget.expired() from error
        raise


async def _aread(budget: Budget, response: httpx.Response) -> httpx.Response:
    body = budget.body(response)
    chunks: AsyncIterator[bytes] = response.aiter_raw() if body.raw else response.aiter_bytes()
    try:
        async for chunk in chunks:
            if not body.feed(chunk):
                break
        budget.check()
        return body.finish()
    except BaseException:
        budget.release(body.buffer)
        raise
