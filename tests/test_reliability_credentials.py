"""Credentials: sent only to the configured origin, shown nowhere.

A second loopback server (``CountingServer``) stands for every other origin and must get zero
requests: from a ``next_page_url``, a ``get_page`` URL, a CLI ``--resume-from``, or a redirect
(even with an ``httpx.Client(follow_redirects=True)`` passed in). Plain http is refused for any
non-loopback host at construction. The secret, raw, URL-encoded or inside the Basic header, is
never in ``repr``/``str`` of anything reachable from a client, in exception text or chains, in
DEBUG logs (ours, httpx's, httpcore's) or in CLI output, including when httpx raises.

The last tests remove the origin check, follow redirects and restore a leaking repr, and see
the checks fail.
"""

from __future__ import annotations

import gc
import logging
import traceback
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio_engagements import StudioClient, _config, _paging
from studio_engagements.errors import (
    ConfigurationError,
    StudioError,
    UnexpectedResponseError,
    UntrustedURLError,
)
from studio_engagements.testing import Fault, MockStudio

from .helpers import page_body, run_cli
from .reliability import CountingServer, assert_no_secret, instant_sleeps, json_answer, secret_forms

FLOW = "FW" + "d" * 32
RED = (AssertionError, pytest.fail.Exception)  # a failed check: assert, or pytest.raises


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: 30}, seed=5)


@pytest.fixture
def elsewhere() -> Iterator[CountingServer]:
    """Another origin on loopback, answering a valid page to anyone (so a leak would 'work')."""
    with CountingServer(lambda path: json_answer(page_body("x", []))) as other:
        yield other


@pytest.fixture
def forms(mock: MockStudio) -> list[str]:
    return secret_forms(mock.account_sid, mock.auth_token)


def hostile(next_url: str) -> CountingServer:
    """The configured origin turned hostile: every page's next_page_url is ``next_url``."""
    return CountingServer(
        lambda path: json_answer(page_body("http://x/", [{"sid": "FN" + "0" * 32}], next_url))
    )


def check_next_page_never_reaches(other: CountingServer, next_url: str) -> None:
    """A next_page_url on another origin: UntrustedURLError, and ``other`` gets nothing."""
    with (
        hostile(next_url) as origin,
        StudioClient("AC" + "1" * 32, "s3cr3t", base_url=origin.url) as c,
    ):
        with pytest.raises(UntrustedURLError):
            c.engagements.list(FLOW)
        with pytest.raises(UntrustedURLError):
            c.engagements.get_page(next_url)
    assert len(origin.requests) == 1
    assert other.requests == [], "credentials went to another origin"


@pytest.mark.parametrize(
    "variant",
    ["same", "localhost", "https", "userinfo", "scheme-relative", "backslash", "other-path"],
)
def test_next_page_urls_on_other_origins_get_zero_requests(
    elsewhere: CountingServer, variant: str
) -> None:
    port = elsewhere.url.rsplit(":", 1)[1]
    next_url = {
        "same": f"{elsewhere.url}/v1/Flows/{FLOW}/Engagements?Page=1",
        "localhost": f"http://localhost:{port}/v1/Flows/{FLOW}/Engagements",
        "https": f"https://127.0.0.1:{port}/v1/Flows/{FLOW}/Engagements",
        "userinfo": f"http://u:p@127.0.0.1:{port}/v1/Flows/{FLOW}/Engagements",
        "scheme-relative": f"//127.0.0.1:{port}/v1/Flows/{FLOW}/Engagements",
        "backslash": f"http://127.0.0.1:{port}\\@127.0.0.1/v1/Flows",
        "other-path": f"{elsewhere.url}/../v1/Flows/{FLOW}/Engagements",
    }[variant]
    check_next_page_never_reaches(elsewhere, next_url)


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
@pytest.mark.parametrize("follow", [False, True], ids=["default", "user-client-follows"])
def test_redirects_are_not_followed(elsewhere: CountingServer, status: int, follow: bool) -> None:
    target = f"{elsewhere.url}/v1/Flows/{FLOW}/Engagements"
    with (
        CountingServer(lambda path: (status, {"Location": target}, b"")) as origin,
        StudioClient(
            "AC" + "1" * 32,
            "s3cr3t",
            base_url=origin.url,
            http_client=httpx.Client(follow_redirects=follow),
        ) as client,
        pytest.raises(UnexpectedResponseError, match=str(status)),
    ):
        client.engagements.list(FLOW)
    assert elsewhere.requests == []


