"""Hostile input: whatever a caller types, a clear typed error, and nothing sent.

Hypothesis feeds the client and the CLI malformed SIDs, out-of-range and wrongly typed numbers,
unicode, control characters, very long strings, and URLs with other schemes or credentials in
them. The client raises ``InvalidParameterError``/``ConfigurationError``/``UntrustedURLError``
naming what was wrong; the CLI (run in-process with click's runner, plus real subprocesses) exits
2 with a one-line message or click's usage text, never a traceback; the mock records no request.
tests/test_client_responses.py and tests/test_cli.py hold the hand-picked cases.

The last tests remove the input checks and see the "nothing sent" checks fail.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import httpx
import hypothesis
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given
from hypothesis import strategies as st

from studio_engagements import Engagement, StudioClient, _request, rules
from studio_engagements.cli import main
from studio_engagements.errors import (
    ConfigurationError,
    InvalidParameterError,
    StudioError,
    UntrustedURLError,
)
from studio_engagements.testing import MockStudio

from .reliability import SOAK, bad_numbers, bad_sids, bad_urls, hostile_text

FLOW = "FW" + "e" * 32
SETTINGS = hypothesis.settings(
    max_examples=1000 if SOAK else 100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: 5}, seed=9)


def check_refused(mock: MockStudio, call: Callable[[], Any], *errors: type[StudioError]) -> str:
    """``call`` raises one of ``errors`` with a message, and the mock receives nothing."""
    mock.reset_requests()
    with pytest.raises(errors or (InvalidParameterError,)) as info:
        call()
    assert mock.requests == [], "a request was sent for invalid input"
    message = str(info.value)
    assert message
    assert "\n" not in message.strip()
    return message


@SETTINGS
@given(flow_sid=bad_sids)
def test_client_refuses_malformed_flow_sids(mock: MockStudio, server: str, flow_sid: str) -> None:
    with StudioClient(mock.account_sid, mock.auth_token, base_url=server) as client:
        for call in (
            lambda: client.engagements.list(flow_sid),
            lambda: client.engagements.page(flow_sid),
            lambda: list(client.engagements.pages(flow_sid)),
        ):
            message = check_refused(mock, call)
            assert message.startswith("flow_sid=")
            assert len(message) < 300  # a long value is shortened, not echoed whole


@SETTINGS
@given(name=st.sampled_from(["page_size", "page", "limit", "page_token"]), value=bad_numbers)
def test_client_refuses_out_of_range_and_mistyped_numbers(
    mock: MockStudio, server: str, name: str, value: Any
) -> None:
    if name == "page" and isinstance(value, int) and not isinstance(value, bool) and value >= 0:
        return  # any page >= 0 is valid
    if name == "limit" and isinstance(value, int) and not isinstance(value, bool) and value >= 1:
        return  # any limit >= 1 is valid
    if name == "page_token" and isinstance(value, str):
        return  # any string is a page token the server judges
    with StudioClient(mock.account_sid, mock.auth_token, base_url=server) as client:
        engagements: Any = client.engagements
        if name in ("page", "page_token"):
            call: Callable[[], Any] = lambda: engagements.page(FLOW, **{name: value})  # noqa: E731
        else:
            call = lambda: engagements.list(FLOW, **{name: value})  # noqa: E731
        assert check_refused(mock, call).startswith(f"{name}=")


@SETTINGS
@given(url=bad_urls)
def test_client_refuses_page_urls_elsewhere_or_malformed(
    mock: MockStudio, server: str, url: str
) -> None:
    with StudioClient(mock.account_sid, mock.auth_token, base_url=server) as client:
        message = check_refused(
            mock, lambda: client.engagements.get_page(url), UntrustedURLError, InvalidParameterError
        )
    assert "pass@" not in message


@SETTINGS
@given(
    field=st.sampled_from(["account_sid", "auth_token", "region", "edge", "base_url", "timeout"]),
    value=hostile_text | bad_numbers | bad_urls,
)
def test_constructor_refuses_hostile_settings_with_a_configuration_error(
    field: str, value: Any
) -> None:
    kwargs: dict[str, Any] = {"account_sid": "AC" + "1" * 32, "auth_token": "tok"}
    kwargs[field] = value
    refusal: ConfigurationError | None = None
    try:
        client = StudioClient(**kwargs)
    except ConfigurationError as error:
        refusal = error
    if refusal is not None:
        assert str(refusal)
        return
    client.close()  # accepted: then it must be a usable value
    if field == "timeout":
        assert 0 < float(value) <= 86_400
    elif field in ("region", "edge"):
        assert re.fullmatch(r"[a-z0-9-]+", value)
    elif field == "base_url":
        assert value.startswith(("http://", "https://"))
    else:
        assert isinstance(value, str)
        assert value
        assert value.isprintable()


def test_out_of_range_timeouts_are_refused_not_an_overflow_later() -> None:
    """A timeout of 1e10 s used to pass, then raise a bare OverflowError at the first request."""
    for timeout in (1e10, 1e308, float("nan"), -1, 0):
        with pytest.raises(ConfigurationError):
            StudioClient("AC" + "1" * 32, "tok", base_url="http://127.0.0.1:1", timeout=timeout)


def test_credentials_in_a_base_url_are_not_echoed() -> None:
    with pytest.raises(ConfigurationError) as info:
        StudioClient("AC" + "1" * 32, "tok", base_url="https://AC1:hunter2@studio.twilio.com")
    assert "hunter2" not in str(info.value)
    assert "***@studio.twilio.com" in str(info.value)


# -- the CLI ------------------------------------------------------------------------------------


def not_a_usable_base_url(url: str) -> bool:
    """Keep the test on loopback: a well-formed https URL would send the CLI to that host."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        return True
    return not (parsed.scheme == "https" and parsed.host and not parsed.userinfo)


