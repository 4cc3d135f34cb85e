"""Reading an answer: JSON decoding, a 200 into a Page, an error status into a typed error."""

from __future__ import annotations

import functools
import importlib
import json
from collections.abc import Callable
from typing import Any

import httpx

from .errors import (
    ApiError,
    AuthenticationError,
    NotFoundError,
    RateLimitError,
    ServerError,
    UnexpectedResponseError,
)

_ERROR_CLASSES: dict[int, type[ApiError]] = {
    401: AuthenticationError,
    403: AuthenticationError,
    404: NotFoundError,
    429: RateLimitError,
}


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


def read_page(response: httpx.Response, model: str = "Page") -> Any:
    """A 200's body as the ``_models`` class named ``model`` (a Page by default).

    UnexpectedResponseError if it is not one.
    """
    url = str(response.request.url)
    request_id = response.headers.get("Twilio-Request-Id")
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
    # The generated models are imported at the first page, not with the package.
    from . import _models
    from ._models import ParseError

    try:
        return getattr(_models, model).from_dict(body)
    except (ParseError, RecursionError) as exc:
        raise UnexpectedResponseError(
            str(exc), status=200, url=url, body=response.content, request_id=request_id
        ) from None


def api_error(response: httpx.Response) -> ApiError | UnexpectedResponseError:
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
