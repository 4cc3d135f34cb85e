"""Building a request: argument checks from the spec, page URLs, origin trust, headers."""

from __future__ import annotations

import functools
import platform
import re
from urllib.parse import quote

import httpx
from httpx import __version__ as httpx_version

from studio_engagements_api._parameters import PARAMETERS, PATH

from ._body import ACCEPT_ENCODING
from ._config import _DNS_LABEL, origin
from ._rules import ParameterRule, rules_from_parameters
from ._version import __version__
from .errors import InvalidParameterError, UntrustedURLError

USER_AGENT = (
    f"twilio-studio-engagements/{__version__} "
    f"(Python {platform.python_version()}; httpx {httpx_version})"
)
_PATH_PARAMETER = re.compile(r"\{([^}]+)\}")
# Twilio's Studio hosts: global, regional (studio.us1...), regional with an edge.
_STUDIO_HOST = re.compile(rf"studio(?:\.{_DNS_LABEL.pattern}){{0,2}}\.twilio\.com")


def argument_name(api_name: str) -> str:
    """The client's argument for an API parameter: ``PageSize`` is ``page_size``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", api_name).lower()


# The client's argument name for each of the spec's parameters (``FlowSid``: ``flow_sid``).
ARGUMENTS = {parameter["name"]: argument_name(parameter["name"]) for parameter in PARAMETERS}


@functools.cache
def packaged_rules() -> dict[str, ParameterRule]:
    """The rules of the spec the client was generated from (no YAML parsing)."""
    return rules_from_parameters(PARAMETERS)


def check(parameter: str, api_name: str, value: object) -> None:
    """Raise InvalidParameterError unless ``value`` satisfies the spec's rule for ``api_name``."""
    rule = packaged_rules()[api_name]
    if not rule.allows(value):
        raise InvalidParameterError(
            parameter, value, f"{rule.describe()} ({api_name} in the OpenAPI document)"
        )


def page_url(
    base_url: httpx.URL,
    flow_sid: object,
    *,
    page_size: int | None,
    page: int | None = None,
    page_token: str | None = None,
) -> httpx.URL:
    """Check the arguments, then build the URL of a first (or chosen) page from the spec's path."""
    given = {"flow_sid": flow_sid, "page_size": page_size, "page": page, "page_token": page_token}
    values = {name: given[argument] for name, argument in ARGUMENTS.items()}
    rules = packaged_rules()
    for name, value in values.items():
        if value is not None or rules[name].required:
            check(ARGUMENTS[name], name, value)
    path = _PATH_PARAMETER.sub(lambda match: quote(str(values[match[1]]), safe=""), PATH)
    query = [
        (rule.name, values[rule.name])
        for rule in rules.values()
        if rule.location == "query" and values.get(rule.name) is not None
    ]
    # The base URL may carry a path prefix (a proxy, a mock mounted below a path).
    return base_url.copy_with(path=_prefix(base_url) + path, params=query)


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
    url: object, base_url: httpx.URL, flow_sid: object, page_size: int | None
) -> httpx.URL:
    """A saved page URL to continue ``flow_sid`` from: trusted, of that flow, of that page size."""
    first = page_url(base_url, flow_sid, page_size=page_size)
    trusted = trusted_url(url, base_url)
    if trusted.path != first.path:
        raise InvalidParameterError(
            "start_url", str(url), f"a page URL of flow {flow_sid} (path {first.path})"
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
