"""How the client reads every kind of answer: pages, errors, garbage, loops, other origins."""

from __future__ import annotations

import json
import logging
import warnings
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from studio_engagements import EngagementStatus, StudioClient
from studio_engagements.errors import (
    ApiError,
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StudioError,
    TransportError,
    UnexpectedResponseError,
    UntrustedURLError,
)

from .clients import BASE, FLOW, RECORD, SID, TOKEN, page_body, transport_driver

Handler = Callable[[httpx.Request], httpx.Response]

pytestmark = pytest.mark.usefixtures("waits")


@pytest.fixture(params=["sync", "async"])
def kind(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def answer(
    status: int, body: bytes | str | dict[str, Any], headers: dict[str, str] | None = None
) -> Handler:
    calls: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        content = json.dumps(body).encode() if isinstance(body, dict) else body
        return httpx.Response(
            status, content=content, headers={"Content-Type": "application/json", **(headers or {})}
        )

    handler.calls = calls  # type: ignore[attr-defined]
    return handler


def test_a_page_parses_to_typed_values(kind: str) -> None:
    handler = answer(
        200, page_body(f"{BASE}/x", [RECORD, {**RECORD, "status": "paused", "new": [1]}])
    )
    first, second = transport_driver(kind, handler).list(FLOW)
    assert first.status is EngagementStatus.ENDED
    assert first.date_created is not None
    assert first.date_created.utcoffset() is not None
    assert first.date_updated is not None
    assert first.date_updated.utcoffset() is not None
    assert first.context == RECORD["context"]
    assert second.status == "paused"
    assert second.extra == {"new": [1]}


def test_dates_without_offset_are_utc_and_nulls_or_absence_are_none(kind: str) -> None:
    record = {"sid": None, "date_created": "2024-01-02T03:04:05"}
    (engagement,) = transport_driver(kind, answer(200, page_body(f"{BASE}/x", [record]))).list(FLOW)
    assert engagement.date_created is not None
    assert engagement.date_created.utcoffset() is not None
    assert engagement.sid is None
    assert engagement.url is None
    assert engagement.context is None


@pytest.mark.parametrize(
    ("status", "error", "code"),
    [
        (400, ApiError, 20001),
        (401, AuthenticationError, 20003),
        (403, AuthenticationError, 20003),
        (404, NotFoundError, 20404),
        (405, ApiError, 20004),
        (429, RateLimitError, 20429),
        (500, ServerError, 20500),
        (502, ServerError, None),
        (503, ServerError, None),
        (504, ServerError, None),
    ],
)
def test_error_statuses_map_to_typed_errors(
    kind: str, status: int, error: type[ApiError], code: int | None
) -> None:
    body = {
        "code": code,
        "message": f"m{status}",
        "more_info": f"https://www.twilio.com/docs/errors/{code}",
        "status": status,
    }
    handler = answer(status, body, {"Twilio-Request-Id": "RQ" + "f" * 32})
    with pytest.raises(error) as info:
        transport_driver(kind, handler, max_retries=0).list(FLOW)
    exc = info.value
    assert type(exc) is error
    assert (exc.status, exc.code, exc.message) == (status, code, f"m{status}")
    assert exc.more_info == body["more_info"]
    assert exc.request_id == "RQ" + "f" * 32
    assert exc.url.startswith(f"{BASE}/v1/Flows/{FLOW}/Engagements")
    assert len(handler.calls) == 1  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    "body",
    [b"<html>Bad Gateway</html>", b"", b"[1,2]", b'{"code": "x", "message": 5}', b"\xff\xfe"],
)
@pytest.mark.parametrize(
    ("status", "error"),
    [(404, NotFoundError), (502, ServerError), (401, AuthenticationError), (418, ApiError)],
)
def test_error_bodies_that_are_not_twilio_json_keep_the_right_class(
    kind: str, body: bytes, status: int, error: type[ApiError]
) -> None:
    with pytest.raises(error) as info:
        transport_driver(kind, answer(status, body), max_retries=0).list(FLOW)
    assert info.value.status == status
    assert info.value.code is None
    assert str(status) in info.value.message


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"",
        b"<html><body>proxy error</body></html>",
        b"null",
        b"[]",
        b'{"meta": {}}',
        b'{"engagements": {}, "meta": {}}',
        json.dumps({"engagements": []}).encode(),
        json.dumps(page_body(f"{BASE}/x", ["not an object"])).encode(),
        json.dumps(page_body(f"{BASE}/x", [{**RECORD, "date_created": "yesterday"}])).encode(),
        json.dumps(page_body(f"{BASE}/x", [{**RECORD, "status": 3}])).encode(),
        json.dumps(page_body(f"{BASE}/x", [{**RECORD, "sid": ["FN"]}])).encode(),
        json.dumps(page_body(f"{BASE}/x", [{**RECORD, "links": "x"}])).encode(),
        json.dumps(
            {**page_body(f"{BASE}/x", []), "meta": {**page_body("u", [])["meta"], "page": "0"}}
        ).encode(),
        json.dumps({**page_body(f"{BASE}/x", []), "meta": {"url": "u"}}).encode(),
        b"[" * 100_000 + b"]" * 100_000,
    ],
)
def test_a_200_that_is_not_a_page_is_an_unexpected_response(kind: str, body: bytes) -> None:
    with pytest.raises(UnexpectedResponseError) as info:
        transport_driver(kind, answer(200, body)).list(FLOW)
    assert info.value.status == 200
    assert len(info.value.excerpt) <= 201
    text = body.decode("utf-8", "replace")
    expected = text if len(text) <= 200 else text[:200] + "…"
    assert info.value.excerpt == expected


