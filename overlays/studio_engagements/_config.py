"""Where requests go and as whom: credentials, base URL, timeout, retries, response cap."""

from __future__ import annotations

import base64
import ipaddress
import re
from collections.abc import Mapping
from typing import NamedTuple

import httpx

from ._text import redact_url, redact_userinfo
from .errors import ConfigurationError

DEFAULT_HOST = "studio.twilio.com"
# The origin to use when no base_url is passed, e.g. a mock's (`studio-engagements mock` prints it).
BASE_URL_VARIABLE = "STUDIO_ENGAGEMENTS_BASE_URL"
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)
DEFAULT_MAX_RETRIES = 2
# Large enough for any real page: 1,000 engagements of ~1.1 KB are ~1.1 MB; 64 MiB leaves room
# for contexts of ~60 KB each. Memory stays bounded by about this much per request in flight.
DEFAULT_MAX_RESPONSE_BYTES = 64 * 1024 * 1024
MIN_RESPONSE_BYTES = 1024  # below this even an empty page or an error answer may not fit
# Longer is "wait forever" in practice, and past ~9.2e9 s the socket layer raises OverflowError.
MAX_TIMEOUT = 86_400.0
# Region and edge become DNS labels of the host: nothing else may get into it.
_DNS_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_MISSING = (
    "no Twilio credentials: pass account_sid and auth_token (or api_key and api_secret), "
    "or set TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN (or TWILIO_API_KEY and TWILIO_API_SECRET)"
)


class Credentials(NamedTuple):
    """The Basic-auth pair: an Account SID or API key SID, and its secret (never shown)."""

    username: str
    password: str
    account_sid: str | None

    def __repr__(self) -> str:
        return f"Credentials(username={self.username!r}, password='***')"

    def authorization(self) -> str:
        """The ``Authorization`` header value."""
        token = base64.b64encode(f"{self.username}:{self.password}".encode()).decode("ascii")
        return f"Basic {token}"


def resolve_credentials(
    account_sid: str | None,
    auth_token: str | None,
    api_key: str | None,
    api_secret: str | None,
    environ: Mapping[str, str],
) -> Credentials:
    """Explicit arguments first, then the environment; an explicit API key pair wins."""
    env = {name: value for name, value in environ.items() if value}
    if api_key is not None or api_secret is not None:
        pair = _pair(api_key, api_secret, "api_key", "api_secret")
        return Credentials(*pair, account_sid=account_sid or env.get("TWILIO_ACCOUNT_SID"))
    if account_sid is not None or auth_token is not None:
        sid = account_sid if account_sid is not None else env.get("TWILIO_ACCOUNT_SID")
        token = auth_token if auth_token is not None else env.get("TWILIO_AUTH_TOKEN")
        pair = _pair(
            sid, token, "account_sid (or TWILIO_ACCOUNT_SID)", "auth_token (or TWILIO_AUTH_TOKEN)"
        )
        return Credentials(*pair, account_sid=pair[0])
    if "TWILIO_ACCOUNT_SID" in env and "TWILIO_AUTH_TOKEN" in env:
        pair = _pair(
            env["TWILIO_ACCOUNT_SID"],
            env["TWILIO_AUTH_TOKEN"],
            "TWILIO_ACCOUNT_SID",
            "TWILIO_AUTH_TOKEN",
        )
        return Credentials(*pair, account_sid=pair[0])
    if "TWILIO_API_KEY" in env and "TWILIO_API_SECRET" in env:
        pair = _pair(
            env["TWILIO_API_KEY"], env["TWILIO_API_SECRET"], "TWILIO_API_KEY", "TWILIO_API_SECRET"
        )
        return Credentials(*pair, account_sid=env.get("TWILIO_ACCOUNT_SID"))
    raise ConfigurationError(_MISSING)


