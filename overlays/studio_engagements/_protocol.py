"""What both clients share about one request: checking inputs, building it, reading the answer.

Only the sending (blocking or awaited) differs between StudioClient and AsyncStudioClient;
everything here is pure.
"""

from __future__ import annotations

import functools
import importlib
import json
import logging
import platform
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import httpx

from ._bounded import ACCEPT_ENCODING
from ._config import origin
from ._models import Engagement, Page, ParseError
from ._version import __version__
from .errors import (
    ApiError,
    AuthenticationError,
    InvalidParameterError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
    UntrustedURLError,
)

if TYPE_CHECKING:
    from ._rules import ParameterRule

logger = logging.getLogger("studio_engagements")

USER_AGENT = (
    f"twilio-studio-engagements/{__version__} "
    f"(Python {platform.python_version()}; httpx {httpx.__version__})"
)
DEPRECATION = (
    "Twilio has deprecated Studio Engagements; new integrations should read Executions "
    "(GET /v1/Flows/{FlowSid}/Executions). This client keeps reading engagement history."
)


@functools.cache
def fast_loads() -> Callable[[bytes], Any] | None:
    """msgspec's JSON decoder (a dependency), or None where it cannot be imported: then json.

    It decodes a page about twice as fast as the json module, and where it succeeds its result
    is json's, big integers included (orjson's is not: it turns them into floats). It is
    imported at the first page, not with this package.
    """
    try:
        decode: Callable[[bytes], Any] = importlib.import_module("msgspec.json").decode
    except ImportError:
        return None
    return decode


def json_decoder() -> str:
    """The name of the JSON decoder pages are read with: ``msgspec`` or ``json``."""
    return "json" if fast_loads() is None else "msgspec"


def decode_json(content: bytes) -> Any:
    """``json.loads(content)``, decoded by msgspec when it can be imported (it is a dependency).

    The result and the errors are json's: msgspec refuses a few things json accepts (NaN,
    numbers beyond float range, lone surrogates, a BOM), so on any msgspec error json has the
    last word.
    """
    loads = fast_loads()
    if loads is not None:
        try:
            return loads(content)
        except (ValueError, RecursionError):
            pass
    return json.loads(content)


def _packaged_rules() -> dict[str, ParameterRule]:
    # Imported at the first request, not with the package: `import studio_engagements` stays
    # close to `import httpx` (issue 6).
    from ._rules import packaged_rules

    return packaged_rules()


def check(parameter: str, api_name: str, value: object) -> None:
    """Raise InvalidParameterError unless ``value`` satisfies the spec's rule for ``api_name``."""
    rule = _packaged_rules()[api_name]
    if not rule.allows(value):
        raise InvalidParameterError(
            parameter, value, f"{rule.describe()} ({api_name} in the OpenAPI document)"
        )


def check_limit(limit: object) -> None:
    """``limit`` is the client's own: None for everything, or a whole number >= 1."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidParameterError("limit", limit, "None or an integer >= 1")


def max_page_size() -> int:
    """The largest PageSize the spec allows."""
    maximum = _packaged_rules()["PageSize"].maximum
    assert maximum is not None, "the spec gives PageSize a maximum"
    return maximum


def stream_page_size(page_size: int | None, limit: int | None) -> int:
    """The page size a stream asks for: the caller's, else the largest that does not overshoot."""
    if page_size is not None:
        return page_size
    largest = max_page_size()
    return largest if limit is None else min(limit, largest)


def first_page_url(
    base_url: httpx.URL,
    flow_sid: object,
    *,
    page_size: int | None,
    page: int | None = None,
    page_token: str | None = None,
) -> httpx.URL:
    """Check the arguments, then build the URL of a first (or chosen) page from the spec's path."""
    from studio_engagements_api._parameters import PATH

    values = {"FlowSid": flow_sid, "PageSize": page_size, "Page": page, "PageToken": page_token}
    rules = _packaged_rules()
    for name, value in values.items():
        if value is not None or rules[name].required:
            check(_ARGUMENTS[name], name, value)
    path = _PATH_PARAMETER.sub(lambda match: quote(str(values[match[1]]), safe=""), PATH)
    query = [
        (rule.name, values[rule.name])
        for rule in rules.values()
        if rule.location == "query" and values.get(rule.name) is not None
    ]
    # The base URL may carry a path prefix (a proxy, a mock mounted below a path).
    return base_url.copy_with(path=_prefix(base_url) + path, params=query)


# The client's argument name for each API parameter name, for error messages.
_ARGUMENTS = {
    "FlowSid": "flow_sid",
    "PageSize": "page_size",
    "Page": "page",
    "PageToken": "page_token",
}
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")


