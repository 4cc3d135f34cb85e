"""``client.engagements``: one page, pages, or engagements across pages, sync and async.

The public methods are written once, in :class:`_EngagementsBase`; what to ask for and where to
go next is decided by ``_request`` and ``_paging``. Each twin only fetches a page (blocking or
awaited) and loops over pages in its own way (``for`` or ``async for``).
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Generic, TypeVar

import httpx

from ._paging import Limit, Walk, check_limit, stream_page_size
from ._request import page_url, resume_url, trusted_url

if TYPE_CHECKING:
    from ._models import Engagement, Page

# What a twin gives back: a page or an awaitable one, an iterator or an async iterator.
# (Strings: the generated models are imported at the first page, not with the package.)
PageT = TypeVar("PageT", "Page", "Awaitable[Page]")
PagesT = TypeVar("PagesT", "Iterator[Page]", "AsyncIterator[Page]")
EngagementsT = TypeVar("EngagementsT", "Iterator[Engagement]", "AsyncIterator[Engagement]")


class _EngagementsBase(Generic[PageT, PagesT, EngagementsT]):
    """The Engagements of a flow: every public method but ``list``, for both twins."""

    _base_url: httpx.URL

    def page(
        self,
        flow_sid: str,
        *,
        page_size: int | None = None,
        page: int | None = None,
        page_token: str | None = None,
    ) -> PageT:
        """One page, exactly as asked (the API's default size when ``page_size`` is None)."""
        return self._fetch(
            page_url(
                self._base_url, flow_sid, page_size=page_size, page=page, page_token=page_token
            )
        )

    def get_page(self, url: str) -> PageT:
        """The page at ``url``, e.g. a saved ``meta.next_page_url``, to resume an export."""
        return self._fetch(trusted_url(url, self._base_url))

    def pages(
        self, flow_sid: str, *, page_size: int | None = None, start_url: str | None = None
    ) -> PagesT:
        """Every page, first to last, fetched lazily as you iterate (``for``/``async for``).

        Without ``page_size``, the largest page the API allows (as ``stream`` asks for).
        ``start_url`` (a saved ``meta.next_page_url`` of this flow) continues from that page.
        """
        if start_url is None:
            size = stream_page_size(page_size, None)
            first = page_url(self._base_url, flow_sid, page_size=size)
        else:
            first = resume_url(start_url, self._base_url, flow_sid, page_size)
        return self._pages(Walk(first, self._base_url))

    def stream(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> EngagementsT:
        """Engagements across pages, lazily, one page in memory, stopping at ``limit``."""
        check_limit(limit)
        pages = self.pages(flow_sid, page_size=stream_page_size(page_size, limit))
        return self._take(pages, Limit(limit))

    def _fetch(self, url: httpx.URL) -> PageT:
        raise NotImplementedError

    def _pages(self, walk: Walk) -> PagesT:
        raise NotImplementedError

    def _take(self, pages: PagesT, limit: Limit) -> EngagementsT:
        raise NotImplementedError


class Engagements(_EngagementsBase["Page", "Iterator[Page]", "Iterator[Engagement]"]):
    """The Engagements of a flow; ``get`` is the client's GET of one page (with retries)."""

    def __init__(self, get: Callable[[httpx.URL], Page], base_url: httpx.URL) -> None:
        self._get = get
        self._base_url = base_url

    def list(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> builtins.list[Engagement]:
        """Engagements across pages, up to ``limit``, in one list."""
        return builtins.list(self.stream(flow_sid, limit=limit, page_size=page_size))

    def _fetch(self, url: httpx.URL) -> Page:
        return self._get(url)

    def _pages(self, walk: Walk) -> Iterator[Page]:
        while walk.next is not None:
            page = self._get(walk.next)
            yield page
            walk.follow(page)
            del page  # not held while the next page is read: memory stays one page

    def _take(self, pages: Iterator[Page], limit: Limit) -> Iterator[Engagement]:
        for page in pages:
            batch = limit.take(page)
            del page  # not held while the next page is read: memory stays one page
            yield from batch
            if limit.done:
                return


class AsyncEngagements(
    _EngagementsBase["Awaitable[Page]", "AsyncIterator[Page]", "AsyncIterator[Engagement]"]
):
    """The Engagements of a flow; ``get`` is the async client's GET of one page (awaited)."""

    def __init__(self, get: Callable[[httpx.URL], Awaitable[Page]], base_url: httpx.URL) -> None:
        self._get = get
        self._base_url = base_url

    async def list(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> builtins.list[Engagement]:
        """Engagements across pages, up to ``limit``, in one list."""
        return [
            engagement
            async for engagement in self.stream(flow_sid, limit=limit, page_size=page_size)
        ]

    def _fetch(self, url: httpx.URL) -> Awaitable[Page]:
        return self._get(url)

    async def _pages(self, walk: Walk) -> AsyncIterator[Page]:
        while walk.next is not None:
            page = await self._get(walk.next)
            yield page
            walk.follow(page)
            del page  # not held while the next page is read: memory stays one page

    async def _take(self, pages: AsyncIterator[Page], limit: Limit) -> AsyncIterator[Engagement]:
        async for page in pages:
            batch = limit.take(page)
            del page  # not held while the next page is read: memory stays one page
            for engagement in batch:
                yield engagement
            if limit.done:
                return