def test_a_redirect_to_an_unparseable_location_is_a_typed_error() -> None:
    """httpx raises InvalidURL (not an HTTPError) from send() for such a Location; fixed in 7."""
    with (
        CountingServer(lambda path: (302, {"Location": "javascript:1"}, b"")) as origin,
        StudioClient("AC" + "1" * 32, "s3cr3t", base_url=origin.url) as client,
        pytest.raises(StudioError),
    ):
        client.engagements.list(FLOW)


@given(
    host=st.from_regex(r"[a-z0-9.-]{1,30}", fullmatch=True).filter(
        lambda h: h.strip(".") and not _config.is_loopback(h)
    ),
    port=st.none() | st.integers(1, 65535),
)
def test_plain_http_to_any_non_loopback_host_is_refused(host: str, port: int | None) -> None:
    url = f"http://{host}" + ("" if port is None else f":{port}")
    try:
        parsed = httpx.URL(url)
    except httpx.InvalidURL:
        return
    with pytest.raises(ConfigurationError):
        StudioClient("AC" + "1" * 32, "s3cr3t", base_url=url)
    assert not _config.is_loopback(parsed.host)


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1.evil.example.com",
        "http://localhost.evil.example.com",
        "http://evil.example.com#@127.0.0.1",
        "http://127.0.0.1@evil.example.com",
        "http://[::ffff:8.8.8.8]",
        "http://0x08.8.8.8",
        "http://169.254.169.254",
    ],
)
def test_look_alike_loopback_hosts_are_refused(url: str) -> None:
    with pytest.raises(ConfigurationError) as info:
        StudioClient("AC" + "1" * 32, "s3cr3t", base_url=url)
    assert "s3cr3t" not in str(info.value)


def reachable_texts(obj: Any, depth: int = 3) -> Iterator[str]:
    """repr and str of ``obj`` and of everything its attributes reach, a few levels down."""
    seen: set[int] = set()

    def walk(value: Any, level: int) -> Iterator[str]:
        if id(value) in seen or level > depth:
            return
        seen.add(id(value))
        yield repr(value)
        yield str(value)
        attributes = getattr(value, "__dict__", None) or {}
        slots: list[str] = []
        for cls in type(value).__mro__:
            declared = cls.__dict__.get("__slots__", ())
            slots += [declared] if isinstance(declared, str) else declared
        fields = (
            type(value)._fields if isinstance(value, tuple) and hasattr(value, "_fields") else ()
        )
        for name in [*attributes, *slots, *fields]:
            if name in ("password", "authorization", "_auth"):
                continue  # where the secret must be: looking at it is not showing it
            yield from walk(getattr(value, name, None), level + 1)

    yield from walk(obj, 0)


def test_nothing_reachable_from_a_client_shows_the_secret(
    mock: MockStudio, server: str, forms: list[str]
) -> None:
    client = StudioClient(mock.account_sid, mock.auth_token, base_url=server)
    texts = list(reachable_texts(client))
    for text in texts:
        assert_no_secret(text, forms)
    # The walk looks inside slotted values and named tuples too: the settings, their credentials.
    assert any(text.startswith("Credentials(") for text in texts)
    client.close()


