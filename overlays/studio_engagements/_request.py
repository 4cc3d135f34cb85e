"""Building a request: argument checks from the spec, page URLs, origin trust, headers."""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Mapping
from urllib.parse import quote, quote_plus

import httpx
from httpx import __version__ as httpx_version

from studio_engagements_api._parameters import OPERATIONS

from ._body import ACCEPT_ENCODING
from ._config import _DNS_LABEL, origin
from ._rules import ParameterRule
from ._version import __version__
from .errors import InvalidParameterError, UntrustedURLError
from .rules import argument_name, check, packaged_rules

# sys.version_info, not platform.python_version(): importing platform costs about 1 ms.
USER_AGENT = (
    f"twilio-studio-engagements/{__version__} "
    f"(Python {'.'.join(map(str, sys.version_info[:3]))}; httpx {httpx_version})"
)
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
# Twilio's Studio hosts: global, regional (studio.us1...), regional with an edge.
_STUDIO_HOST = re.compile(rf"studio(?:\.{_DNS_LABEL.pattern}){{0,2}}\.twilio\.com")


def operation_url(
    base_url: httpx.URL,
    operation_id: str,
    path_arguments: Mapping[str, object],
    **query: object,
) -> httpx.URL:
    """Check the arguments, then build the URL of one operation from the spec's path.

    ``path_arguments`` (the client's argument names, in the path's order) fill the path's
    parameters in order; ``query`` is keyed by argument name (``page_size`` for ``PageSize``).
    """
    in_path, in_query = _split_rules(operation_id)
    assert len(in_path) == len(path_arguments), (operation_id, list(path_arguments))
    values: dict[str, object] = {}
    for rule, (argument, value) in zip(in_path, path_arguments.items(), strict=True):
        check(argument, rule.name, value, operation_id)
        values[rule.name] = value
    # The spec's path, split once: its literal text around the parameters, named in order.
    *pieces, last = _path_pieces(operation_id)
    # The base URL as text (it holds no query, fragment or credentials: Settings refuses them).
    path = [str(base_url).rstrip("/")]
    for literal, name in pieces:
        path += (literal, quote(str(values[name]), safe=""))
    path.append(last[0])
    separator = "?"
    for argument, rule in in_query:
        value = query.get(argument)
        if value is not None or rule.required:
            check(argument, rule.name, value, operation_id)
            path += (separator, rule.name, "=", quote_plus(str(value), safe=""))
            separator = "&"
    # The parameters are percent-encoded as httpx would.
    return _parsed("".join(path))


@functools.lru_cache(maxsize=256)
def _parsed(text: str) -> httpx.URL:
    """``text`` as an httpx URL (immutable: shared), parsed once while it is among the last 256
    asked for: a page read again, a list of one parent walked again. One parse of the whole
    text costs less than ``copy_with``, which parses every part again."""
    return httpx.URL(text)


@functools.cache
def _path_pieces(operation_id: str) -> list[tuple[str, str]]:
    """An operation's path as (literal text, the parameter after it) pairs; the last pair is the
    text after the last parameter, with no name."""
    parts = _PATH_PARAMETER.split(OPERATIONS[operation_id]["path"])
    # split() alternates literal text and parameter names: even indexes are literals.
    return list(zip(parts[::2], [*parts[1::2], ""], strict=True))


@functools.cache
def _split_rules(
    operation_id: str,
) -> tuple[list[ParameterRule], list[tuple[str, ParameterRule]]]:
    """The operation's path rules in order, and its query rules with their argument names."""
    rules = packaged_rules(operation_id).values()
    return [rule for rule in rules if rule.location == "path"], [
        (argument_name(rule.name), rule) for rule in rules if rule.location == "query"
    ]


def list_url(url: object, base_url: httpx.URL, operation_id: str) -> httpx.URL:
    """A user-given page URL (e.g. a record's ``links`` URL): trusted, and a page of that list.

    Its path must be the operation's, with path parameters its rules allow; a URL of another
    list (or of a record) raises InvalidParameterError before anything is sent.
    """
    trusted = trusted_url(url, base_url)
    template = OPERATIONS[operation_id]["path"]
    found = _route(template).fullmatch(trusted.path[len(_prefix(base_url)) :])
    if found is None:
        raise InvalidParameterError("url", str(url), f"a page URL of {template}")
    for name, value in found.groupdict().items():
        check("url", name, value, operation_id)
    return trusted


