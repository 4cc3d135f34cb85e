"""The mock as a WSGI callable: in-process, no sockets (schemathesis drives it this way)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from http import HTTPStatus
from typing import Any

from ._endpoint import Endpoint
from ._exchange import Request


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
