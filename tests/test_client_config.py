"""Client configuration: credentials, hosts, timeouts; no request is needed to check these."""

from __future__ import annotations

import httpx
import pytest

from studio_engagements import AsyncStudioClient, StudioClient
from studio_engagements._config import resolve_credentials
from studio_engagements.errors import ConfigurationError, StudioError

SID = "AC" + "1" * 32
KEY = "SK" + "2" * 32
ENV_VARS = (
    "TWILIO_ACCOUNT_SID",
    "TWILIO_AUTH_TOKEN",
    "TWILIO_API_KEY",
    "TWILIO_API_SECRET",
    "TWILIO_REGION",
    "TWILIO_EDGE",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ENV_VARS:
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("args", "env", "user", "password"),
    [
        ({"account_sid": SID, "auth_token": "tok"}, {}, SID, "tok"),
        ({"api_key": KEY, "api_secret": "sec", "account_sid": SID}, {}, KEY, "sec"),
        ({}, {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": "envtok"}, SID, "envtok"),
        ({}, {"TWILIO_API_KEY": KEY, "TWILIO_API_SECRET": "envsec"}, KEY, "envsec"),
        # explicit arguments beat the environment
        (
            {"account_sid": SID, "auth_token": "arg"},
            {"TWILIO_API_KEY": KEY, "TWILIO_API_SECRET": "x"},
            SID,
            "arg",
        ),
        (
            {"api_key": KEY, "api_secret": "arg"},
            {"TWILIO_ACCOUNT_SID": SID, "TWILIO_AUTH_TOKEN": "x"},
            KEY,
            "arg",
        ),
        # an explicit SID takes its token from the environment
        ({"account_sid": SID}, {"TWILIO_AUTH_TOKEN": "envtok"}, SID, "envtok"),
        # both pairs in the environment: the account pair
        (
            {},
            {
                "TWILIO_ACCOUNT_SID": SID,
                "TWILIO_AUTH_TOKEN": "a",
                "TWILIO_API_KEY": KEY,
                "TWILIO_API_SECRET": "k",
            },
            SID,
            "a",
        ),
        # empty variables count as unset
        ({}, {"TWILIO_ACCOUNT_SID": "", "TWILIO_API_KEY": KEY, "TWILIO_API_SECRET": "k"}, KEY, "k"),
    ],
)
def test_credential_sources_and_precedence(
    args: dict[str, str], env: dict[str, str], user: str, password: str
) -> None:
    credentials = resolve_credentials(
        args.get("account_sid"),
        args.get("auth_token"),
        args.get("api_key"),
        args.get("api_secret"),
        env,
    )
    assert (credentials.username, credentials.password) == (user, password)


def test_no_credentials_names_the_variables() -> None:
    with pytest.raises(ConfigurationError) as info:
        StudioClient()
    for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_API_KEY", "TWILIO_API_SECRET"):
        assert name in str(info.value)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"account_sid": SID},
        {"auth_token": "tok"},
        {"api_key": KEY},
        {"api_secret": "sec"},
        {"account_sid": SID, "auth_token": ""},
        {"account_sid": "AC:1", "auth_token": "tok"},
        {"account_sid": SID, "auth_token": "to\nk"},
    ],
)
def test_incomplete_or_unusable_credentials_are_refused(kwargs: dict[str, str]) -> None:
    with pytest.raises(ConfigurationError):
        StudioClient(**kwargs)


@pytest.mark.parametrize(
    ("region", "edge", "env", "host"),
    [
        (None, None, {}, "studio.twilio.com"),
        ("au1", None, {}, "studio.au1.twilio.com"),
        ("ie1", "dublin", {}, "studio.dublin.ie1.twilio.com"),
        (None, "sydney", {}, "studio.sydney.us1.twilio.com"),
        (
            None,
            None,
            {"TWILIO_REGION": "jp1", "TWILIO_EDGE": "tokyo"},
            "studio.tokyo.jp1.twilio.com",
        ),
        ("au1", None, {"TWILIO_REGION": "jp1"}, "studio.au1.twilio.com"),
    ],
)
def test_region_and_edge_choose_the_host(
    monkeypatch: pytest.MonkeyPatch,
    region: str | None,
    edge: str | None,
    env: dict[str, str],
    host: str,
) -> None:
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    with StudioClient(SID, "tok", region=region, edge=edge) as client:
        assert client.base_url == f"https://{host}"


@pytest.mark.parametrize("region", ["evil.com/", "AU1", "a b", "", "x" * 70])
def test_region_must_be_a_dns_label(region: str) -> None:
    with pytest.raises(ConfigurationError, match="region"):
        StudioClient(SID, "tok", region=region)


def test_explicit_base_url_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TWILIO_REGION", "au1")
    with StudioClient(
        SID, "tok", base_url="https://proxy.example.com/twilio/", region="ie1"
    ) as client:
        assert client.base_url == "https://proxy.example.com/twilio"


@pytest.mark.parametrize(
    "base_url",
    [
        "http://studio.twilio.com",
        "http://10.0.0.1:8080",
        "ftp://127.0.0.1",
        "https://user:pw@studio.twilio.com",
        "https://studio.twilio.com?x=1",
        "studio.twilio.com",
        "",
    ],
)
def test_unsafe_or_malformed_base_urls_are_refused(base_url: str) -> None:
    with pytest.raises(ConfigurationError):
        StudioClient(SID, "tok", base_url=base_url)


@pytest.mark.parametrize(
    "base_url", ["http://127.0.0.1:4010", "http://localhost:1", "http://[::1]:2"]
)
def test_plain_http_to_loopback_is_allowed(base_url: str) -> None:
    with StudioClient(SID, "tok", base_url=base_url) as client:
        assert client.base_url.startswith("http://")


@pytest.mark.parametrize("timeout", [None, 0, -1, float("inf"), httpx.Timeout(None), "5", True])
def test_a_timeout_is_always_set(timeout: object) -> None:
    with pytest.raises(ConfigurationError, match="timeout"):
        StudioClient(SID, "tok", timeout=timeout)  # type: ignore[arg-type]


def test_default_timeout_and_retries() -> None:
    with StudioClient(SID, "tok") as client:
        assert client.timeout.read is not None
        assert client.max_retries == 2
        assert client.with_options(max_retries=0).max_retries == 0
        assert client.with_options(timeout=3).timeout == httpx.Timeout(3.0)
        assert client.max_retries == 2


@pytest.mark.parametrize("max_retries", [-1, 1.5, None, True])
def test_max_retries_must_be_a_whole_number(max_retries: object) -> None:
    with pytest.raises(ConfigurationError, match="max_retries"):
        StudioClient(SID, "tok", max_retries=max_retries)  # type: ignore[arg-type]


def test_repr_shows_the_sid_never_the_secret() -> None:
    secret = "s3cr3t-token-value"
    for client in (
        StudioClient(SID, secret),
        AsyncStudioClient(api_key=KEY, api_secret=secret, account_sid=SID),
    ):
        assert SID in repr(client)
        assert secret not in repr(client)
        assert secret not in str(client)
        assert secret not in repr(client._settings)


def test_wrong_http_client_type_is_a_type_error() -> None:
    with pytest.raises(TypeError, match=r"httpx\.AsyncClient"):
        AsyncStudioClient(SID, "tok", http_client=httpx.Client())  # type: ignore[arg-type]


def test_every_error_is_a_studio_error() -> None:
    from studio_engagements import errors

    for name in errors.__all__:
        assert issubclass(getattr(errors, name), StudioError)
    assert issubclass(errors.InvalidParameterError, ValueError)
