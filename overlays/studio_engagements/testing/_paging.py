"""Paging, written once for every list: positions from ``Page``/``PageSize`` or an opaque signed
``PageToken``, and ``meta`` with its URLs on the origin the request came to. A list says what a
position is (:class:`PagedList`): an offset, or for a list that moves with the clock a place
that stays true while it moves."""

from __future__ import annotations

import base64
import dataclasses
import hmac
from collections.abc import Callable
from typing import Any, Protocol
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


class PagedList(Protocol):
    """A list as paging sees it: pages start at positions, which page tokens carry.

    An offset list's position is the offset of the page's first record. A list that changes
    while it is walked (engagements, newest first, as the clock moves) picks positions that
    stay true: e.g. "older than the last record served", so a walk skips and repeats nothing.
    """

    def position(self, offset: int) -> int:
        """The position of the record ``offset`` records from the top (past the end: an empty
        page's position)."""
        ...

    def page(self, position: int, size: int) -> tuple[list[dict[str, Any]], int | None]:
        """Up to ``size`` records from ``position``, and the next page's position (None: none)."""
        ...

    def previous(self, position: int, size: int) -> int | None:
        """The position of the page of ``size`` records before ``position`` (None: first)."""
        ...


@dataclasses.dataclass(frozen=True, slots=True)
class OffsetList:
    """A list of ``count`` records that only ever grows at its end (steps) or never changes
    (flows): positions are offsets; ``records(start, end)`` makes them."""

    count: int
    records: Callable[[int, int], list[dict[str, Any]]]

    def position(self, offset: int) -> int:
        return offset

    def page(self, position: int, size: int) -> tuple[list[dict[str, Any]], int | None]:
        end = min(position + size, self.count)
        records = self.records(position, end) if position < end else []
        return records, end if end < self.count else None

    def previous(self, position: int, size: int) -> int | None:
        # An offset past the end has the last full page before the end as its previous page.
        return max(0, min(position, self.count) - size) if position > 0 else None


def page_body(
    tokens: PageTokens,
    asked: PageAsked,
    *,
    origin: str,
    path: str,
    list_key: str,
    listing: PagedList,
    null_meta: bool = False,
) -> dict[str, Any]:
    """The page of ``listing``, the list at ``path`` (reached on ``origin``), that ``asked``
    names. ``null_meta``: every ``meta`` key null but the ones paging follows.
    :class:`InvalidPageToken` for a token not issued for this list."""
    page_size, page = asked.page_size, asked.page
    if asked.token is None:
        position = listing.position(page * page_size)
    else:
        found = tokens.offset(path, asked.token)
        if found is None:
            raise InvalidPageToken(f"Invalid PageToken: {asked.token!r} was not issued for {path}")
        position = found
    records, following = listing.page(position, page_size)
    previous = listing.previous(position, page_size)

    def link(number: int, start: int | None) -> str:
        """The URL of page ``number`` (with a token for ``start`` unless None)."""
        query: list[tuple[str, object]] = [("PageSize", page_size), ("Page", number)]
        if start is not None:
            query.append(("PageToken", tokens.issue(path, start)))
        return f"{origin}{path}?{urlencode(query)}"

    meta: dict[str, object] = {
        "first_page_url": link(0, None),
        "key": list_key,
        "next_page_url": None if following is None else link(page + 1, following),
        "page": page,
        "page_size": page_size,
        "previous_page_url": None if previous is None else link(max(page - 1, 0), previous),
        # Tokens are canonical: re-issuing the one given spells it exactly as sent.
        "url": link(page, None if asked.token is None else position),
    }
    if null_meta:  # what the contract allows: every key null but those paging follows
        meta = {key: meta[key] if key in PAGING_KEYS else None for key in meta}
    return {list_key: records, "meta": meta}