cli_cases = st.one_of(
    bad_sids.filter(lambda s: "\x00" not in s).map(lambda s: [s]),
    st.sampled_from(["0", "-1", "1e3", "0x10", "ten", "", "1.5"])
    .flatmap(lambda v: st.sampled_from([["--page-size", v], ["--limit", v]]))
    .map(lambda pair: [FLOW, *pair]),
    # Not "٣": click reads Unicode digits as int() does, so "--page-size ٣" is 3, and valid.
    st.sampled_from(["1001", "99999999999999999999"]).map(lambda v: [FLOW, "--page-size", v]),
    bad_urls.filter(not_a_usable_base_url).map(lambda url: [FLOW, "--base-url", url]),
    hostile_text.map(lambda text: [FLOW, "--region", text]),
    hostile_text.map(lambda text: [FLOW, "--format", text]),
    hostile_text.map(lambda text: [FLOW, "--fields", text]),
)


def check_cli_refuses(mock: MockStudio, server: str, args: list[str]) -> str:
    """``list ARGS`` in-process: exit 2, a message, no traceback, no request. Returns stderr."""
    if "--base-url" not in args:
        args = [*args, "--base-url", server]
    env = {"TWILIO_ACCOUNT_SID": mock.account_sid, "TWILIO_AUTH_TOKEN": mock.auth_token}
    mock.reset_requests()
    result = CliRunner().invoke(main, ["list", *args], env=env)
    assert result.exit_code == 2, (args, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "error:" in result.stderr or "Usage:" in result.stderr
    assert "Traceback" not in result.output
    assert mock.requests == [], "a request was sent for invalid input"
    return result.stderr


@SETTINGS
@given(args=cli_cases)
def test_cli_exits_2_for_hostile_arguments_and_sends_nothing(
    mock: MockStudio, server: str, args: list[str]
) -> None:
    if args[1:2] == ["--region"] and re.fullmatch(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", args[2]):
        return  # a valid region name: the CLI would go to Twilio's host
    if (
        args[1:2] == ["--fields"]
        and all(name.strip() in Engagement.FIELDS for name in args[2].split(",") if name.strip())
        and any(name.strip() for name in args[2].split(","))
    ):
        return  # valid fields
    if args[1:2] == ["--format"] and args[2] in ("jsonl", "csv", "table"):
        return
    stderr = check_cli_refuses(mock, server, args)
    assert "pass@" not in stderr


@pytest.mark.parametrize(
    "args",
    [
        ["FW" + "e" * 31 + "\u202e"],
        ["FW" + "e" * 32, "--limit", "-5"],
        ["FW" + "e" * 32, "--page-size", "1" * 40],
        ["x" * 100_000],
        ["FW" + "e" * 32, "--base-url", "http://user:pass@127.0.0.1:1"],
        ["FW" + "e" * 32, "--base-url", "ftp://127.0.0.1:1"],
        ["FW" + "e" * 32, "--base-url", "http://127.0.0.1:99999"],
        ["FW" + "e" * 32, "--edge", "sydney\n.evil.com"],
    ],
    ids=[
        "rtl-override",
        "negative-limit",
        "huge-page-size",
        "long",
        "creds",
        "ftp",
        "port-99999",
        "newline",
    ],
)
def test_cli_subprocess_exits_2_with_one_line_and_sends_nothing(
    mock: MockStudio, server: str, args: list[str]
) -> None:
    if "--base-url" not in args:
        args = [*args, "--base-url", server]
    env = {"TWILIO_ACCOUNT_SID": mock.account_sid, "TWILIO_AUTH_TOKEN": mock.auth_token}
    mock.reset_requests()
    result = subprocess.run(
        [sys.executable, "-m", "studio_engagements", "list", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert "pass@" not in result.stderr
    assert len(result.stderr) < 2_000  # the long value is not echoed whole
    assert mock.requests == []


# -- the suite can fail -------------------------------------------------------------------------


def test_without_input_checks_the_nothing_sent_check_goes_red(
    monkeypatch: pytest.MonkeyPatch, mock: MockStudio, server: str
) -> None:
    monkeypatch.setattr(_request, "check", lambda parameter, api_name, value, *operation: None)
    with (
        StudioClient(mock.account_sid, mock.auth_token, base_url=server) as client,
        pytest.raises((AssertionError, pytest.fail.Exception, StudioError)),
    ):
        check_refused(mock, lambda: client.engagements.list("FW" + "zz" * 16))
    assert mock.requests, "nothing was sent under the break: the check proves nothing"


def test_without_input_checks_the_cli_check_goes_red(
    monkeypatch: pytest.MonkeyPatch, mock: MockStudio, server: str
) -> None:
    unchecked = lambda parameter, api_name, value, *operation: None  # noqa: E731
    monkeypatch.setattr(_request, "check", unchecked)
    monkeypatch.setattr(rules, "check", unchecked)  # the public name the CLI checks through
    with pytest.raises(AssertionError):
        check_cli_refuses(mock, server, ["FW" + "zz" * 16])
