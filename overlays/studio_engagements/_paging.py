"""Paging, written once: page sizes, following next_page_url safely, loops, ``limit``.

Both clients' ``pages``/``stream`` and the CLI's export drive a :class:`Walk` and a
:class:`Limit`; only fetching a page (blocking or awaited) is theirs.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, NoReturn, Protocol, TypeVar

import httpx

from studio_engagements_api._parameters import OPERATIONS

from ._request import path_values, trusted_url
from ._response import models
from .errors import InvalidParameterError, StudioError, UnexpectedResponseError
from .rules import LIST_ENGAGEMENT, argument_name, packaged_rules

if TYPE_CHECKING:
    from ._models import PageMeta


class AnyPage(Protocol):
    """A page of any list: its records under the list's key, and ``meta``."""

    @property
    def meta(self) -> PageMeta: ...


P = TypeVar("P", bound=AnyPage)

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


Parents = tuple[tuple[str, str], ...]
"""The record fields naming what was asked for, with its SIDs: ``(("flow_sid", "FW..."),)``."""


def parents_of(arguments: Mapping[str, str]) -> Parents:
    """The record fields for an operation's path arguments keyed by API name: each parameter's
    argument name is the field that names it (``FlowSid``: ``flow_sid``; ``Sid``: ``sid``)."""
    return tuple((argument_name(name), value) for name, value in arguments.items())


def check_parents(records: list[Any], parents: Parents, url: str) -> None:
    """UnexpectedResponseError if a record names another parent than the one asked for.

    A field that is absent or None names nothing: Twilio's contract allows it.
    """
    for field, asked in parents:
        for record in records:
            named = getattr(record, field, None)
            if named is not None and named != asked:
                sid = getattr(record, "sid", None)
                what = f"record {sid}" if isinstance(sid, str) else "a record"
                raise UnexpectedResponseError(
                    f"{what} names {field} {named!r}, but {asked!r} was asked for",
                    status=200,
                    url=url,
                )


class Walk:
    """Where a walk through a list's pages stands: the URL to read next, and what it has seen.

    Every page is first accepted (:meth:`accept`, before anyone sees it): its records must name
    the parents the list's path names, its first record must not be the first of an earlier page
    (a server repeating a page under a fresh token), and the list may not exceed the spec's
    ``x-max-records``. Its next_page_url is judged then, and the verdict is the page's
    ``next_url``: it must belong to the same list (the same path: the same flow, the same
    parent), be on the trusted origin, not be a page already read, and empty pages may not point
    onward forever. A refused next URL raises only when the walk moves on (:meth:`follow`), so a
    caller that stops at its limit on that page never sees it.
    """

    def __init__(
        self, first: httpx.URL, base_url: httpx.URL, operation_id: str = LIST_ENGAGEMENT
    ) -> None:
        self.next: httpx.URL | None = first
        table = OPERATIONS[operation_id]
        self._key = table["list_key"] or ENGAGEMENTS
        self._max_records = table["max_records"]
        self._base_url = base_url
        self._list_path = first.path
        self._parents = parents_of(path_values(first, base_url, operation_id))
        self._first = first
        # The pages read, by page_key: known once a page points onward (a list of one page,
        # e.g. an engagement's steps, needs none of it).
        self._seen: set[tuple[str, tuple[tuple[str, str], ...]]] = set()
        self._firsts: set[str] = set()
        self._records = 0
        self._empty = 0
        self._accepted: object = None
        self._verdict: httpx.URL | StudioError | None = None

    def accept(self, page: P) -> P:
        """Check ``page`` (the one at ``next``) and judge its next URL; ``page`` back, with its
        ``next_url`` set. UnexpectedResponseError if its records are refused."""
        where = page.meta.url or str(self.next)
        items = records(page, self._key)
        check_parents(items, self._parents, where)
        if items:
            first = getattr(items[0], "sid", None)
            if isinstance(first, str):
                if first in self._firsts:
                    self._refuse(
                        where,
                        f"the page starts with {first}, as an earlier page did: "
                        "the same records again under another page URL",
                    )
                self._firsts.add(first)
        self._records += len(items)
        if self._max_records is not None and self._records > self._max_records:
            self._refuse(
                where,
                f"more than {self._max_records:,} {self._key} in one list, the most Studio "
                "allows (x-max-records in the OpenAPI document)",
            )
        cursor: str | StudioError | None
        try:
            self._verdict = self._judge(page, items)
            cursor = None if self._verdict is None else str(self._verdict)
        except StudioError as refused:
            self._verdict = cursor = refused
        models().set_next_url(page, cursor)  # the page's next_url
        self._accepted = page
        return page

    def follow(self, page: AnyPage) -> None:
        """Move past ``page`` (the one at ``next``): to its checked next_page_url, or to the end.

        Raises what :meth:`accept` found wrong with its next URL: UnexpectedResponseError if it
        names another list, points back to a page already read (as asked, or as a page's
        ``meta.url`` spells itself), or follows too many empty pages; UntrustedURLError if it is
        not on the configured origin.
        """
        if page is not self._accepted:
            self.accept(page)
        verdict, self._accepted = self._verdict, None
        if isinstance(verdict, StudioError):
            raise verdict
        self.next = verdict

    def _judge(self, page: AnyPage, items: list[Any]) -> httpx.URL | None:
        """The next URL of ``page`` if it is one to follow; None at the end; raises if refused."""
        raw = page.meta.next_page_url
        if raw is None:
            return None
        if not self._seen:
            self._seen.add(page_key(self._first))
        if page.meta.url is not None:
            with contextlib.suppress(httpx.InvalidURL, ValueError, TypeError):
                self._seen.add(page_key(httpx.URL(page.meta.url)))
        url = trusted_url(raw, self._base_url)
        where = page.meta.url or str(self.next)
        self._empty = 0 if items else self._empty + 1
        if url.path != self._list_path:
            self._refuse(where, f"next_page_url {raw!r} is a page of another list ({url.path})")
        if page_key(url) in self._seen:
            self._refuse(where, f"next_page_url {raw!r} points back to a page already read")
        if self._empty >= MAX_EMPTY_PAGES:
            self._refuse(where, f"{self._empty} empty pages in a row, each pointing onward")
        self._seen.add(page_key(url))
        return url

    def _refuse(self, where: str, reason: str) -> NoReturn:
        raise UnexpectedResponseError(
            f"{reason}; the walk of {self._list_path} stops there", status=200, url=where
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
