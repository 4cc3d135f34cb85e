"""One attempt's budget (deadline, size cap, buffer) and its body: decoded, counted, kept in it."""

from __future__ import annotations

import time
import zlib
from collections.abc import Iterator
from typing import NamedTuple

import httpx

from .errors import ResponseTooLargeError, UnsupportedEncodingError

# A buffer that grew past this (an outsized body) is dropped rather than kept for the next page.
_KEPT_BUFFER_BYTES = 16 * 1024 * 1024
# Of the buffers that grew past this (a page of engagements, not of steps), one is kept: threads
# that read many small bodies and now and then a large one would otherwise each keep a large one.
_SMALL_BUFFER_BYTES = 256 * 1024


class Answer(NamedTuple):
    """A response read whole within its budget: the status, the headers, the decoded body."""

    status: int
    headers: httpx.Headers
    content: bytes


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

    def body(self, status: int, headers: httpx.Headers, *, raw: bool) -> Body:
        """Start reading a response's body (refused at once if it announces too many bytes)."""
        buffer = self._buffers.pop() if self._buffers else bytearray()
        return Body(self, status, headers, buffer, raw=raw)

    def release(self, buffer: bytearray) -> None:
        """Hand a buffer back for the next request (unless an outsized body grew it, or it is
        large and a large one is kept already)."""
        size = len(buffer)
        if size > _KEPT_BUFFER_BYTES or (
            size > _SMALL_BUFFER_BYTES
            and any(len(kept) > _SMALL_BUFFER_BYTES for kept in self._buffers)
        ):
            return
        self._buffers.append(buffer)


# Content-Encodings decoded here, by zlib, each layer's output bounded; no other is decoded.
_ZLIB_WBITS = {
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS,
}
_IDENTITY = frozenset({"", "identity"})
# The encodings asked for: no brotli or zstd, whose decoders are not bounded here.
ACCEPT_ENCODING = "gzip, deflate"
# The most any layer inflates in one step: memory per layer stays about this, whatever a bomb.
_STEP = 64 * 1024


def encodings(headers: httpx.Headers) -> list[str]:
    """The Content-Encodings applied, in order, from every header line; identity left out."""
    values = headers.get_list("Content-Encoding", split_commas=True)
    return [token for value in values if (token := value.strip().lower()) not in _IDENTITY]


class _Layer:
    """One gzip or deflate layer, inflated in bounded steps."""

    def __init__(self, encoding: str) -> None:
        self.wbits = _ZLIB_WBITS[encoding]
        self.inflate = zlib.decompressobj(self.wbits)
        self.started = False

    def steps(self, data: bytes) -> Iterator[bytes]:
        """What ``data`` inflates to, at most ``_STEP`` bytes at a time (zlib.error if bad)."""
        out = self._first(data)
        while out:
            yield out
            # A full step may leave input unread, or output pending inside zlib.
            if not self.inflate.unconsumed_tail and len(out) < _STEP:
                return
            out = self.inflate.decompress(self.inflate.unconsumed_tail, _STEP)

    def _first(self, data: bytes) -> bytes:
        try:
            out = self.inflate.decompress(data, _STEP)
        except zlib.error:
            if self.started or self.wbits != zlib.MAX_WBITS:
                raise
            # "deflate" is sometimes raw deflate, without the zlib header (httpx allows both).
            self.wbits = -zlib.MAX_WBITS
            self.inflate = zlib.decompressobj(self.wbits)
            out = self.inflate.decompress(data, _STEP)
        self.started = self.started or bool(data)
        return out


class Body:
    """A response body decoded and counted against the cap, chunk by chunk, into a buffer."""

    def __init__(
        self,
        budget: Budget,
        status: int,
        headers: httpx.Headers,
        buffer: bytearray,
        *,
        raw: bool,
    ) -> None:
        self.budget = budget
        self.status = status
        self.headers = headers
        self.buffer = buffer
        self.size = 0
        # Only a page must be whole; an error answer is cut at the cap (enough for its message).
        self.is_page = status == 200
        # Raw chunks, decoded here; else the body a custom transport already read (and httpx
        # decoded, before the client saw it).
        self.raw = raw
        applied = encodings(headers) if raw else []
        unsupported = [token for token in applied if token not in _ZLIB_WBITS]
        length = headers.get("Content-Length", "")
        if unsupported or (self.is_page and length.isdigit() and int(length) > budget.max_bytes):
            budget.release(buffer)  # nothing was read into it
            if unsupported:
                raise UnsupportedEncodingError(
                    ", ".join(applied),
                    status=status,
                    url=str(budget.request.url),
                    request_id=headers.get("Twilio-Request-Id"),
                )
            raise self.too_large(f"it announces {int(length):,} bytes (Content-Length)")
        # The last encoding applied is the first to undo.
        self._layers = [_Layer(token) for token in reversed(applied)]

    def too_large(self, what: str) -> ResponseTooLargeError:
        """The error for a page body over the cap."""
        return ResponseTooLargeError(
            what,
            max_response_bytes=self.budget.max_bytes,
            url=str(self.budget.request.url),
            body=bytes(self.buffer[: min(self.size, 1000)]),
            request_id=self.headers.get("Twilio-Request-Id"),
        )

    def feed(self, data: bytes) -> bool:
        """Take a chunk (raw when ``self.raw``, else decoded by httpx); False: stop reading."""
        self.budget.check()
        try:
            return all(self._append(out) for out in self._decoded(data, 0))
        except zlib.error:
            raise self._undecodable() from None

    def _decoded(self, data: bytes, layer: int) -> Iterator[bytes]:
        """``data`` through layers ``layer``.. in bounded steps (lazily: reading may stop)."""
        if layer == len(self._layers):
            yield data
            return
        for out in self._layers[layer].steps(data):
            yield from self._decoded(out, layer + 1)

    def _undecodable(self) -> httpx.DecodingError:
        encoding = self.headers.get("Content-Encoding")
        return httpx.DecodingError(
            f"the body is not valid {encoding} data", request=self.budget.request
        )

    def _append(self, data: bytes) -> bool:
        end = self.size + len(data)
        if end > self.budget.max_bytes:
            if self.is_page:
                raise self.too_large(f"its body exceeds {self.budget.max_bytes:,} bytes")
            data = data[: self.budget.max_bytes - self.size]
            end = self.budget.max_bytes
        # Slice assignment within the buffer's length does not reallocate it.
        if end <= len(self.buffer):
            self.buffer[self.size : end] = data
        else:
            del self.buffer[self.size :]
            self.buffer += data
        self.size = end
        return end < self.budget.max_bytes or self.is_page

    def content(self) -> memoryview:
        """The decoded body read so far (a view into the buffer: valid until released)."""
        return memoryview(self.buffer)[: self.size]

    def finish(self) -> Answer:
        """The answer with its whole decoded body."""
        for index, layer in enumerate(self._layers):
            try:
                rest = layer.inflate.flush()
                if not all(self._append(out) for out in self._decoded(rest, index + 1)):
                    break
            except zlib.error:
                raise self._undecodable() from None
        answer = Answer(self.status, self.headers, bytes(self.content()))
        self.budget.release(self.buffer)
        return answer
