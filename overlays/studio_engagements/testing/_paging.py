"""Paging, written once for every list: offsets from ``Page``/``PageSize`` or an opaque signed
``PageToken``, and ``meta`` with its URLs on the origin the request came to."""

from __future__ import annotations

import base64
import dataclasses
import hmac
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

TOKEN_PREFIX = "PT"  # noqa: S105 (a marker, not a secret)
MAC_SIZE = 10  # with the 8-byte position, 18 bytes: 24 base64 characters, no padding
PAGING_KEYS = frozenset({"next_page_url", "previous_page_url"})


class InvalidPageToken(ValueError):
    """A ``PageToken`` this mock did not issue for that list (forged, edited, another list's)."""


@dataclasses.dataclass(frozen=True, slots=True)
class PageTokens:
    """Opaque page tokens: a list position signed so that a forged or edited token is refused."""

    key: bytes = dataclasses.field(repr=False)

    def issue(self, list_path: str, offset: int) -> str:
        """The token for the page of the list at ``list_path`` that starts at ``offset``."""
        position = offset.to_bytes(8, "big")
        return TOKEN_PREFIX + _b64(position + self._mac(list_path, position))

    def offset(self, list_path: str, token: str) -> int | None:
        """Where ``token`` starts in the list at ``list_path``, or None if not issued for it."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        text = token[len(TOKEN_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except ValueError:
            return None
        # The decoder skips stray characters and spare bits: only the canonical spelling counts.
        if _b64(raw) != text or len(raw) != 8 + MAC_SIZE:
            return None
        position, mac = raw[:8], raw[8:]
        if not hmac.compare_digest(mac, self._mac(list_path, position)):
            return None
        return int.from_bytes(position, "big")

    def _mac(self, list_path: str, position: bytes) -> bytes:
        return hmac.digest(self.key, list_path.encode() + position, "sha256")[:MAC_SIZE]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


@dataclasses.dataclass(frozen=True, slots=True)
class PageAsked:
    """What a request asks of a list: ``PageSize``, ``Page`` and ``PageToken`` as given."""

    page_size: int
    page: int
    token: str | None


def page_body(
    tokens: PageTokens,
    asked: PageAsked,
    *,
    origin: str,
    path: str,
    list_key: str,
    count: int,
    records: Callable[[int, int], list[dict[str, Any]]],
    null_meta: bool = False,
) -> dict[str, Any]:
    """The page of the list at ``path`` (reached on ``origin``) of ``count`` records that ``asked``
    names; ``records(start, end)`` makes them. ``null_meta``: every ``meta`` key null but the
    ones paging follows. :class:`InvalidPageToken` for a token not issued for this list."""
    page_size, page = asked.page_size, asked.page
    if asked.token is None:
        offset = page * page_size
    else:
        found = tokens.offset(path, asked.token)
        if found is None:
            raise InvalidPageToken(f"Invalid PageToken: {asked.token!r} was not issued for {path}")
        offset = found
    end = min(offset + page_size, count)

    def link(number: int, start: int | None) -> str:
        """The URL of page ``number`` (with a token for ``start`` unless None)."""
        query: list[tuple[str, object]] = [("PageSize", page_size), ("Page", number)]
        if start is not None:
            query.append(("PageToken", tokens.issue(path, start)))
        return f"{origin}{path}?{urlencode(query)}"

    # An offset past the end has the last full page before the end as its previous page.
    previous = max(0, min(offset, count) - page_size)
    meta: dict[str, object] = {
        "first_page_url": link(0, None),
        "key": list_key,
        "next_page_url": link(page + 1, end) if end < count else None,
        "page": page,
        "page_size": page_size,
        "previous_page_url": link(max(page - 1, 0), previous) if offset > 0 else None,
        # Tokens are canonical: re-issuing the one given spells it exactly as sent.
        "url": link(page, None if asked.token is None else offset),
    }
    if null_meta:  # what the contract allows: every key null but those paging follows
        meta = {key: meta[key] if key in PAGING_KEYS else None for key in meta}
    return {list_key: records(offset, end) if offset < end else [], "meta": meta}
