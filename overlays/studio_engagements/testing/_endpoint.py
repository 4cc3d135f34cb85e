"""The one place that answers a request; the WSGI app, transports and server only carry it."""

from __future__ import annotations

import base64
import binascii
import hmac
import threading
from collections.abc import Mapping
from typing import Any
from urllib.parse import parse_qsl

from studio_engagements._rules import ParameterRule

from . import _seeds
from ._clock import MockClock
from ._exchange import (
    RecordedRequest,
    Reply,
    Request,
    Response,
    error_response,
    json_response,
    not_found_response,
    request_id_headers,
)
from ._family import Family, Listing, NotFound
from ._faults import FaultKind, FaultPlan
from ._paging import InvalidPageToken, PageAsked, PageTokens, page_body
from ._spec import ApiSpec, OperationSpec

# Values for the CORS headers the spec documents (it names them; Twilio's values fill them in).
CORS_VALUES = {
    "Access-Control-Allow-Origin": "*",
    "Access-Control-Allow-Methods": "GET",
    "Access-Control-Allow-Headers": "Accept, Authorization, Content-Type, If-Match, "
    "If-Modified-Since, If-None-Match, If-Unmodified-Since, Idempotency-Key",
    "Access-Control-Allow-Credentials": "true",
    "Access-Control-Expose-Headers": "ETag, Twilio-Request-Id",
}
NOT_JSON_BODY = b"<html><body><h1>502 Bad Gateway</h1>The upstream answered badly.</body></html>"


class _Rejected(Exception):
    """A finished error answer, raised to stop checking (never escapes the endpoint)."""

    def __init__(self, response: Response) -> None:
        self.response = response


