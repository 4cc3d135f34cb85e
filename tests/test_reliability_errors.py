"""Error text a server writes is bounded and clean; Retry-After never removes the backoff.

Real loopback servers (sync and async): a 20 MB error ``message``, control characters in every
field a server controls, and ``Retry-After`` values that are negative, past or unparseable.
"""

from __future__ import annotations

import json
import random
import socket
from collections.abc import Callable

import pytest

import studio_engagements
from studio_engagements import errors
from studio_engagements._text import SERVER_TEXT_LIMIT

from .helpers import FLOW, SID, TOKEN
from .hostile import Behaviour, Hostile, driver, good_page, respond

Start = Callable[[Callable[[Hostile], Behaviour]], Hostile]
# Clear the screen, retitle the terminal, ring, forge a log line, a C1 CSI, a right-to-left flip.
CONTROL = "\x1b[2J\x1b]0;pwned\x07\r\nFORGED\x00\x9b\u202e"


def answering(status: str, body: bytes, *headers: str) -> Callable[[Hostile], Behaviour]:
    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            respond(conn, body, "Content-Type: application/json", *headers, status=status)

        return behaviour

    return make


def assert_clean(text: str) -> None:
    assert not any(ch in text for ch in CONTROL if not ch.isprintable()), repr(text[:200])


def test_a_20_mb_error_message_is_capped_and_clean(kind: str, hostile: Start) -> None:
    message = "boom" + CONTROL + "x" * (20 * 1024 * 1024)
    body = json.dumps(
        {"code": 20404, "message": message, "more_info": "https://x/" + CONTROL * 2000}
    ).encode()
    server = hostile(answering("404 Not Found", body, f"Twilio-Request-Id: RQ{'7' * 5000}"))
    with pytest.raises(errors.NotFoundError) as caught:
        driver(kind, server, max_response_bytes=32 * 1024 * 1024).page(FLOW)
    error = caught.value
    text = str(error)
    assert len(text) < 3 * SERVER_TEXT_LIMIT + 500
    assert len(error.message) <= SERVER_TEXT_LIMIT
    assert error.message.startswith("boom")
    assert error.message.endswith("…")
    assert error.code == 20404
    assert error.request_id is not None
    assert len(error.request_id) <= 200
    for shown in (text, error.message, error.more_info or "", error.request_id or "", repr(error)):
        assert_clean(shown)


def test_control_characters_in_an_unexpected_body_never_reach_the_terminal(
    kind: str, hostile: Start
) -> None:
    server = hostile(answering("200 OK", f"<html>{CONTROL}</html>".encode()))
    with pytest.raises(errors.UnexpectedResponseError) as caught:
        driver(kind, server).page(FLOW)
    assert "<html>" in caught.value.excerpt
    assert_clean(str(caught.value))


def test_a_refused_base_url_shows_no_query_fragment_or_password() -> None:
    for url in (
        "ftp://studio.example.com/x?token=s3cret",
        "https://user:s3cret@studio.example.com/",
        "http://studio.example.com/#s3cret",
        "https://studio.example.com:99999/?s3cret",
    ):
        with pytest.raises(errors.ConfigurationError) as caught:
            studio_engagements.StudioClient(SID, TOKEN, base_url=url)
        assert "s3cret" not in str(caught.value), str(caught.value)
        assert "studio.example.com" in str(caught.value)


# -- Retry-After ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "retry_after", ["-5", "-0.001", "Mon, 01 Jan 2001 00:00:00 GMT", "soon", "nan"]
)
def test_a_negative_past_or_unparseable_retry_after_keeps_the_backoff(
    kind: str,
    retry_after: str,
    hostile: Start,
    waits: list[float],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(random, "random", lambda: 1.0)  # the jitter at its top: the full backoff

    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            if len(server.requests) <= 2:
                body = b'{"code": 20429, "message": "Too Many Requests"}'
                respond(conn, body, f"Retry-After: {retry_after}", status="429 Too Many Requests")
            else:
                respond(conn, good_page(server, 0, last=True))

        return behaviour

    server = hostile(make)
    page = driver(kind, server, max_retries=2).page(FLOW)
    assert len(page.engagements) == 2
    assert waits == [0.5, 1.0]  # the client's own backoff: 0.5 s, doubling
    assert len(server.requests) == 3


def test_a_huge_retry_after_is_capped(kind: str, hostile: Start, waits: list[float]) -> None:
    def make(server: Hostile) -> Behaviour:
        def behaviour(conn: socket.socket, target: str) -> None:
            if len(server.requests) == 1:
                respond(conn, b"{}", "Retry-After: 99999999", status="503 Service Unavailable")
            else:
                respond(conn, good_page(server, 0, last=True))

        return behaviour

    driver(kind, hostile(make), max_retries=1).page(FLOW)
    assert waits == [60.0]


def test_the_new_errors_are_exported_from_both_places() -> None:
    for name in ("ResponseTooLargeError", "RequestTimeoutError", "UnsupportedEncodingError"):
        assert getattr(studio_engagements, name) is getattr(errors, name)
        assert name in errors.__all__
        assert name in studio_engagements.__all__
    assert issubclass(errors.RequestTimeoutError, errors.TransportError)
    assert issubclass(errors.RequestTimeoutError, TimeoutError)
    assert issubclass(errors.UnsupportedEncodingError, errors.UnexpectedResponseError)