@pytest.mark.usefixtures("fresh_mock")
def test_no_secret_in_errors_chains_or_debug_logs_when_httpx_raises(
    mock: MockStudio, server: str, forms: list[str], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)  # every logger: ours, httpx, httpcore
    errors: list[BaseException] = []
    faults = [Fault.drop_connection(), Fault.truncated_body(), Fault.delay(1.0), Fault.not_json()]
    with (
        instant_sleeps(),
        StudioClient(
            mock.account_sid, mock.auth_token, base_url=server, timeout=0.3, max_retries=1
        ) as client,
    ):
        for fault in faults:
            mock.inject(fault, times=2)
            try:
                client.engagements.list(FLOW)
            except StudioError as error:
                errors.append(error)
            mock.clear_faults()
    with StudioClient(mock.account_sid, mock.auth_token, base_url="http://127.0.0.1:1") as c:
        try:
            c.engagements.list(FLOW)
        except StudioError as error:
            errors.append(error)
    assert len(errors) == len(faults) + 1
    assert any("Authorization" in r.getMessage() or "GET" in r.getMessage() for r in caplog.records)
    assert_no_secret(caplog.text, forms)
    for error in errors:
        assert_no_secret("".join(traceback.format_exception(error)), forms)
        assert_no_secret(repr(error), forms)


def test_no_secret_in_cli_output_even_with_debug(
    mock: MockStudio, server: str, cli_env: dict[str, str], forms: list[str]
) -> None:
    runs = [
        ["list", FLOW, "--base-url", server, "--limit", "3"],
        ["--debug", "list", FLOW, "--base-url", server, "--limit", "3"],
        ["--debug", "list", FLOW, "--base-url", "http://127.0.0.1:1"],  # httpx raises
        ["list", "FW" + "9" * 32, "--base-url", server],  # an API error
        ["list", FLOW, "--base-url", f"http://AC1:{mock.auth_token}@127.0.0.1:1"],
        ["list", FLOW, "--base-url", server, "-o", "/tmp/x.jsonl", "--resume-from",
         f"http://u:{mock.auth_token}@127.0.0.1:1/v1/Flows/{FLOW}/Engagements"],
    ]  # fmt: skip
    for args in runs:
        result = run_cli(*args, env=cli_env, timeout=60)
        assert result.returncode != 0 or result.stdout, result.stderr
        assert_no_secret(result.stdout + result.stderr, forms)


def test_cli_resume_from_another_origin_sends_nothing(
    server: str, cli_env: dict[str, str], elsewhere: CountingServer, tmp_path: Any
) -> None:
    out = tmp_path / "e.jsonl"
    (tmp_path / "e.jsonl.partial").write_text("")
    target = f"{elsewhere.url}/v1/Flows/{FLOW}/Engagements"
    args = ["list", FLOW, "--base-url", server, "-o", str(out), "--resume-from", target]
    result = run_cli(*args, env=cli_env, timeout=60)
    assert result.returncode == 2, result.stderr
    assert "refusing to send credentials" in result.stderr
    assert elsewhere.requests == []


# -- the suite can fail -------------------------------------------------------------------------


def test_without_the_origin_check_the_zero_requests_check_goes_red(
    monkeypatch: pytest.MonkeyPatch, elsewhere: CountingServer
) -> None:
    monkeypatch.setattr(_paging, "trusted_url", lambda url, base_url: httpx.URL(url))
    with pytest.raises(RED):
        check_next_page_never_reaches(elsewhere, f"{elsewhere.url}/v1/Flows/{FLOW}/Engagements")
    assert elsewhere.requests, "the break did not send anything: the check proves nothing"
    assert elsewhere.requests[0][1].get("Authorization", "").startswith("Basic ")


def test_following_redirects_turns_the_redirect_check_red(
    monkeypatch: pytest.MonkeyPatch, elsewhere: CountingServer
) -> None:
    send = httpx.Client.send
    monkeypatch.setattr(
        httpx.Client, "send", lambda self, request, **kw: send(self, request, follow_redirects=True)
    )
    with pytest.raises(RED):
        test_redirects_are_not_followed(elsewhere, 307, False)
    assert elsewhere.requests


def test_a_leaking_repr_turns_the_reachability_check_red(
    monkeypatch: pytest.MonkeyPatch, mock: MockStudio, server: str, forms: list[str]
) -> None:
    monkeypatch.setattr(_config.Credentials, "__repr__", lambda self: f"C({self.password})")
    with pytest.raises(AssertionError, match="leaked"):
        test_nothing_reachable_from_a_client_shows_the_secret(mock, server, forms)
    gc.collect()
