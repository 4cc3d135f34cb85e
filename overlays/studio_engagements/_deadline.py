"""The sync client's transport: every socket operation of a request ends by its deadline.

httpcore's public network-backend interface is wrapped so that each connect, TLS handshake,
read and write gets the smaller of its own timeout and the time left before the deadline of
the request in flight, in the calling thread: no thread, no watchdog per request.
"""

from __future__ import annotations

import contextvars
import ipaddress
import ssl
import time
import urllib.request
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

import httpcore
import httpx

from ._text import redact_url
from .errors import ConfigurationError

T = TypeVar("T")
# httpx's own defaults for its pool (httpx.Limits()).
_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20, keepalive_expiry=5.0)
# httpcore's errors and the httpx errors they stand for, most specific first.
_ERRORS: tuple[tuple[type[Exception], type[httpx.HTTPError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.ProxyError, httpx.ProxyError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
)


class Deadline:
    """When the request in flight must be over (``time.monotonic()``), and whether it hit it.

    As a context manager (``with Deadline(at) as scope``): the deadline of every socket
    operation of this context (thread) meanwhile.
    """

    def __init__(self, at: float) -> None:
        self.at = at
        self.hit = False
        self._token: contextvars.Token[Deadline | None] | None = None

    def __enter__(self) -> Deadline:
        self._token = _CURRENT.set(self)
        return self

    def __exit__(self, *exc_info: object) -> None:
        assert self._token is not None
        _CURRENT.reset(self._token)


_CURRENT: contextvars.ContextVar[Deadline | None] = contextvars.ContextVar(
    "studio_engagements_deadline", default=None
)


def within_deadline(
    timeout: float | None, timed_out: type[Exception], operation: Callable[[float | None], T]
) -> T:
    """``operation(t)`` with ``t`` its own timeout, or the time left if that is shorter."""
    current = _CURRENT.get()
    if current is None:
        return operation(timeout)
    left = current.at - time.monotonic()
    if left <= 0:
        current.hit = True
        raise timed_out("the request's deadline has passed")
    if timeout is not None and timeout <= left:
        return operation(timeout)
    try:
        return operation(left)
    except httpcore.TimeoutException:
        current.hit = True
        raise


def _connected(
    timeout: float | None, operation: Callable[[float | None], httpcore.NetworkStream]
) -> httpcore.NetworkStream:
    """A connection (or its TLS upgrade) made by the deadline, and kept to it."""
    return _Stream(within_deadline(timeout, httpcore.ConnectTimeout, operation))


class _Stream(httpcore.NetworkStream):
    """A connection whose every read, write and TLS handshake ends by the deadline."""

    def __init__(self, inner: httpcore.NetworkStream) -> None:
        self._inner = inner

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return within_deadline(
            timeout, httpcore.ReadTimeout, lambda t: self._inner.read(max_bytes, t)
        )

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        within_deadline(timeout, httpcore.WriteTimeout, lambda t: self._inner.write(buffer, t))

    def close(self) -> None:
        self._inner.close()

    def start_tls(
        self,
        ssl_context: ssl.SSLContext,
        server_hostname: str | None = None,
        timeout: float | None = None,
    ) -> httpcore.NetworkStream:
        return _connected(timeout, lambda t: self._inner.start_tls(ssl_context, server_hostname, t))

    def get_extra_info(self, info: str) -> Any:
        return self._inner.get_extra_info(info)


class _Backend(httpcore.NetworkBackend):
    """httpcore's own sync backend, with every connection it opens kept to the deadline."""

    def __init__(self) -> None:
        self._inner = httpcore.SyncBackend()

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        return _connected(
            timeout,
            lambda t: self._inner.connect_tcp(host, port, t, local_address, socket_options),
        )

    def connect_unix_socket(
        self, path: str, timeout: float | None = None, socket_options: Iterable[Any] | None = None
    ) -> httpcore.NetworkStream:
        return _connected(
            timeout, lambda t: self._inner.connect_unix_socket(path, t, socket_options)
        )

    def sleep(self, seconds: float) -> None:
        self._inner.sleep(seconds)


class as_httpx:  # a lower-case name: it reads as the `with` statement it is used in
    """httpcore's errors raised as the httpx errors they stand for (what httpx would raise)."""

    def __init__(self, request: httpx.Request) -> None:
        self.request = request

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, traceback: object) -> None:
        if isinstance(error, Exception):
            for core, ours in _ERRORS:
                if isinstance(error, core):
                    raise ours(str(error), request=self.request) from error  # type: ignore[call-arg]


def environment_proxy(base_url: httpx.URL) -> httpx.Proxy | None:
    """The proxy the environment names for ``base_url``'s origin, as httpx would choose it.

    ``HTTPS_PROXY`` (``HTTP_PROXY`` for http), else ``ALL_PROXY``; none if ``NO_PROXY`` covers
    the host. The client only ever talks to that origin, so this is decided once.
    """
    proxies = urllib.request.getproxies()
    url = proxies.get(base_url.scheme) or proxies.get("all")
    if not url or _bypassed(base_url.host, proxies.get("no", "")):
        return None
    try:
        return httpx.Proxy(url if "://" in url else f"http://{url}")
    except (httpx.InvalidURL, ValueError):
        shown = redact_url(url)  # a proxy URL may hold a password
        raise ConfigurationError(f"the environment's proxy {shown!r} is not usable") from None


def _bypassed(host: str, no_proxy: str) -> bool:
    """Whether ``NO_PROXY`` covers ``host``: ``*``, the host, a parent domain, or a network."""
    host = host.lower()
    for entry in (part.strip().lower().split("://")[-1] for part in no_proxy.split(",")):
        if entry == "*" or (entry and _covers(entry, host)):
            return True
    return False


def _covers(entry: str, host: str) -> bool:
    try:
        return ipaddress.ip_address(host) in ipaddress.ip_network(entry, strict=False)
    except ValueError:  # not both addresses: names, as curl reads them
        name = entry.lstrip(".")
        return host.endswith("." + name) or (host == name and not entry.startswith("."))


class DeadlineTransport:
    """What the sync client sends through when no ``http_client`` is given: httpcore's public
    pool, with httpx's defaults and the deadline backend."""

    def __init__(self, base_url: httpx.URL) -> None:
        proxy = environment_proxy(base_url)
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(),
            proxy=None
            if proxy is None
            else httpcore.Proxy(str(proxy.url), auth=proxy.raw_auth, headers=proxy.headers.raw),
            max_connections=_LIMITS.max_connections,
            max_keepalive_connections=_LIMITS.max_keepalive_connections,
            keepalive_expiry=_LIMITS.keepalive_expiry,
            network_backend=_Backend(),
        )

    def open(self, request: httpx.Request) -> httpcore.Response:
        """Send ``request`` through the pool: httpcore's response, its body not yet read, and
        httpcore's errors as they are (:class:`as_httpx` maps them)."""
        assert isinstance(request.stream, httpx.SyncByteStream)
        url = request.url
        core = httpcore.Request(
            method=request.method,
            url=httpcore.URL(
                scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path
            ),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        return self._pool.handle_request(core)

    def close(self) -> None:
        self._pool.close()
