"""``client.engagements``: one page, pages, or engagements across pages, sync and async.

What to ask for and where to go next is decided by ``_request`` and ``_paging``; each twin only
fetches (blocking or awaited) in two short loops.
"""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx

from ._models import Engagement, Page
from ._paging import Limit, Walk, check_limit, stream_page_size
from ._request import page_url, resume_url, trusted_url

if TYPE_CHECKING:
    from ._client import AsyncStudioClient, StudioClient


class _EngagementsBase:
    """Argument checks and URLs: what both twins do before any request."""

    _base_url: httpx.URL

    def _page_url(
        self,
        flow_sid: object,
        page_size: int | None,
        page: int | None = None,
        page_token: str | None = None,
    ) -> httpx.URL:
        return page_url(
            self._base_url, flow_sid, page_size=page_size, page=page, page_token=page_token
        )

    def _walk(self, flow_sid: object, page_size: int | None, start_url: object = None) -> Walk:
        """The walk through a flow's pages, from its first page or from ``start_url``."""
        if start_url is None:
            first = self._page_url(flow_sid, page_size)
        else:
            first = resume_url(start_url, self._base_url, flow_sid, page_size)
        return Walk(first, self._base_url)

    def _stream_walk(self, flow_sid: object, limit: int | None, page_size: int | None) -> Walk:
        check_limit(limit)
        return self._walk(flow_sid, stream_page_size(page_size, limit))


class Engagements(_EngagementsBase):
    """The Engagements of a flow, read through a :class:`StudioClient`."""

    def __init__(self, client: StudioClient) -> None:
        self._client = client
        self._base_url = client._settings.base_url

    def page(
        self,
        flow_sid: str,
        *,
        page_size: int | None = None,
        page: int | None = None,
        page_token: str | None = None,
    ) -> Page:
        """One page, exactly as asked (the API's default size when ``page_size`` is None)."""
        return self._client._get(self._page_url(flow_sid, page_size, page, page_token))

    def get_page(self, url: str) -> Page:
        """The page at ``url``, e.g. a saved ``meta.next_page_url``, to resume an export."""
        return self._client._get(trusted_url(url, self._base_url))

    def pages(
        self, flow_sid: str, *, page_size: int | None = None, start_url: str | None = None
    ) -> Iterator[Page]:
        """Every page, first to last, fetched lazily as you iterate.

        ``start_url`` (a saved ``meta.next_page_url`` of this flow) continues from that page.
        """
        return self._pages(self._walk(flow_sid, page_size, start_url))

    def stream(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> Iterator[Engagement]:
        """Engagements across pages, lazily, one page in memory, stopping at ``limit``."""
        walk = self._stream_walk(flow_sid, limit, page_size)
        return self._take(self._pages(walk), Limit(limit))

    def list(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> builtins.list[Engagement]:
        """Engagements across pages, up to ``limit``, in one list."""
        return builtins.list(self.stream(flow_sid, limit=limit, page_size=page_size))

    def _pages(self, walk: Walk) -> Iterator[Page]:
        while walk.next is not None:
            page = self._client._get(walk.next)
            yield page
            walk.follow(page)
            del page  # not held while the next page is read: memory stays one page

    @staticmethod
    def _take(pages: Iterator[Page], limit: Limit) -> Iterator[Engagement]:
        for page in pages:
            batch = limit.take(page)
            del page  # not held while the next page is read: memory stays one page
            yield from batch
            if limit.done:
                return


class AsyncEngagements(_EngagementsBase):
    """The Engagements of a flow, read through an :class:`AsyncStudioClient`."""

    def __init__(self, client: AsyncStudioClient) -> None:
        self._client = client
        self._base_url = client._settings.base_url

    async def page(
        self,
        flow_sid: str,
        *,
        page_size: int | None = None,
        page: int | None = None,
        page_token: str | None = None,
    ) -> Page:
        """One page, exactly as asked (the API's default size when ``page_size`` is None)."""
        return await self._client._get(self._page_url(flow_sid, page_size, page, page_token))

    async def get_page(self, url: str) -> Page:
        """The page at ``url``, e.g. a saved ``meta.next_page_url``, to resume an export."""
        return await self._client._get(trusted_url(url, self._base_url))

    def pages(
        self, flow_sid: str, *, page_size: int | None = None, start_url: str | None = None
    ) -> AsyncIterator[Page]:
        """Every page, first to last, fetched lazily as you iterate (``async for``).

        ``start_url`` (a saved ``meta.next_page_url`` of this flow) continues from that page.
        """
        return self._pages(self._walk(flow_sid, page_size, start_url))

    def stream(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> AsyncIterator[Engagement]:
        """Engagements across pages, lazily (``async for``), one page in memory, up to ``limit``."""
        walk = self._stream_walk(flow_sid, limit, page_size)
        return self._take(self._pages(walk), Limit(limit))

    async def list(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> builtins.list[Engagement]:
        """Engagements across pages, up to ``limit``, in one list."""
        return [
            engagement
            async for engagement in self.stream(flow_sid, limit=limit, page_size=page_size)
        ]

    async def _pages(self, walk: Walk) -> AsyncIterator[Page]:
        while walk.next is not None:
            page = await self._client._get(walk.next)
            yield page
            walk.follow(page)
            del page  # not held while the next page is read: memory stays one page

    @staticmethod
    async def _take(pages: AsyncIterator[Page], limit: Limit) -> AsyncIterator[Engagement]:
        async for page in pages:
            batch = limit.take(page)
            del page  # not held while the next page is read: memory stays one page
            for engagement in batch:
                yield engagement
            if limit.done:
                return
