"""Paging, written once: the page size to ask for, following next_page_url, loops, ``limit``.

Both clients' ``pages``/``stream`` and the CLI's export drive a :class:`Walk` and a
:class:`Limit`; only fetching a page (blocking or awaited) is theirs.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import httpx

from ._request import packaged_rules, trusted_url
from .errors import InvalidParameterError, UnexpectedResponseError

if TYPE_CHECKING:
    from ._models import Engagement, Page


def check_limit(limit: object) -> None:
    """``limit`` is the client's own: None for everything, or a whole number >= 1."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidParameterError("limit", limit, "None or an integer >= 1")


def max_page_size() -> int:
    """The largest PageSize the spec allows."""
    maximum = packaged_rules()["PageSize"].maximum
    assert maximum is not None, "the spec gives PageSize a maximum"
    return maximum


def stream_page_size(page_size: int | None, limit: int | None) -> int:
    """The page size a stream asks for: the caller's, else the largest that does not overshoot."""
    if page_size is not None:
        return page_size
    largest = max_page_size()
    return largest if limit is None else min(limit, largest)


class Walk:
    """Where a walk through a flow's pages stands: the URL to read next, and those already read."""

    def __init__(self, first: httpx.URL, base_url: httpx.URL) -> None:
        self.next: httpx.URL | None = first
        self._base_url = base_url
        self._seen = {str(first)}

    def follow(self, page: Page) -> None:
        """Move past ``page`` (the one at ``next``): to its checked next_page_url, or to the end.

        A next_page_url that points back to a page already read (as asked, or as a page's
        ``meta.url`` spells itself) would loop forever: UnexpectedResponseError.
        """
        if page.meta.url is not None:
            self._seen.add(page.meta.url)
        raw = page.meta.next_page_url
        if raw is None:
            self.next = None
            return
        url = trusted_url(raw, self._base_url)
        if str(url) in self._seen or raw in self._seen:
            raise UnexpectedResponseError(
                f"next_page_url {raw!r} points back to a page already read",
                status=200,
                url=page.meta.url or str(self.next),
            )
        self._seen.add(str(url))
        self.next = url


class Limit:
    """How many engagements a walk still owes: None for all of them."""

    def __init__(self, limit: int | None) -> None:
        check_limit(limit)
        self.remaining = limit

    @property
    def done(self) -> bool:
        """Whether every engagement owed has been taken."""
        return self.remaining == 0

    def take(self, page: Page) -> list[Engagement]:
        """The engagements of ``page`` still owed (all, or the first ``remaining``)."""
        if self.remaining is None:
            return page.engagements
        batch = page.engagements[: self.remaining]
        self.remaining -= len(batch)
        return batch