def test_a_redirect_is_not_followed(kind: str) -> None:
    handler = answer(302, b"", {"Location": "https://elsewhere.example.com/steal"})
    with pytest.raises(UnexpectedResponseError, match="302"):
        transport_driver(kind, handler).list(FLOW)
    assert len(handler.calls) == 1  # type: ignore[attr-defined]


def test_retries_then_success(kind: str, waits: list[float]) -> None:
    answers = iter(
        [
            (503, b"{}", {}),
            (429, b"{}", {"Retry-After": "3"}),
            (200, json.dumps(page_body(f"{BASE}/x", [RECORD])).encode(), {}),
        ]
    )

    def handler(request: httpx.Request) -> httpx.Response:
        status, body, headers = next(answers)
        return httpx.Response(status, content=body, headers=headers)

    assert len(transport_driver(kind, handler).list(FLOW)) == 1
    assert len(waits) == 2
    assert waits[1] == 3.0


def test_retries_exhausted_raise_the_last_error(kind: str, waits: list[float]) -> None:
    handler = answer(503, {"code": 20503, "message": "down", "status": 503})
    with pytest.raises(ServerError):
        transport_driver(kind, handler, max_retries=3).list(FLOW)
    assert len(handler.calls) == 4  # type: ignore[attr-defined]
    assert len(waits) == 3


def test_network_failures_become_transport_errors(kind: str, waits: list[float]) -> None:
    calls: list[int] = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError(f"connection refused to {request.url}")

    with pytest.raises(TransportError) as info:
        transport_driver(kind, handler).list(FLOW)
    assert isinstance(info.value.__cause__, httpx.ConnectError)
    assert info.value.attempts == 3
    assert len(calls) == 3
    assert TOKEN not in str(info.value)


def test_next_page_on_another_origin_is_refused_before_sending(kind: str) -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(str(request.url))
        return httpx.Response(
            200,
            json=page_body(
                str(request.url), [RECORD], "https://attacker.example.com/v1/Flows/x/Engagements"
            ),
        )

    with pytest.raises(UntrustedURLError) as info:
        transport_driver(kind, handler).list(FLOW)
    assert "attacker.example.com" in str(info.value)
    assert len(seen) == 1


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1:4010/v1/Flows/x/Engagements",  # other scheme
        "http://127.0.0.1:4011/v1/Flows/x/Engagements",  # other port
        "http://localhost:4010/v1/Flows/x/Engagements",  # other host name
        "http://user:pw@127.0.0.1:4010/v1/Flows/x/Engagements",  # credentials in the URL
        "/v1/Flows/x/Engagements",  # relative
        "javascript:alert(1)",
    ],
)
def test_get_page_refuses_other_origins(kind: str, url: str) -> None:
    handler = answer(200, page_body(url, []))
    with pytest.raises(UntrustedURLError):
        transport_driver(kind, handler).get_page(url)
    assert handler.calls == []  # type: ignore[attr-defined]


def test_a_next_page_loop_is_detected(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, json=page_body(str(request.url), [RECORD], str(request.url)))

    with pytest.raises(UnexpectedResponseError, match="already read"):
        transport_driver(kind, handler).list(FLOW)


