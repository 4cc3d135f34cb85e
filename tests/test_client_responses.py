"""How the client reads every kind of answer: pages, errors, garbage, failures and retries."""

from __future__ import annotations

import json
import logging
import warnings

import httpx
import pytest

from studio_engagements import EngagementStatus, StudioClient
from studio_engagements.errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    StudioError,
    TransportError,
    UnexpectedResponseError,
)

from .helpers import BASE, FLOW, RECORD, SID, TOKEN, answer, page_body, transport_driver

pytestmark = pytest.mark.usefixtures("waits")


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
    ours = [r for r in caplog.records if r.name == "studio_engagements" and r.levelno == 10]
    assert len(ours) == 2  # one DEBUG line per attempt (and one INFO line for the retry)
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
