"""``client.engagements``: one page, pages, or engagements across pages, sync and async."""

from __future__ import annotations

import builtins
from collections.abc import AsyncIterator, Iterator
from typing import TYPE_CHECKING

import httpx

from . import _protocol
from ._models import Engagement, Page

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
        return _protocol.first_page_url(
            self._base_url, flow_sid, page_size=page_size, page=page, page_token=page_token
        )

    def _stream_url(self, flow_sid: object, limit: int | None, page_size: int | None) -> httpx.URL:
        _protocol.check_limit(limit)
        return self._page_url(flow_sid, _protocol.stream_page_size(page_size, limit))

    def _trusted(self, url: object) -> httpx.URL:
        return _protocol.trusted_url(url, self._base_url)


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
        return self._client._get(self._trusted(url))

    def pages(self, flow_sid: str, *, page_size: int | None = None) -> Iterator[Page]:
        """Every page, first to last, fetched lazily as you iterate."""
        return self._follow(self._page_url(flow_sid, page_size))

    def stream(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> Iterator[Engagement]:
        """Engagements across pages, lazily, one page in memory, stopping at ``limit``."""
        return self._take(self._follow(self._stream_url(flow_sid, limit, page_size)), limit)

    def list(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> builtins.list[Engagement]:
        """Engagements across pages, up to ``limit``, in one list."""
        return builtins.list(self.stream(flow_sid, limit=limit, page_size=page_size))

    def _follow(self, url: httpx.URL | None) -> Iterator[Page]:
        seen = {str(url)}
        while url is not None:
            page = self._client._get(url)
            yield page
            url = _protocol.next_url(page, self._base_url, seen)
            del page  # not held while the next page is read: memory stays one page

    @staticmethod
    def _take(pages: Iterator[Page], limit: int | None) -> Iterator[Engagement]:
        remaining = limit
        for page in pages:
            batch = _protocol.take(page, remaining)
            del page
            yield from batch
            if remaining is not None:
                remaining -= len(batch)
                if remaining == 0:
                    return
            del batch  # not held while the next page is read: memory stays one page


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
        return await self._client._get(self._trusted(url))

    def pages(self, flow_sid: str, *, page_size: int | None = None) -> AsyncIterator[Page]:
        """Every page, first to last, fetched lazily as you iterate (``async for``)."""
        return self._follow(self._page_url(flow_sid, page_size))

    def stream(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> AsyncIterator[Engagement]:
        """Engagements across pages, lazily (``async for``), one page in memory, up to ``limit``."""
        return self._take(self._follow(self._stream_url(flow_sid, limit, page_size)), limit)

    async def list(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> builtins.list[Engagement]:
        """Engagements across pages, up to ``limit``, in one list."""
        return [
            engagement
            async for engagement in self.stream(flow_sid, limit=limit, page_size=page_size)
        ]

    async def _follow(self, url: httpx.URL | None) -> AsyncIterator[Page]:
        seen = {str(url)}
        while url is not None:
            page = await self._client._get(url)
            yield page
            url = _protocol.next_url(page, self._base_url, seen)
            del page  # not held while the next page is read: memory stays one page

    @staticmethod
    async def _take(pages: AsyncIterator[Page], limit: int | None) -> AsyncIterator[Engagement]:
        remaining = limit
        async for page in pages:
            batch = _protocol.take(page, remaining)
            del page
            for engagement in batch:
                yield engagement
            if remaining is not None:
                remaining -= len(batch)
                if remaining == 0:
                    return
            del batch  # not held while the next page is read: memory stays one page
