"""Text shown to people: short reprs, excerpts of bodies, URLs without their passwords."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?<=//)[^/?#\s]*@")


def redact_userinfo(text: str) -> str:
    """``text`` with the ``user:password@`` of any URL in it replaced by ``***@``."""
    return _USERINFO.sub("***@", text)


def excerpt(body: bytes, limit: int = 200) -> str:
    """The first ``limit`` characters of a body, decoded leniently, for error messages."""
    text = body[: limit * 4].decode("utf-8", "replace")
    return text if len(text) <= limit else text[:limit] + "…"


def short_repr(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
