"""The mock as a real threaded HTTP server on loopback, for tests that need sockets."""

from __future__ import annotations

import contextlib
import signal
import socket
import threading
import time
from collections.abc import Callable, Iterator
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TextIO
from urllib.parse import unquote, urlsplit

from ._endpoint import Endpoint
from ._exchange import Request


class _Server(ThreadingHTTPServer):
    daemon_threads = True  # a request stuck in an injected delay must not hold up shutdown
    # socketserver's default listen backlog is 5: 32 clients connecting at once overflow it, and
    # the kernel drops their SYNs, which are resent after 1 s (p99 latency ~1.8 s under load).
    request_queue_size = 128
    endpoint: Endpoint
    netloc: str


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    protocol_version = "HTTP/1.1"  # keep-alive, as clients pool connections
    # Headers and body go out in separate writes: without TCP_NODELAY, Nagle's algorithm and
    # delayed ACKs hold each response back some 40 ms.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: object) -> None:
        """Stay quiet: tests own stderr."""

    def _answer(self) -> None:
        self._discard_body()
        target = urlsplit(self.path)
        request = Request(
            method=self.command.upper(),
            path=unquote(target.path, errors="replace"),
            query=target.query,
            headers={name.lower(): value for name, value in self.headers.items()},
            scheme="http",
            server=self.server.netloc,
        )
        reply = self.server.endpoint.handle(request)
        if reply.delay:
            time.sleep(reply.delay)
        response = reply.response
        if response is None:
            self._drop()
            return
        self.send_response(response.status, HTTPStatus(response.status).phrase)
        for name, value in reply.headers(response):
            self.send_header(name, value)
        if reply.truncated:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(reply.body(response, request.method))
        if reply.truncated:
            self.wfile.flush()
            self._drop()

    def _discard_body(self) -> None:
        length = self.headers.get("Content-Length")
        if length is not None and length.isdigit():
            self.rfile.read(int(length))
        elif self.headers.get("Transfer-Encoding"):
            self.close_connection = True  # a chunked body we do not parse: do not reuse the socket

    def _drop(self) -> None:
        # Close now, without a response; shutdown() first so that the peer sees EOF at once.
        self.close_connection = True
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)

    def handle_one_request(self) -> None:
        """Serve one request, whatever its method (unknown ones get the endpoint's 405)."""
        try:
            super().handle_one_request()
        except (ConnectionResetError, BrokenPipeError):
            self.close_connection = True  # the client went away: nothing to answer

    def __getattr__(self, name: str) -> object:
        # BaseHTTPRequestHandler dispatches to do_<METHOD>; every method goes to the endpoint.
        if name.startswith("do_"):
            return self._answer
        raise AttributeError(name)


@contextlib.contextmanager
def serve(endpoint: Endpoint, host: str = "127.0.0.1", port: int = 0) -> Iterator[str]:
    """Run the server in a thread; yield its base URL; stop it and free the port on exit."""
    server = _Server((host, port), _Handler)
    server.endpoint = endpoint
    bound_host, bound_port = server.server_address[:2]
    host_text = bound_host.decode() if isinstance(bound_host, bytes) else bound_host
    server.netloc = f"{host_text}:{bound_port}"
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
    )
    thread.start()
    try:
        yield f"http://{server.netloc}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def serve_forever(
    endpoint: Endpoint,
    host: str,
    port: int,
    out: TextIO,
    clock: str,
    wait: Callable[[threading.Event], None],
) -> None:
    """Serve until Ctrl-C or SIGTERM, first printing the URL, ``export`` lines, flows and the
    ``clock`` line; ``wait(stop)`` returns once ``stop`` is set (and may move the clock)."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    credentials = endpoint.credentials
    with serve(endpoint, host, port) as served_url:
        # Bound to every address: clients reach it, and trust plain http, on loopback.
        bound, _, bound_port = served_url.removeprefix("http://").rpartition(":")
        everywhere = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}  # noqa: S104 (names, not binds)
        loopback = everywhere.get(bound)
        base_url = served_url if loopback is None else f"http://{loopback}:{bound_port}"
        lines = [
            f"Mock Twilio Studio listening on {base_url}",
            f"export STUDIO_ENGAGEMENTS_BASE_URL={base_url}",
            f"export TWILIO_ACCOUNT_SID={credentials.account_sid}",
            f"export TWILIO_AUTH_TOKEN={credentials.auth_token}",
            f"# or an API key: export TWILIO_API_KEY={credentials.api_key_sid} "
            f"TWILIO_API_SECRET={credentials.api_key_secret}",
            *(f"flow {sid} {count} engagements" for sid, count in endpoint.flows.items()),
        ]
        if endpoint.flows:
            first = next(iter(endpoint.flows))
            lines.append(f"try: studio-engagements list {first} --base-url {base_url} --limit 5")
        lines += [clock, "Press Ctrl-C to stop."]
        print("\n".join(lines), file=out, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            wait(stop)
