"""Reading an answer: a 200 into a Page, an error status into a typed error."""

from __future__ import annotations

import json
from types import ModuleType
from typing import Any

import httpx

from ._body import Answer
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


def models() -> ModuleType:
    """The generated models (``_models``), imported on first use.

    The package's one lazy import: attrs, msgspec and the models are about a third of what
    importing the package would cost, and a program's first page (or first use of a model's
    name from ``studio_engagements``) imports them.
    """
    from . import _models

    return _models


def read_page(answer: Answer, request: httpx.Request, model: str = "Page") -> Any:
    """A 200's body as the ``_models`` class named ``model`` (a Page by default);
    UnexpectedResponseError if it is not one.

    msgspec decodes a body straight into the generated models (``from_json``), each record
    keeping its JSON as sent; a body msgspec cannot read that way is read by ``from_dict``,
    with the same values.
    """
    generated = models()
    try:
        return getattr(generated, model).from_json(answer.content)
    except (generated.ParseError, RecursionError) as exc:
        message = str(exc) if isinstance(exc, generated.ParseError) else "the body nests too deeply"
    except ValueError:
        message = "the body is not JSON"
    raise UnexpectedResponseError(
        message,
        status=200,
        url=str(request.url),
        body=answer.content,
        request_id=answer.headers.get("Twilio-Request-Id"),
    ) from None


def api_error(answer: Answer, request: httpx.Request) -> ApiError | UnexpectedResponseError:
    """The typed error for a non-200 answer; tolerant of bodies that are not Twilio's JSON."""
    status = answer.status
    url = str(request.url)
    request_id = answer.headers.get("Twilio-Request-Id")
    if status < 400:
        return UnexpectedResponseError(
            f"status {status} is not an answer this endpoint gives (redirects are not followed)",
            status=status,
            url=url,
            body=answer.content,
            request_id=request_id,
        )
    fields: dict[str, Any] = {}
    try:
        decoded = json.loads(answer.content)
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
        else f"HTTP {status} {httpx.codes.get_reason_phrase(status)}".strip(),
        more_info=more_info if isinstance(more_info, str) else None,
        url=url,
        request_id=request_id,
    )