@pytest.mark.parametrize(
    ("call", "parameter"),
    [
        (lambda d: d.list("FWshort"), "flow_sid"),
        (lambda d: d.list("FW" + "g" * 32), "flow_sid"),
        (lambda d: d.list(None), "flow_sid"),
        (lambda d: d.list("FW" + "a" * 32 + "\n"), "flow_sid"),
        (lambda d: d.list(FLOW, page_size=0), "page_size"),
        (lambda d: d.list(FLOW, page_size=1001), "page_size"),
        (lambda d: d.list(FLOW, page_size="50"), "page_size"),
        (lambda d: d.list(FLOW, page_size=True), "page_size"),
        (lambda d: d.list(FLOW, limit=0), "limit"),
        (lambda d: d.list(FLOW, limit=-3), "limit"),
        (lambda d: d.list(FLOW, limit=2.5), "limit"),
        (lambda d: d.page(FLOW, page=-1), "page"),
        (lambda d: d.page(FLOW, page_token=5), "page_token"),
        (lambda d: d.pages(FLOW, page_size=10_000), "page_size"),
        (lambda d: d.get_page(42), "url"),
    ],
)
def test_invalid_input_is_refused_before_any_request(
    kind: str, call: Callable[[Any], Any], parameter: str
) -> None:
    handler = answer(200, page_body(f"{BASE}/x", []))
    with pytest.raises(InvalidParameterError) as info:
        call(transport_driver(kind, handler))
    assert info.value.parameter == parameter
    assert parameter in str(info.value)
    assert handler.calls == []  # type: ignore[attr-defined]


def test_invalid_parameter_message_names_value_and_rule() -> None:
    with (
        StudioClient(SID, TOKEN, base_url=BASE) as client,
        pytest.raises(InvalidParameterError) as info,
    ):
        client.engagements.list(FLOW, page_size=5000)
    assert str(info.value) == (
        "page_size=5000 is invalid: it must be an integer from 1 to 1000"
        " (PageSize in the OpenAPI document)"
    )


def test_stream_validates_when_called_not_when_iterated() -> None:
    with StudioClient(SID, TOKEN, base_url=BASE) as client, pytest.raises(InvalidParameterError):
        client.engagements.stream("nope")


def test_requests_carry_auth_user_agent_and_encoded_path(kind: str) -> None:
    handler = answer(200, page_body(f"{BASE}/x", []))
    transport_driver(kind, handler).page(FLOW, page_size=7, page=2, page_token="PT abc/+")
    (request,) = handler.calls  # type: ignore[attr-defined]
    assert request.headers["Authorization"] == httpx.BasicAuth(SID, TOKEN)._auth_header
    assert request.headers["User-Agent"].startswith("twilio-studio-engagements/")
    assert "Python 3." in request.headers["User-Agent"]
    assert f"httpx {httpx.__version__}" in request.headers["User-Agent"]
    assert request.url.path == f"/v1/Flows/{FLOW}/Engagements"
    assert dict(request.url.params) == {"PageSize": "7", "Page": "2", "PageToken": "PT abc/+"}
    assert request.extensions["timeout"]["read"] is not None


def test_deprecation_warning_once_per_client() -> None:
    handler = answer(200, page_body(f"{BASE}/x", []))
    client = StudioClient(
        SID, TOKEN, base_url=BASE, http_client=httpx.Client(transport=httpx.MockTransport(handler))
    )
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        client.engagements.list(FLOW)
        client.engagements.list(FLOW)
    deprecations = [w for w in caught if issubclass(w.category, DeprecationWarning)]
    assert len(deprecations) == 1
    assert "Executions" in str(deprecations[0].message)


def test_secret_never_in_logs_or_errors(kind: str, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    failures = iter([httpx.ReadTimeout("timed out"), None])

    def handler(request: httpx.Request) -> httpx.Response:
        failure = next(failures, None)
        if failure is not None:
            raise failure
        return httpx.Response(401, json={"code": 20003, "message": "Authenticate", "status": 401})

    with pytest.raises(AuthenticationError) as info:
        transport_driver(kind, handler).list(FLOW)
    ours = [r for r in caplog.records if r.name == "studio_engagements"]
    assert len(ours) == 2
    assert "attempt 2" in ours[1].getMessage()
    encoded = httpx.BasicAuth(SID, TOKEN)._auth_header.split()[1]
    for text in [caplog.text, str(info.value), repr(info.value)]:
        assert TOKEN not in text
        assert encoded not in text


def test_only_studio_errors_escape_from_hostile_transports(kind: str) -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        raise httpx.UnsupportedProtocol("nope")

    with pytest.raises(StudioError):
        transport_driver(kind, handler).list(FLOW)
