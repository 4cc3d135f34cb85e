"""The resources' methods, written once for every list and record of the API, and the twins.

Every public method is written once, in :class:`List` (page, get_page, pages, stream, list) and
:class:`Records` (fetch, context): what to ask for and where to go next is decided by
``_request`` and ``_paging`` from the spec's operations. Each twin (:class:`Sync`,
:class:`Async`) only fetches (blocking or awaited) and loops over pages in its own way.
"""

from __future__ import annotations

import builtins
import functools
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar, Generic, NamedTuple, TypeVar, cast

import httpx

from ._paging import Limit, Walk, check_limit, check_parents, parents_of, stream_page_size
from ._request import list_url, operation_url, resume_url
from .rules import argument_name, packaged_rules

# What a resource gives back, bound by each twin: a page or an awaitable one, an iterator or an
# async iterator, a list or an awaitable one, a record or an awaitable one.
PageT = TypeVar("PageT")
PagesT = TypeVar("PagesT")
RecordsT = TypeVar("RecordsT")
ListT = TypeVar("ListT")
OneT = TypeVar("OneT")
ContextT = TypeVar("ContextT")


class Operation(NamedTuple):
    """An operation of the spec and the ``_models`` class its 200 body is read into."""

    id: str
    model: str
    key: str = ""
    """For a list: the page's key holding the records (``steps``)."""


@functools.cache  # read on every request: the table is the same for the process
def path_arguments(operation_id: str) -> tuple[str, ...]:
    """The argument names of the operation's path parameters (``FlowSid``: ``flow_sid``)."""
    rules = packaged_rules(operation_id).values()
    return tuple(argument_name(rule.name) for rule in rules if rule.location == "path")


class List(Generic[PageT, PagesT, RecordsT, ListT]):
    """A list of the API (its parents, e.g. ``flow_sid``, first): every list method, both twins."""

    _list: ClassVar[Operation]

    def __init__(self, get: Callable[[httpx.URL, str], Any], base_url: httpx.URL) -> None:
        self._get = get
        self._base_url = base_url

    def page(
        self,
        *parents: str,
        page_size: int | None = None,
        page: int | None = None,
        page_token: str | None = None,
    ) -> PageT:
        """One page, exactly as asked (the API's default size when ``page_size`` is None).

        Checked on the spot as a walk checks each page: its records must name these parents,
        and its ``next_url`` is its next_page_url if a walk would follow it (None at the end;
        reading it raises the refusal if not).
        """
        url = self._list_url(parents, page_size=page_size, page=page, page_token=page_token)
        return cast(PageT, self._fetch(url, self._list.model, self._walk_from(url).accept))

    def get_page(self, url: str) -> PageT:
        """The page at ``url``: a saved ``meta.next_page_url`` (or ``next_url``), or a record's
        ``links`` URL; checked on the spot, as :meth:`page` is."""
        trusted = list_url(url, self._base_url, self._list.id)
        return cast(PageT, self._fetch(trusted, self._list.model, self._walk_from(trusted).accept))

    def pages(
        self, *parents: str, page_size: int | None = None, start_url: str | None = None
    ) -> PagesT:
        """Every page, first to last, fetched lazily as you iterate (``for``/``async for``).

        Without ``page_size``, the largest page the API allows (as ``stream`` asks for).
        Each page's ``next_url`` is the next_page_url the walk checked and will follow (the same
        list, the same parents, a trusted origin, not a page already read): the cursor to save;
        None on the last page. ``start_url`` (a saved ``next_url`` of this list, under the
        same parents) continues from that page; the walk's bounds count from there.
        """
        if start_url is None:
            size = stream_page_size(page_size, None, self._list.id)
            first = self._list_url(parents, page_size=size)
        else:
            first = resume_url(
                start_url, self._base_url, self._list_url(parents, page_size=page_size), page_size
            )
        return cast(PagesT, self._walk(self._walk_from(first), self._list.model))

    def stream(
        self, *parents: str, limit: int | None = None, page_size: int | None = None
    ) -> RecordsT:
        """Records across pages, lazily, one page in memory, stopping at ``limit``."""
        check_limit(limit)
        size = stream_page_size(page_size, limit, self._list.id)
        pages = self.pages(*parents, page_size=size)
        return cast(RecordsT, self._take(pages, Limit(limit, self._list.key)))

    def list(self, *parents: str, limit: int | None = None, page_size: int | None = None) -> ListT:
        """Records across pages, up to ``limit``, in one list."""
        return cast(ListT, self._collect(self.stream(*parents, limit=limit, page_size=page_size)))

    def _walk_from(self, first: httpx.URL) -> Walk:
        """A walk of this list from the page at ``first``."""
        return Walk(first, self._base_url, self._list.id)

    def _list_url(self, parents: tuple[str, ...], **query: object) -> httpx.URL:
        """The URL of a page of this list under ``parents`` (checked against the spec)."""
        return self._url(self._list.id, parents, (), **query)

    def _url(
        self, operation_id: str, sids: tuple[str, ...], own: tuple[str, ...], **query: object
    ) -> httpx.URL:
        """The URL of ``operation_id``: ``sids`` are the list's parents, then the ``own`` SIDs.

        The parents' argument names are the list's path parameters (``FlowSid``: ``flow_sid``).
        """
        names = [*path_arguments(self._list.id), *own]
        if len(sids) != len(names):
            raise TypeError(f"{type(self).__name__} needs {len(names)} SIDs: {', '.join(names)}")
        return operation_url(
            self._base_url, operation_id, dict(zip(names, sids, strict=True)), **query
        )

    # What each twin does its own way.
    def _fetch(self, url: httpx.URL, model: str, check: Callable[[Any], Any]) -> Any:
        """``check(value)`` of the body read at ``url`` (as ``model``), fetched or awaited."""
        raise NotImplementedError

    def _walk(self, walk: Walk, model: str) -> Any:
        raise NotImplementedError

    def _take(self, pages: Any, limit: Limit) -> Any:
        raise NotImplementedError

    def _collect(self, records: Any) -> Any:
        raise NotImplementedError


