"""What the client sends, and what it refuses to send: checked arguments, other origins, loops."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from studio_engagements import StudioClient
from studio_engagements.errors import (
    InvalidParameterError,
    UnexpectedResponseError,
    UntrustedURLError,
)

from .helpers import BASE, FLOW, RECORD, SID, TOKEN, answer, page_body, transport_driver


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
