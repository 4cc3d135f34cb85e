"""Paging, written once: page sizes, following next_page_url safely, loops, ``limit``.

Both clients' ``pages``/``stream`` and the CLI's export drive a :class:`Walk` and a
:class:`Limit`; only fetching a page (blocking or awaited) is theirs.
"""

from __future__ import annotations

import contextlib
from typing import TYPE_CHECKING, Any, NoReturn, Protocol

import httpx

from ._request import LIST_ENGAGEMENT, packaged_rules, trusted_url
from .errors import InvalidParameterError, UnexpectedResponseError

if TYPE_CHECKING:
    from ._models import PageMeta


class AnyPage(Protocol):
    """A page of any list: its records under the list's key, and ``meta``."""

    @property
    def meta(self) -> PageMeta: ...


# The key of the records in an engagements page (the CLI's export walks those).
ENGAGEMENTS = "engagements"


def records(page: AnyPage, key: str) -> list[Any]:
    """The records of ``page``, under its list's ``key`` (``flows``, ``engagements``, ``steps``)."""
    found: list[Any] = getattr(page, key)
    return found


def check_limit(limit: object) -> None:
    """``limit`` is the client's own: None for everything, or a whole number >= 1."""
    if limit is not None and (isinstance(limit, bool) or not isinstance(limit, int) or limit < 1):
        raise InvalidParameterError("limit", limit, "None or an integer >= 1")


def max_page_size(operation_id: str = LIST_ENGAGEMENT) -> int:
    """The largest PageSize the spec allows the list operation."""
    maximum = packaged_rules(operation_id)["PageSize"].maximum
    assert maximum is not None, "the spec gives PageSize a maximum"
    return maximum


def stream_page_size(
    page_size: int | None, limit: int | None, operation_id: str = LIST_ENGAGEMENT
) -> int:
    """The page size a stream asks for: the caller's, else the largest that does not overshoot."""
    if page_size is not None:
        return page_size
    largest = max_page_size(operation_id)
    return largest if limit is None else min(limit, largest)


# A walk ends with an error after this many empty pages in a row that each point onward: a
# server that makes no progress would otherwise be read forever.
MAX_EMPTY_PAGES = 10


def page_key(url: httpx.URL) -> tuple[str, tuple[tuple[str, str], ...]]:
    """What makes two page URLs the same page: the path and the parameters in any order.

    The fragment (never sent) and the origin (every page is read on the configured one) are
    left out, so no spelling of a page already read escapes the loop check.
    """
    return url.path, tuple(sorted(url.params.multi_items()))


class Walk:
    """Where a walk through a list's pages stands: the URL to read next, and those already read.

    Every next page must belong to the list of the first (the same path: the same flow, the
    same parent), be a page not read before, and empty pages may not point onward forever.
    """

    def __init__(self, first: httpx.URL, base_url: httpx.URL, key: str = ENGAGEMENTS) -> None:
        self.next: httpx.URL | None = first
        self._key = key
        self._base_url = base_url
        self._list_path = first.path
        self._seen = {page_key(first)}
        self._empty = 0

    def follow(self, page: AnyPage) -> None:
        """Move past ``page`` (the one at ``next``): to its checked next_page_url, or to the end.

        UnexpectedResponseError if the next_page_url names another list, points back to a page
        already read (as asked, or as a page's ``meta.url`` spells itself), or follows too
        many empty pages; UntrustedURLError if it is not on the configured origin.
        """
        if page.meta.url is not None:
            with contextlib.suppress(httpx.InvalidURL, ValueError, TypeError):
                self._seen.add(page_key(httpx.URL(page.meta.url)))
        raw = page.meta.next_page_url
        if raw is None:
            self.next = None
            return
        url = trusted_url(raw, self._base_url)
        self._empty = 0 if records(page, self._key) else self._empty + 1
        if url.path != self._list_path:
            self._refuse(page, f"next_page_url {raw!r} is a page of another list ({url.path})")
        if page_key(url) in self._seen:
            self._refuse(page, f"next_page_url {raw!r} points back to a page already read")
        if self._empty >= MAX_EMPTY_PAGES:
            self._refuse(page, f"{self._empty} empty pages in a row, each pointing onward")
        self._seen.add(page_key(url))
        self.next = url

    def _refuse(self, page: AnyPage, reason: str) -> NoReturn:
        raise UnexpectedResponseError(
            f"{reason}; the walk of {self._list_path} stops there",
            status=200,
            url=page.meta.url or str(self.next),
        )


class Limit:
    """How many records (engagements by default) a walk still owes: None for all of them."""

    def __init__(self, limit: int | None, key: str = ENGAGEMENTS) -> None:
        check_limit(limit)
        self.remaining = limit
        self._key = key

    @property
    def done(self) -> bool:
        """Whether every record owed has been taken."""
        return self.remaining == 0

    def take(self, page: AnyPage) -> list[Any]:
        """The records of ``page`` still owed (all, or the first ``remaining``)."""
        if self.remaining is None:
            return records(page, self._key)
        batch = records(page, self._key)[: self.remaining]
        self.remaining -= len(batch)
        return batch
