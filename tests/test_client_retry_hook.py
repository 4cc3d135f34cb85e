"""``on_retry``: one typed event per retry, before the wait, on both twins; what it raises."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest

import studio_engagements
from studio_engagements import RetryEvent
from studio_engagements._body import Answer
from studio_engagements._retry import Attempts, Done

from .helpers import FLOW, RECORD, TOKEN, page_body, stub_client, transport_driver

PATH = f"/v1/Flows/{FLOW}/Engagements"


def failing_then_page(
    *failures: int | Exception, headers: dict[str, str] | None = None
) -> Callable[[httpx.Request], httpx.Response]:
    """A handler that answers each of ``failures`` in turn (a status, or raises), then a page."""
    pending = list(failures)

    def handler(request: httpx.Request) -> httpx.Response:
        if pending:
            failure = pending.pop(0)
            if isinstance(failure, Exception):
                raise failure
            return httpx.Response(failure, headers=headers or {}, json={"message": "busy"})
        body = page_body(str(request.url), [RECORD])
        return httpx.Response(200, content=json.dumps(body).encode())

    return handler


@pytest.mark.usefixtures("waits")
@pytest.mark.parametrize(
    ("failures", "reasons", "statuses"),
    [
        ((429, 503), ["429", "503"], [429, 503]),
        ((500,), ["500"], [500]),
        ((httpx.ConnectError("refused"),), ["ConnectError"], [None]),
        ((httpx.ReadTimeout("slow"), 502), ["ReadTimeout", "502"], [None, 502]),
    ],
)
def test_the_hook_gets_every_retry_with_its_fields(
    kind: str, failures: tuple[int | Exception, ...], reasons: list[str], statuses: list[int | None]
) -> None:
    events: list[RetryEvent] = []
    driver = transport_driver(
        kind, failing_then_page(*failures), max_retries=3, on_retry=events.append
    )
    assert len(driver.list()) == 1
    assert [e.attempt for e in events] == list(range(1, len(failures) + 1))
    assert [e.reason for e in events] == reasons
    assert [e.status for e in events] == statuses
    assert all(isinstance(e.request, httpx.Request) for e in events)
    assert all(e.request.url.path == PATH for e in events)
    assert all(TOKEN not in str(e.request.url) for e in events)
    assert all(e.wait >= 0 for e in events)


def test_the_hook_runs_before_the_wait_with_the_wait_it_announces(
    kind: str, waits: list[float]
) -> None:
    seen: list[tuple[float, int]] = []
    handler = failing_then_page(429, 429, headers={"Retry-After": "7"})
    driver = transport_driver(
        kind, handler, max_retries=2, on_retry=lambda e: seen.append((e.wait, len(waits)))
    )
    driver.list()
    # Each event comes before its wait is slept: the waits recorded so far are the earlier ones.
    assert seen == [(7.0, 0), (7.0, 1)]
    assert waits == [7.0, 7.0]


def test_the_hook_never_fires_without_retries(kind: str) -> None:
    events: list[RetryEvent] = []
    driver = transport_driver(kind, failing_then_page(503), max_retries=0, on_retry=events.append)
    with pytest.raises(studio_engagements.ServerError):
        driver.list()
    assert events == []


def test_the_hook_never_fires_for_a_final_answer(kind: str) -> None:
    events: list[RetryEvent] = []
    driver = transport_driver(kind, failing_then_page(404), max_retries=3, on_retry=events.append)
    with pytest.raises(studio_engagements.NotFoundError):
        driver.list()
    assert events == []


class Stop(Exception):
    """What the test's hook raises."""


def test_what_the_hook_raises_reaches_the_caller_and_nothing_more_is_sent(
    kind: str, waits: list[float]
) -> None:
    handler = failing_then_page(503, 503)
    calls: list[httpx.Request] = []

    def counted(request: httpx.Request) -> httpx.Response:
        calls.append(request)
        return handler(request)

    def stop(event: RetryEvent) -> None:
        raise Stop(event.reason)

    driver = transport_driver(kind, counted, max_retries=2, on_retry=stop)
    with pytest.raises(Stop, match="503"):
        driver.list()
    assert len(calls) == 1
    assert waits == []


def test_with_options_keeps_the_hook(waits: list[float]) -> None:
    events: list[RetryEvent] = []
    client = stub_client("sync", failing_then_page(429), max_retries=0, on_retry=events.append)
    with client, client.with_options(max_retries=1) as patient:
        assert len(patient.engagements.list(FLOW)) == 1
    assert [e.reason for e in events] == ["429"]


def test_the_event_is_a_frozen_value_exported_at_the_top() -> None:
    assert "RetryEvent" in studio_engagements.__all__
    event = RetryEvent(1, 0.5, "429", 429, httpx.Request("GET", "http://127.0.0.1/v1/Flows"))
    with pytest.raises(AttributeError):
        event.wait = 2.0  # type: ignore[misc]
    assert (event.attempt, event.wait, event.reason, event.status) == (1, 0.5, "429", 429)


def test_a_hook_that_is_not_callable_is_refused() -> None:
    with pytest.raises(TypeError, match="on_retry"):
        stub_client("sync", failing_then_page(), on_retry="print")


def test_each_outcome_is_a_typed_value() -> None:
    request = httpx.Request("GET", f"http://127.0.0.1{PATH}")
    attempts = Attempts(request, max_retries=1)
    retry = attempts.outcome(Answer(503, httpx.Headers(), b""), None)
    assert isinstance(retry, RetryEvent)
    assert (retry.attempt, retry.reason, retry.status) == (1, "503", 503)
    body = json.dumps(page_body(str(request.url), [RECORD])).encode()
    done = attempts.outcome(Answer(200, httpx.Headers(), body), None)
    assert isinstance(done, Done)
    assert [e.sid for e in done.value.engagements] == [RECORD["sid"]]
