"""A response body read within the size cap: decoded here, counted, into a reusable buffer."""

from __future__ import annotations

import zlib
from typing import TYPE_CHECKING

import httpx

from .errors import ResponseTooLargeError

if TYPE_CHECKING:
    from ._bounded import Budget

# Content-Encodings decoded here, by zlib, with the output bounded; others are left to httpx.
_ZLIB_WBITS = {
    "gzip": zlib.MAX_WBITS | 16,
    "x-gzip": zlib.MAX_WBITS | 16,
    "deflate": zlib.MAX_WBITS,
}
_IDENTITY = frozenset({"", "identity"})
# The encodings asked for: no brotli or zstd, whose output is not bounded here.
ACCEPT_ENCODING = "gzip, deflate"


class Body:
    """A response body decoded and counted against the cap, chunk by chunk, into a buffer."""

    def __init__(self, budget: Budget, response: httpx.Response, buffer: bytearray) -> None:
        self.budget = budget
        self.response = response
        self.buffer = buffer
        self.size = 0
        # Only a page must be whole; an error answer is cut at the cap (enough for its message).
        self.is_page = response.status_code == 200
        encoding = response.headers.get("Content-Encoding", "").strip().lower()
        # Raw chunks, decoded here; else httpx's decoded chunks (other encodings, or a body a
        # custom transport already read).
        self.raw = (encoding in _IDENTITY or encoding in _ZLIB_WBITS) and not (
            response.is_stream_consumed
        )
        self._wbits = _ZLIB_WBITS.get(encoding) if self.raw else None
        self._inflate = None if self._wbits is None else zlib.decompressobj(self._wbits)
        self._started = False
        length = response.headers.get("Content-Length", "")
        if self.is_page and length.isdigit() and int(length) > budget.max_bytes:
            budget.release(buffer)  # nothing was read into it
            raise self.too_large(f"it announces {int(length):,} bytes (Content-Length)")

    def too_large(self, what: str) -> ResponseTooLargeError:
        """The error for a page body over the cap."""
        return ResponseTooLargeError(
            what,
            max_response_bytes=self.budget.max_bytes,
            url=str(self.budget.request.url),
            body=bytes(self.buffer[: min(self.size, 1000)]),
            request_id=self.response.headers.get("Twilio-Request-Id"),
        )

    def feed(self, data: bytes) -> bool:
        """Take a chunk (raw when ``self.raw``, else decoded by httpx); False: stop reading."""
        self.budget.check()
        if self._inflate is None:
            return self._append(data)
        room = self.budget.max_bytes - self.size + 1
        try:
            out = self._inflate.decompress(data, room)
        except zlib.error:
            if self._started or self._wbits != zlib.MAX_WBITS:
                raise self._undecodable() from None
            # "deflate" is sometimes raw deflate, without the zlib header (httpx allows both).
            self._inflate = zlib.decompressobj(-zlib.MAX_WBITS)
            self._wbits = -zlib.MAX_WBITS
            try:
                out = self._inflate.decompress(data, room)
            except zlib.error:
                raise self._undecodable() from None
        self._started = True
        while True:
            if not self._append(out):
                return False
            tail = self._inflate.unconsumed_tail
            if not tail:
                return True
            try:
                out = self._inflate.decompress(tail, self.budget.max_bytes - self.size + 1)
            except zlib.error:
                raise self._undecodable() from None

    def _undecodable(self) -> httpx.DecodingError:
        encoding = self.response.headers.get("Content-Encoding")
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

    def finish(self) -> httpx.Response:
        """The response with its whole decoded body, as if httpx had read it."""
        if self._inflate is not None:
            self._append(self._inflate.flush())
        headers = [
            (name, value)
            for name, value in self.response.headers.multi_items()
            if name.lower() not in ("content-encoding", "content-length")
        ]
        response = httpx.Response(
            self.response.status_code,
            headers=headers,
            content=bytes(self.content()),
            request=self.budget.request,
            extensions=self.response.extensions,
        )
        self.budget.release(self.buffer)
        return response
