"""What the adapters hand to the endpoint and get back: requests, responses, replies, records."""

from __future__ import annotations

import dataclasses
import json
import re
import uuid
from collections.abc import Mapping

from ._faults import Fault, FaultKind

JSON = "application/json"
_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


@dataclasses.dataclass(frozen=True, slots=True)
class Request:
    """An HTTP request as the adapters hand it over."""

    method: str
    path: str
    """The decoded path, without the query."""
    query: str
    """The raw query string, without ``?``."""
    headers: Mapping[str, str]
    """Header values by lower-case name."""
    scheme: str = "http"
    server: str = "127.0.0.1"
    """``host[:port]`` to use for URLs when the ``Host`` header is missing or unusable."""

    @property
    def origin(self) -> str:
        """``scheme://host[:port]`` the client reached: where meta URLs must point."""
        host = self.headers.get("host", "")
        return f"{self.scheme}://{host if _HOST.fullmatch(host) else self.server}"


@dataclasses.dataclass(frozen=True, slots=True)
class Response:
    """Status, headers and the complete body."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes


@dataclasses.dataclass(frozen=True, slots=True)
class Reply:
    """What an adapter must do: send ``response`` (None: drop the connection), as ``fault`` says."""

    response: Response | None
    fault: Fault | None = None

    @property
    def delay(self) -> float:
        """Seconds to wait before answering."""
        return self.fault.seconds if self.fault and self.fault.kind is FaultKind.DELAY else 0.0

    @property
    def truncated(self) -> bool:
        """Whether to send less body than ``Content-Length`` announces."""
        return self.fault is not None and self.fault.kind is FaultKind.TRUNCATED_BODY

    def headers(self, response: Response) -> list[tuple[str, str]]:
        """The headers to send: ``response``'s and the ``Content-Length`` of its whole body."""
        return [*response.headers, ("Content-Length", str(len(response.body)))]

    def body(self, response: Response, method: str) -> bytes:
        """The body bytes to send: none to a HEAD; when truncated, the first half only (the
        announced length stays the whole one, as from a peer that died mid-body)."""
        if method == "HEAD":
            return b""
        return response.body[: len(response.body) // 2] if self.truncated else response.body


@dataclasses.dataclass(frozen=True, slots=True)
class RecordedRequest:
    """A request the mock received (faulted ones included)."""

    method: str
    path: str
    query: dict[str, str] = dataclasses.field(hash=False)
    """The first value of each query parameter."""
    user: str | None
    """The Basic-auth user presented, if any (never the password)."""
    operation: str | None = None
    """The ``operationId`` of the spec operation whose route the path is (None: no route)."""


class RequestLog(list[RecordedRequest]):
    """The requests received, oldest first: a list, and callable for a fresh copy of itself
    (``mock.requests`` and ``mock.requests()`` alike)."""

    def __call__(self) -> RequestLog:
        """A copy of the requests."""
        return RequestLog(self)

    def count_by_operation(self) -> dict[str | None, int]:
        """How many requests each operation received (``ListStep``: 12), None for no route."""
        counts: dict[str | None, int] = {}
        for request in self:
            counts[request.operation] = counts.get(request.operation, 0) + 1
        return counts


def request_id_headers() -> tuple[tuple[str, str], ...]:
    """A fresh ``Twilio-Request-Id`` header, as every Twilio response carries."""
    return (("Twilio-Request-Id", "RQ" + uuid.uuid4().hex),)


def json_response(
    status: int, body: object, headers: list[tuple[str, str]] | Mapping[str, str]
) -> Response:
    """A compact JSON ``body`` with ``status`` and extra ``headers``."""
    extra = list(headers.items()) if isinstance(headers, Mapping) else list(headers)
    encoded = json.dumps(body, separators=(",", ":")).encode()
    return Response(status, (("Content-Type", JSON), *request_id_headers(), *extra), encoded)


def error_response(
    status: int, code: int, message: str, headers: Mapping[str, str] | None = None
) -> Response:
    """A Twilio error body (``code``, ``message``, ``more_info``, ``status``)."""
    body = {
        "code": code,
        "message": message,
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    return json_response(status, body, headers or {})


def not_found_response(path: str) -> Response:
    """Twilio's 404 for ``path``."""
    return error_response(404, 20404, f"The requested resource {path} was not found")
