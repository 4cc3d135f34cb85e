"""The mock in-process: httpx transports (a client talks to it, failing as a real peer would) and
the WSGI app (what schemathesis drives; no sockets)."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from http import HTTPStatus
from typing import Any

import httpx

from ._endpoint import Endpoint
from ._exchange import Reply, Request

DROPPED = "Server disconnected without sending a response."


def _request(request: httpx.Request) -> Request:
    return Request(
        method=request.method.upper(),
        path=request.url.path,
        query=request.url.query.decode("ascii", "replace"),
        headers={name.lower(): value for name, value in request.headers.items()},
        scheme=request.url.scheme,
        server=request.url.netloc.decode("ascii", "replace"),
    )


def _read_timeout(request: httpx.Request) -> float | None:
    timeout = request.extensions.get("timeout", {})
    value = timeout.get("read") if isinstance(timeout, dict) else None
    return float(value) if value is not None else None


def _wait(reply: Reply, request: httpx.Request) -> float:
    """How long to sleep; raise ReadTimeout (after that sleep) if the delay outlasts the timeout."""
    timeout = _read_timeout(request)
    if timeout is not None and reply.delay > timeout:
        return timeout
    return reply.delay


class _Truncated(httpx.SyncByteStream, httpx.AsyncByteStream):
    """Part of the body, then the error httpx raises when the peer closes mid-body."""

    def __init__(self, request: httpx.Request, sent: bytes, announced: int) -> None:
        self._request = request
        self._sent = sent
        self._error = httpx.RemoteProtocolError(
            "peer closed connection without sending complete message body: "
            f"received {len(sent)} bytes, expected {announced}",
            request=request,
        )

    def __iter__(self) -> Iterator[bytes]:
        yield self._sent
        raise self._error

    async def __aiter__(self) -> AsyncIterator[bytes]:
        yield self._sent
        raise self._error


def _response(reply: Reply, request: httpx.Request) -> httpx.Response:
    response = reply.response
    if response is None:
        raise httpx.RemoteProtocolError(DROPPED, request=request)
    headers, body = reply.headers(response), reply.body(response, request.method)
    if reply.truncated and response.body and request.method != "HEAD":
        stream = _Truncated(request, body, len(response.body))
        return httpx.Response(response.status, headers=headers, stream=stream, request=request)
    return httpx.Response(response.status, headers=headers, content=body, request=request)


class MockTransport(httpx.BaseTransport):
    """Sends an ``httpx.Client``'s requests to the mock, in the calling thread."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` (faults raise what httpx raises for a real peer)."""
        request.read()
        reply = self._endpoint.handle(_request(request))
        wait = _wait(reply, request)
        if wait:
            time.sleep(wait)
        if wait < reply.delay:
            raise httpx.ReadTimeout("timed out (injected delay)", request=request)
        return _response(reply, request)


class AsyncMockTransport(httpx.AsyncBaseTransport):
    """Sends an ``httpx.AsyncClient``'s requests to the mock, without blocking the event loop."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Answer ``request`` (faults raise what httpx raises for a real peer)."""
        await request.aread()
        reply = self._endpoint.handle(_request(request))
        wait = _wait(reply, request)
        if wait:
            await asyncio.sleep(wait)
        if wait < reply.delay:
            raise httpx.ReadTimeout("timed out (injected delay)", request=request)
        return _response(reply, request)


class DroppedConnection(ConnectionAbortedError):
    """Raised by the WSGI app for an injected dropped connection: WSGI cannot close a socket."""


StartResponse = Callable[..., Any]


class WSGIApp:
    """A WSGI application over the endpoint."""

    def __init__(self, endpoint: Endpoint) -> None:
        self._endpoint = endpoint

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        """Answer one WSGI request."""
        headers = {
            key[5:].replace("_", "-").lower(): str(value)
            for key, value in environ.items()
            if key.startswith("HTTP_")
        }
        # CONTENT_TYPE and CONTENT_LENGTH have no HTTP_ prefix in WSGI.
        for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
            if environ.get(key):
                headers[key.replace("_", "-").lower()] = str(environ[key])
        server = f"{environ.get('SERVER_NAME', '127.0.0.1')}:{environ.get('SERVER_PORT', '80')}"
        request = Request(
            method=str(environ.get("REQUEST_METHOD", "GET")).upper(),
            # PEP 3333 hands the path over as bytes decoded as latin-1; the API speaks UTF-8.
            path=str(environ.get("PATH_INFO", "")).encode("latin-1").decode("utf-8", "replace"),
            query=str(environ.get("QUERY_STRING", "")),
            headers=headers,
            scheme=str(environ.get("wsgi.url_scheme", "http")),
            server=server,
        )
        reply = self._endpoint.handle(request)
        if reply.delay:
            time.sleep(reply.delay)
        if reply.response is None:
            raise DroppedConnection("injected fault: connection dropped")
        response = reply.response
        start_response(
            f"{response.status} {HTTPStatus(response.status).phrase}", reply.headers(response)
        )
        return [reply.body(response, request.method)]