def _pair(user: object, secret: object, user_name: str, secret_name: str) -> tuple[str, str]:
    for name, value in ((user_name, user), (secret_name, secret)):
        if value is None or value == "":
            raise ConfigurationError(f"{name} is missing; {_MISSING}")
        if not isinstance(value, str):
            raise ConfigurationError(f"{name} must be a string, not {type(value).__name__}")
        if not value.isprintable() or (name == user_name and ":" in value):
            # Basic auth joins user and secret with ':'; control characters would break the header.
            raise ConfigurationError(
                f"{name} contains characters a Basic-auth credential cannot hold"
            )
    return str(user), str(secret)


def resolve_base_url(
    base_url: str | None, region: str | None, edge: str | None, environ: Mapping[str, str]
) -> httpx.URL:
    """``base_url`` if given; else, with no region or edge argument, the variable
    ``STUDIO_ENGAGEMENTS_BASE_URL``; else Twilio's host for region and edge (edge alone: us1)."""
    if base_url is None and region is None and edge is None:
        base_url = environ.get(BASE_URL_VARIABLE) or None
    region = region if region is not None else (environ.get("TWILIO_REGION") or None)
    edge = edge if edge is not None else (environ.get("TWILIO_EDGE") or None)
    for name, label in (("region", region), ("edge", edge)):
        if label is not None and (not isinstance(label, str) or not _DNS_LABEL.fullmatch(label)):
            raise ConfigurationError(f"{name}={label!r} is not a Twilio {name} name such as 'us1'")
    if base_url is not None:
        return _checked_base_url(base_url)
    if edge is not None and region is None:
        region = "us1"
    prefix, _, suffix = DEFAULT_HOST.partition(".")
    host = ".".join(part for part in (prefix, edge, region, suffix) if part)
    return httpx.URL(f"https://{host}")


def _checked_base_url(base_url: object) -> httpx.URL:
    if not isinstance(base_url, str):
        raise ConfigurationError(f"base_url must be a string, not {type(base_url).__name__}")
    # Messages show the URL without its password, query or fragment: they end up in logs.
    shown = f"base_url={redact_url(base_url)!r}"
    try:
        url = httpx.URL(base_url)
    except (httpx.InvalidURL, ValueError, TypeError) as exc:
        raise ConfigurationError(f"{shown} is not a URL: {redact_userinfo(str(exc))}") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise ConfigurationError(f"{shown} must be an absolute http(s) URL")
    if url.port is not None and not 0 < url.port < 65536:
        raise ConfigurationError(f"{shown} has a port outside 1-65535")
    if url.userinfo or url.query or url.fragment:
        raise ConfigurationError(f"{shown} must not carry credentials, a query or a fragment")
    if url.scheme == "http" and not is_loopback(url.host):
        raise ConfigurationError(
            f"{shown} uses plain http to a non-loopback host; use https "
            "(plain http is only allowed to 127.0.0.1, ::1 or localhost, e.g. a mock)"
        )
    return url.copy_with(path=url.path.rstrip("/"))