class Endpoint:
    """The one place that answers a request: auth, validation from the spec, seeded data,
    pagination, faults."""

    def __init__(
        self,
        spec: ApiSpec,
        flows: Mapping[str, int],
        seed: int,
        credentials: _seeds.MockCredentials,
        clock: MockClock,
    ) -> None:
        self.spec = spec
        self.flows = dict(flows)
        self.seed = seed
        self.credentials = credentials
        self.faults = FaultPlan()
        self.clock = clock
        self.family = Family(spec, flows, seed, credentials.account_sid, clock.start)
        self._tokens = PageTokens(_seeds.digest("page-token", seed, credentials.account_sid))
        self._lock = threading.Lock()
        self._requests: list[RecordedRequest] = []

    # -- requests seen -------------------------------------------------------------------------

    def requests(self) -> list[RecordedRequest]:
        """A copy of every request received so far, oldest first."""
        with self._lock:
            return list(self._requests)

    def reset_requests(self) -> None:
        """Forget the requests received so far."""
        with self._lock:
            self._requests.clear()

    # -- answering -------------------------------------------------------------------------------

    def handle(self, request: Request) -> Reply:
        """The reply to ``request``: an injected fault if one is due, else the endpoint's answer."""
        fault = self.faults.next()
        user = _basic_credentials(request.headers.get("authorization", ""))
        routed = self.spec.route(request.path)
        recorded = RecordedRequest(
            method=request.method,
            path=request.path,
            query=_first_values(request.query),
            user=None if user is None else user[0].decode("utf-8", "replace"),
            operation=None if routed is None else routed[0].operation_id,
        )
        with self._lock:
            self._requests.append(recorded)
        if fault is None:
            return Reply(self.answer(request))
        match fault.kind:
            case FaultKind.DROP_CONNECTION:
                return Reply(None, fault)
            case FaultKind.RATE_LIMIT:
                headers = {"Retry-After": fault.retry_after or "1"}
                return Reply(error_response(429, 20429, "Too Many Requests", headers), fault)
            case FaultKind.SERVER_ERROR:
                status = fault.status or 500
                return Reply(
                    error_response(status, 20000 + status, "Service unavailable (injected)"), fault
                )
            case FaultKind.NOT_JSON:
                html = (("Content-Type", "text/html; charset=utf-8"), *request_id_headers())
                return Reply(Response(200, html, NOT_JSON_BODY), fault)
            case FaultKind.NULL_META:
                return Reply(self.answer(request, null_meta=True), fault)
            case _:  # delay, truncated body: the normal answer, sent late or short
                return Reply(self.answer(request), fault)

    def answer(self, request: Request, *, null_meta: bool = False) -> Response:
        """What the endpoint answers, faults aside (``null_meta``: paging's keys only)."""
        try:
            routed = self.spec.route(request.path)
            if routed is None:
                raise _Rejected(not_found_response(request.path))
            operation, params = routed
            if request.method != "GET":
                message = (
                    f"Method {request.method} is not implemented by the mock: it serves GET only"
                )
                raise _Rejected(error_response(405, 20004, message, {"Allow": "GET"}))
            self._authenticate(request)
            values = self._validated(operation, params, request.query)
            # One snapshot of the clock for the whole answer, however the clock moves meanwhile.
            world = self.clock.world()
            found = self.family.resolve(operation, {k: str(values[k]) for k in params}, world)
            headers = [(name, self._cors_value(operation, name)) for name in operation.cors_headers]
            if isinstance(found, Listing):
                body = self._page(request, found, values, null_meta)
            else:
                body = found
            return json_response(200, body, headers)
        except NotFound as missing:
            return not_found_response(missing.path)
        except InvalidPageToken as invalid:
            return error_response(400, 20001, str(invalid))
        except _Rejected as rejected:
            return rejected.response

    def _authenticate(self, request: Request) -> None:
        given = _basic_credentials(request.headers.get("authorization", ""))
        # Compare every pair in full, always: timing says nothing about which part was wrong.
        matches = [
            given is not None
            and hmac.compare_digest(given[0], user) & hmac.compare_digest(given[1], password)
            for user, password in self.credentials.pairs()
        ]
        if not any(matches):
            headers = {"WWW-Authenticate": 'Basic realm="Twilio API"'}
            raise _Rejected(error_response(401, 20003, "Authenticate", headers))

    @staticmethod
    def _validated(
        operation: OperationSpec, params: Mapping[str, str], query: str
    ) -> dict[str, object]:
        values: dict[str, object] = {}
        for rule in operation.path_rules():
            values[rule.name] = _checked(rule, params[rule.name])
        given = _first_values(query)
        for rule in operation.query_rules():
            if rule.name in given:
                values[rule.name] = _checked(rule, given[rule.name])
            elif rule.required:
                raise _Rejected(
                    error_response(400, 20001, f"Missing required parameter {rule.name}")
                )
        return values

    def _page(
        self, request: Request, listing: Listing, values: Mapping[str, object], null_meta: bool
    ) -> dict[str, Any]:
        default = listing.operation.default_page_size or 1
        token = values.get("PageToken")
        asked = PageAsked(
            page_size=_integer(values, "PageSize", default),
            page=_integer(values, "Page", 0),
            token=None if token is None else str(token),
        )
        return page_body(
            self._tokens,
            asked,
            origin=request.origin,
            path=listing.path,
            list_key=str(listing.operation.list_key),
            listing=listing.paged,
            null_meta=null_meta,
        )

    @staticmethod
    def _cors_value(operation: OperationSpec, name: str) -> str:
        if name in CORS_VALUES:
            return CORS_VALUES[name]
        return "true" if operation.cors_headers[name] == "boolean" else "*"


def _checked(rule: ParameterRule, text: str) -> object:
    try:
        value = rule.parse(text)
    except ValueError:
        value = None
    if value is None or not rule.allows(value):
        message = f"Invalid {rule.name}: {text!r} is not {rule.describe()}"
        raise _Rejected(error_response(400, 20001, message))
    return value


def _integer(values: Mapping[str, object], name: str, default: int) -> int:
    value = values.get(name, default)
    return value if isinstance(value, int) else default


def _first_values(query: str) -> dict[str, str]:
    values: dict[str, str] = {}
    for name, value in parse_qsl(query, keep_blank_values=True):
        values.setdefault(name, value)
    return values


def _basic_credentials(header: str) -> tuple[bytes, bytes] | None:
    scheme, _, encoded = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(encoded.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    user, colon, password = decoded.partition(b":")
    return (user, password) if colon else None