class Records(
    List[PageT, PagesT, RecordsT, ListT], Generic[PageT, PagesT, RecordsT, ListT, OneT, ContextT]
):
    """A list whose records can be fetched one by one, each with its context."""

    _one: ClassVar[Operation]
    _context: ClassVar[Operation]
    _sid: ClassVar[str]
    """The argument naming the record, e.g. ``step_sid``."""

    def fetch(self, *sids: str) -> OneT:
        """One record, by its parents' SIDs and its own; one naming others is refused."""
        return cast(OneT, self._one_of(self._one, sids))

    def context(self, *sids: str) -> ContextT:
        """The context of one record, by its parents' SIDs and its own; one naming others is
        refused."""
        return cast(ContextT, self._one_of(self._context, sids))

    def _one_of(self, operation: Operation, sids: tuple[str, ...]) -> Any:
        """The body of ``operation`` for ``sids``, whose fields naming SIDs must name those.

        The fields are the path parameters' argument names (``FlowSid``: ``flow_sid``, ``Sid``:
        ``sid``); UnexpectedResponseError for one that names another (None names nothing).
        """
        url = self._url(operation.id, sids, (self._sid,))
        names = [
            rule.name for rule in packaged_rules(operation.id).values() if rule.location == "path"
        ]
        parents = parents_of(dict(zip(names, sids, strict=True)))

        def check(record: Any) -> Any:
            check_parents([record], parents, str(url))
            return record

        return self._fetch(url, operation.model, check)


class Sync:
    """The blocking twin: ``get`` is the client's GET (with retries)."""

    _get: Callable[[httpx.URL, str], Any]

    def _fetch(self, url: httpx.URL, model: str, check: Callable[[Any], Any]) -> Any:
        return check(self._get(url, model))

    def _walk(self, walk: Walk, model: str) -> Iterator[Any]:
        while walk.next is not None:
            page = walk.accept(self._get(walk.next, model))
            yield page
            walk.follow(page)
            del page  # not held while the next page is read: memory stays one page

    def _take(self, pages: Iterator[Any], limit: Limit) -> Iterator[Any]:
        for page in pages:
            batch = limit.take(page)
            del page  # not held while the next page is read: memory stays one page
            yield from batch
            if limit.done:
                return

    def _collect(self, records: Iterator[Any]) -> builtins.list[Any]:
        return builtins.list(records)


class Async:
    """The asyncio twin: ``get`` is the async client's GET (awaited)."""

    _get: Callable[[httpx.URL, str], Any]

    async def _fetch(self, url: httpx.URL, model: str, check: Callable[[Any], Any]) -> Any:
        return check(await self._get(url, model))

    async def _walk(self, walk: Walk, model: str) -> AsyncIterator[Any]:
        while walk.next is not None:
            page = walk.accept(await self._get(walk.next, model))
            yield page
            walk.follow(page)
            del page  # not held while the next page is read: memory stays one page

    async def _take(self, pages: AsyncIterator[Any], limit: Limit) -> AsyncIterator[Any]:
        async for page in pages:
            batch = limit.take(page)
            del page  # not held while the next page is read: memory stays one page
            for record in batch:
                yield record
            if limit.done:
                return

    async def _collect(self, records: AsyncIterator[Any]) -> builtins.list[Any]:
        return [record async for record in records]
