"""Injected faults, through the sync and async in-process transports and the real server alike."""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from studio_engagements.testing import DroppedConnection, Fault, MockStudio

from .helpers import FLOW, Driver, http_driver

PATH = f"/v1/Flows/{FLOW}/Engagements"
WAYS = ["transport", "async_transport", "server"]
Outcome = httpx.Response | httpx.HTTPError


@contextlib.contextmanager
def reach(way: str, mock: MockStudio, **options: Any) -> Iterator[Driver]:
    """A driver of raw httpx clients of ``mock``, reaching it the ``way`` asked."""
    kind = "async" if way == "async_transport" else "sync"
    if way != "server":
        yield http_driver(kind, mock, **options)
        return
    with mock.serve() as base_url:
        yield http_driver(kind, mock, base_url, **options)


def fetch(way: str, mock: MockStudio, count: int = 1, timeout: float = 5.0) -> list[Outcome]:
    """``count`` GETs of the flow's first page, each one's response (body read) or httpx error."""
    with reach(way, mock, timeout=timeout) as driver:
        return driver.each(lambda http: http.get(PATH), count, errors=(httpx.HTTPError,))


def ok(outcome: Outcome) -> bool:
    return (
        isinstance(outcome, httpx.Response)
        and outcome.status_code == 200
        and "meta" in outcome.json()
    )


@pytest.fixture
def mock() -> MockStudio:
    return MockStudio({FLOW: 80}, seed=0)


@pytest.mark.parametrize("way", WAYS)
def test_faults_after_some_normal_answers(way: str, mock: MockStudio) -> None:
    mock.inject(Fault.server_error(503), times=2, after=2)
    outcomes = fetch(way, mock, 5)
    statuses = [o.status_code if isinstance(o, httpx.Response) else None for o in outcomes]
    assert statuses == [200, 200, 503, 503, 200]


@pytest.mark.parametrize("way", WAYS)
def test_rate_limit_for_the_next_n_requests(way: str, mock: MockStudio) -> None:
    mock.inject(Fault.rate_limit(retry_after=2), times=2)
    first, second, third = fetch(way, mock, 3)
    for limited in (first, second):
        assert isinstance(limited, httpx.Response)
        assert limited.status_code == 429
        assert limited.headers["retry-after"] == "2"
        assert limited.json()["code"] == 20429
        assert limited.json()["more_info"] == "https://www.twilio.com/docs/errors/20429"
    assert ok(third)
    assert len(mock.requests) == 3


@pytest.mark.parametrize(
    ("retry_after", "header"),
    [(1, "1"), (0.25, "0.25"), ("Wed, 21 Oct 2015 07:28:00 GMT", "Wed, 21 Oct 2015 07:28:00 GMT")],
)
def test_retry_after_forms(mock: MockStudio, retry_after: float | str, header: str) -> None:
    mock.inject(Fault.rate_limit(retry_after))
    (limited,) = fetch("transport", mock)
    assert isinstance(limited, httpx.Response)
    assert limited.headers["retry-after"] == header


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize("status", [500, 502, 503, 504])
def test_server_errors(way: str, mock: MockStudio, status: int) -> None:
    mock.inject(Fault.server_error(status))
    failed, recovered = fetch(way, mock, 2)
    assert isinstance(failed, httpx.Response)
    assert failed.status_code == status
    assert failed.json()["status"] == status
    assert failed.json()["code"] == 20000 + status
    assert ok(recovered)


@pytest.mark.parametrize("way", WAYS)
@pytest.mark.parametrize(
    ("fault", "message"),
    [
        (Fault.drop_connection(), "Server disconnected without sending a response"),
        (Fault.truncated_body(), "peer closed connection without sending complete message body"),
    ],
    ids=["dropped", "truncated"],
)
def test_a_broken_answer_fails_as_from_a_real_peer(
    way: str, mock: MockStudio, fault: Fault, message: str
) -> None:
    mock.inject(fault)
    broken, recovered = fetch(way, mock, 2)
    assert isinstance(broken, httpx.RemoteProtocolError)
    assert message in str(broken)
    assert ok(recovered)


@pytest.mark.parametrize("way", ["transport", "server"])
def test_truncated_body_sends_the_headers_and_part_of_the_body(way: str, mock: MockStudio) -> None:
    mock.inject(Fault.truncated_body())

    def read(http: httpx.Client) -> tuple[int, int, bytes]:
        with http.stream("GET", PATH) as response:
            chunks: list[bytes] = []

            def read_all() -> None:
                chunks.extend(response.iter_raw())

            with pytest.raises(httpx.RemoteProtocolError):
                read_all()
            received = b"".join(chunks)
            return response.status_code, int(response.headers["content-length"]), received

    with reach(way, mock) as driver:
        status, announced, received = driver.run(read)
    assert status == 200
    assert 0 < len(received) < announced
    assert received.startswith(b'{"engagements":[')


