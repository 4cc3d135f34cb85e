"""One request within its deadline and size cap: sync and async sending.

The budget and reading the body within it are ``_body``'s, keeping the socket to the deadline
is ``_deadline``'s; both clients send through here.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable

import anyio
import httpx

from ._body import Answer, Body, Budget
from ._config import Limits
from ._deadline import Deadline, DeadlineTransport, as_httpx, environment_proxy

# What a request may take past its deadline (timeout) before it is abandoned, at most: the time
# to notice it and to close the connection (a custom transport's deadline is checked between
# chunks: a chunk may take one read timeout, capped at the time left).
SLACK = 1.0


# --- sync: the transport keeps every socket operation to the deadline ----------------------


def new_http(
    http_type: type[httpx.Client | httpx.AsyncClient], base_url: httpx.URL
) -> DeadlineTransport | httpx.AsyncClient:
    """What a StudioClient or AsyncStudioClient sends through when no ``http_client`` is given.

    The sync one sends straight to :class:`~._deadline.DeadlineTransport` (the deadline at the
    socket; with no cookies, auth or hooks of an httpx.Client to apply, nothing goes between);
    the async one is httpx's own client, and an anyio cancel scope bounds each request. Both
    take the proxy the environment names for ``base_url`` (chosen once, the same way).
    """
    if issubclass(http_type, httpx.AsyncClient):
        return http_type(
            follow_redirects=False,
            trust_env=False,  # the environment is read here, as for the sync twin
            proxy=environment_proxy(base_url),
            verify=httpx.create_ssl_context(),  # SSL_CERT_FILE / SSL_CERT_DIR still apply
        )
    return DeadlineTransport(base_url)


def send(http: httpx.Client | DeadlineTransport, request: httpx.Request, limits: Limits) -> Answer:
    """Send ``request`` and read the whole response within the deadline and the cap."""
    budget = Budget(
        request, timeout=limits.timeout, max_bytes=limits.max_bytes, buffers=limits.buffers
    )
    with Deadline(budget.deadline) as scope:
        try:
            if isinstance(http, DeadlineTransport):
                with as_httpx(request):
                    core = http.open(request)
                    try:
                        assert isinstance(core.stream, Iterable)
                        headers = httpx.Headers(core.headers)
                        return _read(budget.body(core.status, headers, raw=True), core.stream)
                    finally:
                        core.close()
            response = http.send(request, stream=True, follow_redirects=False)
            try:
                raw = not response.is_stream_consumed  # else a custom transport read it
                body = budget.body(response.status_code, response.headers, raw=raw)
                return _read(body, response.iter_raw() if raw else response.iter_bytes())
            finally:
                response.close()
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            if scope.hit or budget.remaining() < 0:
                raise budget.expired() from error
            raise


def _read(body: Body, chunks: Iterable[bytes]) -> Answer:
    with _reading(body):
        for chunk in chunks:
            if not body.feed(chunk):
                break
        body.budget.check()
        return body.finish()


class _reading:  # a lower-case name: it reads as the `with` statement it is used in
    """Hand the buffer back if reading fails; running out of memory is a body too large."""

    def __init__(self, body: Body) -> None:
        self.body = body

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, error: BaseException | None, traceback: object) -> None:
        if error is not None:
            self.body.budget.release(self.body.buffer)
            if isinstance(error, MemoryError):
                raise self.body.too_large("memory ran out while reading it") from None


# --- async: the event loop's timeout around sending and reading ------------------------------


async def send_async(http: httpx.AsyncClient, request: httpx.Request, limits: Limits) -> Answer:
    """The awaited twin of :func:`send`: a cancel scope bounds sending and reading."""
    budget = Budget(
        request, timeout=limits.timeout, max_bytes=limits.max_bytes, buffers=limits.buffers
    )
    # anyio's scope, not asyncio.timeout: anyio comes with httpx (importing asyncio would cost
    # more than the rest of the package), and it runs on asyncio and trio alike.
    with anyio.move_on_after(max(budget.remaining(), 0.0)):
        try:
            response = await http.send(request, stream=True, follow_redirects=False)
            try:
                return await _aread(budget, response)
            finally:
                await response.aclose()
        except (httpx.HTTPError, httpx.InvalidURL) as error:
            if budget.remaining() < 0:
                raise budget.expired() from error
            raise
    raise budget.expired()  # the scope was cancelled: the deadline passed


async def _aread(budget: Budget, response: httpx.Response) -> Answer:
    raw = not response.is_stream_consumed  # else a custom transport read it
    body = budget.body(response.status_code, response.headers, raw=raw)
    chunks: AsyncIterator[bytes] = response.aiter_raw() if raw else response.aiter_bytes()
    with _reading(body):
        async for chunk in chunks:
            if not body.feed(chunk):
                break
        budget.check()
        return body.finish()