def path_values(url: httpx.URL, base_url: httpx.URL, operation_id: str) -> dict[str, str]:
    """The path parameters ``url`` (a trusted URL of the operation) gives, by API name
    (``{"FlowSid": "FW..."}``); empty when its path is not the operation's."""
    template = OPERATIONS[operation_id]["path"]
    found = _route(template).fullmatch(url.path[len(_prefix(base_url)) :])
    return {} if found is None else found.groupdict()


@functools.cache
def _route(template: str) -> re.Pattern[str]:
    """A path template as a pattern: each ``{Name}`` one path segment, as group ``Name``."""
    parts = _PATH_PARAMETER.split(template)
    # split() alternates literal text and parameter names: even indexes are literals.
    return re.compile(
        "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]+)" for i, part in enumerate(parts)
        )
    )


def trusted_url(url: object, base_url: httpx.URL) -> httpx.URL:
    """A next_page_url or user-given page URL, only if it is on the configured origin.

    One on a Twilio Studio host (``studio.twilio.com``, ``studio[.edge].region.twilio.com``)
    is taken to the configured origin, as twilio-python does (a regional client reads a
    ``next_page_url`` that names the global host); any other origin is refused.
    """
    if not isinstance(url, str | httpx.URL):
        raise InvalidParameterError("url", url, "a page URL string")
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, ValueError, TypeError):
        raise UntrustedURLError(str(url), str(base_url)) from None
    if (
        parsed.is_absolute_url
        and not parsed.userinfo
        and origin(parsed) != origin(base_url)
        and _on_studio_host(parsed)
    ):
        parsed = parsed.copy_with(
            scheme=base_url.scheme,
            host=base_url.host,
            port=base_url.port,
            path=_prefix(base_url) + parsed.path,
        )
    if (
        not parsed.is_absolute_url
        or origin(parsed) != origin(base_url)
        or parsed.userinfo
        or not parsed.path.startswith(_prefix(base_url) + "/")
    ):
        raise UntrustedURLError(str(url), str(base_url))
    return parsed


def _on_studio_host(url: httpx.URL) -> bool:
    """Whether ``url`` is https on a Twilio Studio host, at the default port."""
    return origin(url)[::2] == ("https", 443) and bool(_STUDIO_HOST.fullmatch(url.host.lower()))


def resume_url(
    url: object, base_url: httpx.URL, first: httpx.URL, page_size: int | None
) -> httpx.URL:
    """A saved page URL to continue the list of ``first`` from: trusted, that list, that size."""
    trusted = trusted_url(url, base_url)
    if trusted.path != first.path:
        raise InvalidParameterError(
            "start_url", str(url), f"a page URL of the same list (path {first.path})"
        )
    asked = trusted.params.get("PageSize")
    if page_size is not None and asked is not None and asked != str(page_size):
        raise InvalidParameterError(
            "page_size", page_size, f"None or {asked}, the PageSize start_url already asks for"
        )
    return trusted


def _prefix(base_url: httpx.URL) -> str:
    """The base URL's path without its trailing slash ("" for a bare host)."""
    return base_url.path.rstrip("/")


def request_headers(authorization: str) -> list[tuple[str, str]]:
    """The headers of every GET a client sends: credentials travel here, never in the URL
    (made for each request, so that no object the client keeps holds them in the clear)."""
    return [
        ("Authorization", authorization),
        ("User-Agent", USER_AGENT),
        ("Accept", "application/json"),
        ("Accept-Encoding", ACCEPT_ENCODING),
    ]


def build_request(
    http: object, url: httpx.URL, headers: list[tuple[str, str]], *, timeout: httpx.Timeout
) -> httpx.Request:
    """The GET for one page: through a user's httpx client's ``build_request`` (its own headers
    and settings apply), else as is (the client's own transport adds nothing)."""
    if isinstance(http, httpx.Client | httpx.AsyncClient):
        return http.build_request("GET", url, headers=headers, timeout=timeout)
    return httpx.Request("GET", url, headers=headers)