@pytest.mark.parametrize("way", WAYS)
def test_not_json(way: str, mock: MockStudio) -> None:
    mock.inject(Fault.not_json())
    garbled, recovered = fetch(way, mock, 2)
    assert isinstance(garbled, httpx.Response)
    assert garbled.status_code == 200
    assert garbled.headers["content-type"].startswith("text/html")
    with pytest.raises(ValueError, match="Expecting value"):
        garbled.json()
    assert ok(recovered)


@pytest.mark.parametrize("way", WAYS)
def test_delay_longer_than_the_read_timeout_times_out(way: str, mock: MockStudio) -> None:
    mock.inject(Fault.delay(0.5))
    (late,) = fetch(way, mock, timeout=0.05)
    assert isinstance(late, httpx.ReadTimeout)
    (recovered,) = fetch(way, mock, timeout=0.05)
    assert ok(recovered)


@pytest.mark.parametrize("way", WAYS)
def test_delay_within_the_timeout_then_answers(way: str, mock: MockStudio) -> None:
    mock.inject(Fault.delay(0.02))
    (answered,) = fetch(way, mock, timeout=5)
    assert ok(answered)


@pytest.mark.parametrize("way", WAYS)
def test_no_fault_unless_asked(way: str, mock: MockStudio) -> None:
    outcomes = fetch(way, mock, 60)
    assert all(ok(o) for o in outcomes)


def test_queued_faults_come_in_order_then_stop(mock: MockStudio) -> None:
    mock.inject(Fault.server_error(502))
    mock.inject(Fault.rate_limit(), times=2)
    outcomes = fetch("transport", mock, 5)
    statuses = [o.status_code for o in outcomes if isinstance(o, httpx.Response)]
    assert statuses == [502, 429, 429, 200, 200]


def outcome_kinds(mock: MockStudio, count: int) -> list[str]:
    return [
        type(o).__name__ if not isinstance(o, httpx.Response) else str(o.status_code)
        for o in fetch("transport", mock, count)
    ]


def test_rate_faults_are_deterministic_per_seed() -> None:
    faults = [Fault.server_error(503), Fault.drop_connection()]

    def run(seed: int) -> list[str]:
        mock = MockStudio({FLOW: 5}, seed=0)
        mock.inject_rate(0.2, faults, seed=seed)
        return outcome_kinds(mock, 300)

    first = run(1)
    assert first == run(1)
    assert first != run(2)
    assert set(first) == {"200", "503", "RemoteProtocolError"}
    assert 30 <= len([k for k in first if k != "200"]) <= 90  # a fixed sequence near 20 %


def test_queued_faults_come_before_rate_faults_and_clear_stops_both(mock: MockStudio) -> None:
    mock.inject_rate(1.0, [Fault.server_error(500)], seed=0)
    mock.inject(Fault.rate_limit())
    assert outcome_kinds(mock, 3) == ["429", "500", "500"]
    mock.inject(Fault.rate_limit())
    mock.clear_faults()
    assert outcome_kinds(mock, 3) == ["200", "200", "200"]


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda: Fault.server_error(404), "status must be one of"),
        (lambda: Fault.rate_limit(-1), "retry_after must be >= 0"),
        (lambda: Fault.delay(-1), "seconds must be >= 0"),
    ],
)
def test_impossible_faults_are_refused(build: Callable[[], Fault], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        build()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda m: m.inject(Fault.drop_connection(), times=0), "times must be >= 1"),
        (lambda m: m.inject_rate(1.5, [Fault.drop_connection()]), "rate must be from 0 to 1"),
        (lambda m: m.inject_rate(0.5, []), "faults must not be empty"),
    ],
)
def test_impossible_plans_are_refused(
    mock: MockStudio, call: Callable[[MockStudio], Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message):
        call(mock)


def wsgi_get(mock: MockStudio) -> tuple[str, dict[str, str], bytes]:
    import base64

    credentials = base64.b64encode(f"{mock.account_sid}:{mock.auth_token}".encode()).decode()
    environ = {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": PATH,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "HTTP_HOST": "127.0.0.1",
        "HTTP_AUTHORIZATION": f"Basic {credentials}",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(),
    }
    started: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]]) -> None:
        started.update(status=status, headers=dict(headers))

    body = b"".join(mock.app(environ, start_response))
    return started["status"], started["headers"], body


def test_wsgi_app_answers_and_renders_faults(mock: MockStudio) -> None:
    status, headers, body = wsgi_get(mock)
    assert status == "200 OK"
    assert int(headers["Content-Length"]) == len(body)
    mock.inject(Fault.truncated_body())
    status, headers, body = wsgi_get(mock)
    assert int(headers["Content-Length"]) > len(body) > 0
    mock.inject(Fault.rate_limit(3))
    status, headers, _ = wsgi_get(mock)
    assert status == "429 Too Many Requests"
    assert headers["Retry-After"] == "3"
    mock.inject(Fault.drop_connection())
    with pytest.raises(DroppedConnection):
        wsgi_get(mock)
