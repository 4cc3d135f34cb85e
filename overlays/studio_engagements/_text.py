"""Text shown to people: short reprs, capped and cleaned server text, URLs without secrets."""

from __future__ import annotations

import re

_USERINFO = re.compile(r"(?<=//)[^/?#\s]*@")
# C0 and C1 controls and DEL (ESC, BEL, CR... would drive a terminal or forge log lines), and
# the bidirectional overrides that reorder what a terminal shows.
_CONTROLS = re.compile(r"[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
# What a server's text (an error message, a link, a request id) may take in an error: a few KB.
SERVER_TEXT_LIMIT = 2000


def redact_userinfo(text: str) -> str:
    """``text`` with the ``user:password@`` of any URL in it replaced by ``***@``."""
    return _USERINFO.sub("***@", text)


def redact_url(url: str) -> str:
    """``url`` without its password, query or fragment (any of them may hold a secret)."""
    scheme, slashes, rest = url.partition("//")
    if "@" in rest:  # the last "@": a password may hold "@", "/" or "?" typed unescaped
        rest = "***@" + rest.rpartition("@")[2]
    cut = min((i for i in (rest.find("?"), rest.find("#")) if i >= 0), default=len(rest))
    return scheme + slashes + rest[:cut] + ("?***" if cut < len(rest) else "")


def clean(text: str, limit: int = SERVER_TEXT_LIMIT) -> str:
    """Server text made safe to show: control characters as spaces, at most ``limit`` chars."""
    # Cut before cleaning (one space per character keeps the length): no 20 MB regex pass.
    text = _CONTROLS.sub(" ", text[: limit + 1])
    return text if len(text) <= limit else text[: limit - 1] + "…"


def excerpt(body: bytes, limit: int = 200) -> str:
    """The first ``limit`` characters of a body, decoded leniently and cleaned, for errors."""
    return clean(body[: limit * 4].decode("utf-8", "replace"), limit + 1)


def short_repr(value: object, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"
