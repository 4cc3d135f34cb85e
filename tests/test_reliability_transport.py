"""The client's own transport: no thread per request under load, proxies from the environment.

The load runs 32 threads on one StudioClient against the mock served by another process, so
that every thread alive in this process is the client's or the test's: their count must stay
within the workers plus a handful (a thread or timer per request in flight would double it).
"""

from __future__ import annotations

import base64
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from studio_engagements import AsyncStudioClient, StudioClient, TransportError

from .helpers import FLOW, SID, TOKEN, Driver, serving
from .hostile import Behaviour, Hostile, good_page, respond
from .reliability import figure

WORKERS = 32
HANDFUL = 4
ENGAGEMENTS = 400
PAGE_SIZE = 50


@pytest.fixture(scope="module")
def served_mock() -> Iterator[tuple[str, dict[str, str]]]:
    """The mock in a process of its own: its URL and the variables it prints."""
    command = [sys.executable, "-m", "studio_engagements.testing", "--port", "0", "--seed", "5"]
    with serving([*command, "--flow", f"{FLOW}={ENGAGEMENTS}"], signal.SIGINT) as served:
        _, exports, url = served
        yield url, exports


def check_threads(url: str, exports: dict[str, str]) -> None:
    """32 threads export one flow each through one StudioClient: exact, no thread per request."""
    peaks: list[int] = []
    lock = threading.Lock()
    start = threading.Barrier(WORKERS)
    with StudioClient(
        exports["TWILIO_ACCOUNT_SID"], exports["TWILIO_AUTH_TOKEN"], base_url=url, max_retries=0
    ) as client:
        expected = [e.sid for e in client.engagements.list(FLOW, page_size=PAGE_SIZE)]
        baseline = threading.active_count()

        def export(_: int) -> list[str | None]:
            start.wait(timeout=60)
            sids: list[str | None] = []
            for page in client.engagements.pages(FLOW, page_size=PAGE_SIZE):
                sids.extend(e.sid for e in page.engagements)
                with lock:
                    peaks.append(threading.active_count())
            return sids

        with ThreadPoolExecutor(WORKERS) as pool:
            results = list(pool.map(export, range(WORKERS)))
    assert len(expected) == ENGAGEMENTS
    assert all(sids == expected for sids in results), "an export is not exact"
    assert len(peaks) == WORKERS * (ENGAGEMENTS // PAGE_SIZE)
    line = (
        f"transport: {WORKERS} threads on one StudioClient, {len(peaks)} requests; live threads "
        f"at most {max(peaks)} (baseline {baseline} + {WORKERS} workers)"
    )
    assert max(peaks) <= baseline + WORKERS + HANDFUL, line
    figure(line)


def test_32_threads_on_one_client_add_no_thread_per_request(
    served_mock: tuple[str, dict[str, str]],
) -> None:
    check_threads(*served_mock)


def test_a_timer_per_request_turns_the_thread_check_red(
    served_mock: tuple[str, dict[str, str]], monkeypatch: pytest.MonkeyPatch
) -> None:
    original = StudioClient._send

    def with_a_timer(self: StudioClient, request: Any) -> Any:
        timer = threading.Timer(60, lambda: None)  # what a watchdog per request costs
        timer.start()
        try:
            return original(self, request)
        finally:
            timer.cancel()

    monkeypatch.setattr(StudioClient, "_send", with_a_timer)
    with pytest.raises(AssertionError, match="live threads at most"):
        check_threads(*served_mock)


# -- proxies from the environment ---------------------------------------------------------------


def forwarding_proxy(server: Hostile) -> Behaviour:
    """A plain-HTTP forward proxy that answers every request itself with one good page."""

    def behaviour(conn: socket.socket, target: str) -> None:
        respond(conn, good_page(server, 0, last=True))

    return behaviour


def unreachable_origin() -> str:
    """An http origin on loopback where nothing listens."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


def driver_for(kind: str, base_url: str) -> Driver:
    cls = StudioClient if kind == "sync" else AsyncStudioClient
    return Driver(kind, lambda: cls(SID, TOKEN, base_url=base_url, max_retries=0, timeout=5))


Start = Callable[[Callable[[Hostile], Behaviour]], Hostile]


def test_the_environment_proxy_is_used_with_its_credentials(
    kind: str, hostile: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = hostile(forwarding_proxy)
    origin = unreachable_origin()
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.base_url.replace("://", "://carol:s3cret@"))
    page = driver_for(kind, origin).page(FLOW)
    assert len(page.engagements) == 2
    # A forward proxy gets the absolute URL, and the proxy's credentials, not the API's.
    assert proxy.requests == [f"{origin}/v1/Flows/{FLOW}/Engagements"]
    sent = proxy.requests_headers[0]
    assert sent["proxy-authorization"] == "Basic " + base64.b64encode(b"carol:s3cret").decode()


@pytest.mark.parametrize("no_proxy", ["example.com, 127.0.0.1", "*", "localhost,127.0.0.0/8"])
def test_no_proxy_sends_directly(
    kind: str, no_proxy: str, hostile: Start, monkeypatch: pytest.MonkeyPatch
) -> None:
    proxy = hostile(forwarding_proxy)
    for name in ("ALL_PROXY", "all_proxy", "http_proxy", "no_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", proxy.base_url)
    monkeypatch.setenv("NO_PROXY", no_proxy)
    with pytest.raises(TransportError, match="ConnectError"):
        driver_for(kind, unreachable_origin()).page(FLOW)
    assert proxy.requests == []