def is_loopback(host: str) -> bool:
    """Whether ``host`` is this machine: localhost or a loopback address."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def resolve_timeout(timeout: object) -> httpx.Timeout:
    """A timeout with every limit set: seconds, or an httpx.Timeout; never 'wait forever'."""
    if isinstance(timeout, httpx.Timeout):
        limits = (timeout.connect, timeout.read, timeout.write, timeout.pool)
        if any(
            limit is None or not 0 < limit <= MAX_TIMEOUT  # also refuses nan
            for limit in limits
        ):
            raise ConfigurationError(
                f"timeout={timeout!r} must set every limit to a number of seconds "
                f"from 0 (excluded) to {MAX_TIMEOUT:g}"
            )
        return timeout
    if isinstance(timeout, bool) or not isinstance(timeout, int | float) or not timeout > 0:
        raise ConfigurationError(f"timeout={timeout!r} must be a positive number of seconds")
    if timeout == float("inf"):
        raise ConfigurationError("timeout=inf would wait forever; give a number of seconds")
    if timeout > MAX_TIMEOUT:
        raise ConfigurationError(f"timeout={timeout!r} must be at most {MAX_TIMEOUT:g} seconds")
    return httpx.Timeout(float(timeout))


def resolve_max_retries(max_retries: object) -> int:
    """A whole number of retries per request, 0 to disable."""
    if isinstance(max_retries, bool) or not isinstance(max_retries, int) or max_retries < 0:
        raise ConfigurationError(f"max_retries={max_retries!r} must be a whole number >= 0")
    return max_retries


def resolve_max_response_bytes(max_response_bytes: object) -> int:
    """The largest response body read, in bytes: a whole number >= 1,024."""
    if (
        isinstance(max_response_bytes, bool)
        or not isinstance(max_response_bytes, int)
        or max_response_bytes < MIN_RESPONSE_BYTES
    ):
        raise ConfigurationError(
            f"max_response_bytes={max_response_bytes!r} must be a whole number of bytes "
            f">= {MIN_RESPONSE_BYTES:,} (the default is {DEFAULT_MAX_RESPONSE_BYTES:,})"
        )
    return max_response_bytes


def origin(url: httpx.URL) -> tuple[str, str, int | None]:
    """Scheme, host and port (explicit or the scheme's default): what credentials are bound to."""
    default = {"http": 80, "https": 443}.get(url.scheme)
    return url.scheme, url.host.lower(), url.port or default


class Settings(NamedTuple):
    """Everything a client is configured with, resolved and checked once."""

    credentials: Credentials
    base_url: httpx.URL
    timeout: httpx.Timeout
    max_retries: int
    authorization: str  # the secret, base64-encoded: never in the repr
    max_response_bytes: int = DEFAULT_MAX_RESPONSE_BYTES

    def __repr__(self) -> str:
        return (
            f"Settings(credentials={self.credentials!r}, base_url={self.base_url!r}, "
            f"timeout={self.timeout!r}, max_retries={self.max_retries!r}, "
            f"max_response_bytes={self.max_response_bytes!r})"
        )

    @classmethod
    def resolve(
        cls,
        *,
        account_sid: str | None,
        auth_token: str | None,
        api_key: str | None,
        api_secret: str | None,
        region: str | None,
        edge: str | None,
        base_url: str | None,
        timeout: float | httpx.Timeout,
        max_retries: int,
        max_response_bytes: int,
        environ: Mapping[str, str],
    ) -> Settings:
        """Check every option, falling back on ``environ`` (``TWILIO_*``) where one is None."""
        credentials = resolve_credentials(account_sid, auth_token, api_key, api_secret, environ)
        return cls(
            credentials=credentials,
            base_url=resolve_base_url(base_url, region, edge, environ),
            timeout=resolve_timeout(timeout),
            max_retries=resolve_max_retries(max_retries),
            authorization=credentials.authorization(),
            max_response_bytes=resolve_max_response_bytes(max_response_bytes),
        )

    def evolve(
        self,
        timeout: float | httpx.Timeout | None,
        max_retries: int | None,
        max_response_bytes: int | None = None,
    ) -> Settings:
        """These settings with another timeout, retry count or cap (None keeps the current one)."""
        return self._replace(
            timeout=self.timeout if timeout is None else resolve_timeout(timeout),
            max_retries=self.max_retries
            if max_retries is None
            else resolve_max_retries(max_retries),
            max_response_bytes=self.max_response_bytes
            if max_response_bytes is None
            else resolve_max_response_bytes(max_response_bytes),
        )


class Limits(NamedTuple):
    """What every response is read within: the deadline, the body cap, and the client's pool of
    body buffers (reused from one request to the next)."""

    timeout: httpx.Timeout
    max_bytes: int
    buffers: list[bytearray]

    def __repr__(self) -> str:  # not the buffers: megabytes of the last bodies
        return f"Limits(timeout={self.timeout!r}, max_bytes={self.max_bytes!r})"