def trusted_url(url: object, base_url: httpx.URL) -> httpx.URL:
    """A next_page_url or user-given page URL, only if it is on the configured origin."""
    if not isinstance(url, str | httpx.URL):
        raise InvalidParameterError("url", url, "a page URL string")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise UntrustedURLError(str(url), str(base_url)) from None
    if (
        not parsed.is_absolute_url
        or origin(parsed) != origin(base_url)
        or parsed.userinfo
        or not parsed.path.startswith(_prefix(base_url) + "/")
    ):
        raise UntrustedURLError(str(url), str(base_url))
    return parsed


def _prefix(base_url: httpx.URL) -> str:
    """The base URL's path without its trailing slash ("" for a bare host)."""
    return base_url.path.rstrip("/")


def build_request(
    client: httpx.Client | httpx.AsyncClient,
    url: httpx.URL,
    *,
    authorization: str,
    timeout: httpx.Timeout,
) -> httpx.Request:
    """The GET for one page, with credentials in a header (never in the URL)."""
    return client.build_request(
        "GET",
        url,
        headers={
            "Authorization": authorization,
            "User-Agent": USER_AGENT,
            "Accept": "application/json",
            "Accept-Encoding": ACCEPT_ENCODING,
        },
        timeout=timeout,
    )


def read_page(response: httpx.Response) -> Page:
    """Turn a 200 into a Page, or raise the typed error the response deserves."""
    url = str(response.request.url)
    request_id = response.headers.get("Twilio-Request-Id")
    if response.status_code != 200:
        raise api_error(response)
    try:
        body = decode_json(response.content)
    except (ValueError, RecursionError):
        raise UnexpectedResponseError(
            "the body is not JSON",
            status=200,
            url=url,
            body=response.content,
            request_id=request_id,
        ) from None
    try:
        return Page.from_dict(body)
    except (ParseError, RecursionError) as exc:
        raise UnexpectedResponseError(
            str(exc), status=200, url=url, body=response.content, request_id=request_id
        ) from None


_ERROR_CLASSES: dict[int, type[ApiError]] = {
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
}


def api_error(response: httpx.Response) -> StudioErrorLike:
    """The typed error for a non-200 answer; tolerant of bodies that are not Twilio's JSON."""
    status = response.status_code
    url = str(response.request.url)
    request_id = response.headers.get("Twilio-Request-Id")
    if status < 400:
        return UnexpectedResponseError(
            f"status {status} is not an answer this endpoint gives (redirects are not followed)",
            status=status,
            url=url,
            body=response.content,
            request_id=request_id,
        )
    fields: dict[str, Any] = {}
    try:
        decoded = json.loads(response.content)
        if isinstance(decoded, dict):
            fields = decoded
    except (ValueError, RecursionError):
        pass
    code = fields.get("code")
    message = fields.get("message")
    more_info = fields.get("more_info")
    cls = _ERROR_CLASSES.get(status, ServerError if status >= 500 else ApiError)
    return cls(
        status=status,
        code=code if isinstance(code, int) and not isinstance(code, bool) else None,
        message=message
        if isinstance(message, str) and message
        else f"HTTP {status} {response.reason_phrase}".strip(),
        more_info=more_info if isinstance(more_info, str) else None,
        url=url,
        request_id=request_id,
    )


StudioErrorLike = ApiError | UnexpectedResponseError


def log_attempt(request: httpx.Request, outcome: str, elapsed: float, attempt: int) -> None:
    """One DEBUG line per attempt; the URL never holds credentials (they travel in a header)."""
    if logger.isEnabledFor(logging.DEBUG):
        logger.debug(
            "GET %s -> %s in %.0f ms (attempt %d)",
            request.url,
            outcome,
            elapsed * 1000,
            attempt + 1,
        )


def next_url(page: Page, base_url: httpx.URL, seen: set[str]) -> httpx.URL | None:
    """The URL of the page after ``page``, checked; None on the last page.

    ``seen`` holds the URLs already read (as asked, and as each page's ``meta.url`` spells
    itself): a next_page_url pointing back to one of them would loop forever, so it is an error.
    """
    if page.meta.url is not None:
        seen.add(page.meta.url)
    raw = page.meta.next_page_url
    if raw is None:
        return None
    url = trusted_url(raw, base_url)
    if str(url) in seen or raw in seen:
        raise UnexpectedResponseError(
            f"next_page_url {raw!r} points back to a page already read",
            status=200,
            url=page.meta.url or raw,
        )
    seen.add(str(url))
    return url


def take(page: Page, remaining: int | None) -> list[Engagement]:
    """The engagements of ``page`` a stream still owes, given how many it may still yield."""
    return page.engagements if remaining is None else page.engagements[:remaining]
