"""The page server: pre-rendered pages of both shapes, chained by ``next_page_url``.

``python -m bench.server [--delay SECONDS]`` prints its port and the mean bytes of a page of each
shape, then serves ``GET /v1/Flows/{FlowSid}/Engagements?PageSize=&Page=`` (Basic auth) until
stopped, each answer ``SECONDS`` late (a slow link); the flow SID names the shape and the page
count (:func:`bench.common.flow_sid`). ``GET /requests`` is how many pages it was asked for.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx

from studio_engagements.rules import rule

from .common import AUTHORIZATION, PAGE_SIZE, SHAPES, child_env, module_command, read_flow_sid
from .records import RECORDS_FLOW, records

# The spec's default: the size of a page asked for without PageSize.
DEFAULT_PAGE_SIZE: int = rule("PageSize").default
DISTINCT_PAGES = 10  # the server cycles through this many pages of records per shape


class PageServer(ThreadingHTTPServer):
    """Serves every flow of :func:`bench.common.flow_sid` from pre-rendered records."""

    daemon_threads = True
    origin: str
    encoded: dict[str, list[bytes]]
    """Each shape's records, JSON-encoded one by one."""
    blocks: dict[str, list[bytes]]
    """Each shape's records joined into pages of PAGE_SIZE (a JSON array's items)."""
    delay: float
    """Seconds each page is answered late."""
    served: int
    """How many pages were asked for."""
    counting: threading.Lock
    """Held while ``served`` is counted up (a thread per connection)."""


class PageHandler(BaseHTTPRequestHandler):
    """One page a request; a page of another size than PAGE_SIZE is joined on the fly."""

    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True  # a response is written in parts: no waiting for ACKs
    server: PageServer
    _PATH = re.compile(r"/v1/Flows/(FW[0-9a-f]{32})/Engagements")

    def do_GET(self) -> None:
        parts = urllib.parse.urlsplit(self.path)
        if parts.path == "/requests":
            self._send(200, str(self.server.served).encode())
            return
        match = self._PATH.fullmatch(parts.path)
        if self.headers.get("Authorization") != AUTHORIZATION:
            self._send(401, b'{"code": 20003, "message": "Authenticate", "status": 401}')
            return
        if match is None:
            self._send(404, b'{"code": 20404, "message": "Not found", "status": 404}')
            return
        with self.server.counting:
            self.server.served += 1
        if self.server.delay:
            time.sleep(self.server.delay)
        shape, pages = read_flow_sid(match.group(1))
        query = urllib.parse.parse_qs(parts.query)
        number = int(query.get("Page", ["0"])[0])
        size = int(query.get("PageSize", [str(DEFAULT_PAGE_SIZE)])[0])

        def url(n: int) -> str:
            token = "" if n == 0 else f"&PageToken=PAFN{n * size:032x}"
            return f"{self.server.origin}{parts.path}?PageSize={size}&Page={n}{token}"

        meta = {
            "page": number,
            "page_size": size,
            "first_page_url": url(0),
            "previous_page_url": url(number - 1) if number > 0 else None,
            "url": url(number),
            "next_page_url": url(number + 1) if number + 1 < pages else None,
            "key": "engagements",
        }
        # Each record names the flow it was asked for, as the API's do (the client checks that).
        block = self._block(shape, number, size).replace(RECORDS_FLOW.encode(), match[1].encode())
        self._send(
            200, b'{"engagements": [', block, b'], "meta": ', json.dumps(meta).encode(), b"}"
        )

    def _block(self, shape: str, number: int, size: int) -> bytes:
        if size == PAGE_SIZE:
            blocks = self.server.blocks[shape]
            return blocks[number % len(blocks)]
        encoded = self.server.encoded[shape]
        start = number * size % len(encoded)
        return b", ".join(encoded[start : start + size])

    def _send(self, status: int, *chunks: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(sum(map(len, chunks))))
        self.send_header("Twilio-Request-Id", "RQ" + os.urandom(16).hex())
        self.end_headers()
        for chunk in chunks:
            self.wfile.write(chunk)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: a log line per page would be the server's main cost."""


def serve(argv: list[str]) -> None:
    """Pre-render both shapes, print the port and the page sizes in bytes, serve until killed."""
    parser = argparse.ArgumentParser(prog="python -m bench.server")
    parser.add_argument("--delay", type=float, default=0.0, metavar="SECONDS")
    server = PageServer(("127.0.0.1", 0), PageHandler)
    server.origin = f"http://127.0.0.1:{server.server_address[1]}"
    server.delay, server.served = parser.parse_args(argv).delay, 0
    server.counting = threading.Lock()
    server.encoded, server.blocks = {}, {}
    for shape in SHAPES:
        encoded = [
            json.dumps(record, ensure_ascii=False).encode()
            for record in records(shape, PAGE_SIZE * DISTINCT_PAGES)
        ]
        server.encoded[shape] = encoded
        server.blocks[shape] = [
            b", ".join(encoded[start : start + PAGE_SIZE])
            for start in range(0, len(encoded), PAGE_SIZE)
        ]
    sizes = [sum(map(len, server.blocks[shape])) // DISTINCT_PAGES for shape in SHAPES]
    print(server.server_address[1], *sizes, flush=True)
    server.serve_forever()


class Server:
    """The page server's process, started and stopped by the benchmark."""

    def __init__(self, delay: float = 0.0) -> None:
        self.process = subprocess.Popen(
            module_command("server", "--delay", str(delay)),
            stdout=subprocess.PIPE,
            text=True,
            env=child_env(),
        )
        assert self.process.stdout is not None
        port, *sizes = self.process.stdout.readline().split()
        self.origin = f"http://127.0.0.1:{port}"
        self.page_bytes = dict(zip(SHAPES, map(int, sizes), strict=True))
        """Mean bytes of the records of a page of PAGE_SIZE, per shape."""

    def requests(self) -> int:
        """How many pages the server was asked for so far."""
        return int(httpx.get(f"{self.origin}/requests").text)

    def close(self) -> None:
        """Stop the server process (ours: started above)."""
        self.process.terminate()
        self.process.wait(timeout=10)


if __name__ == "__main__":
    serve(sys.argv[1:])
