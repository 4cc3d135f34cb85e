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


class Engagements:
    """The Engagements of a flow, read through a :class:`StudioClient`."""

    def __init__(self, client: StudioClient) -> None:
        self._client = client

    def page(
        self,
        flow_sid: str,
        *,
        page_size: int | None = None,
        page: int | None = None,
        page_token: str | None = None,
    ) -> Page:
        """One page, exactly as asked (the API's default size when ``page_size`` is None)."""
        base = self._client._settings.base_url
        url = _protocol.first_page_url(
            base, flow_sid, page_size=page_size, page=page, page_token=page_token
        )
        return self._client._get(url)

    def get_page(self, url: str) -> Page:
        """The page at ``url``, e.g. a saved ``meta.next_page_url``, to resume an export."""
        return self._client._get(_protocol.trusted_url(url, self._client._settings.base_url))

    def pages(self, flow_sid: str, *, page_size: int | None = None) -> Iterator[Page]:
        """Every page, first to last, fetched lazily as you iterate."""
        base = self._client._settings.base_url
        return self._follow(_protocol.first_page_url(base, flow_sid, page_size=page_size))

    def stream(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> Iterator[Engagement]:
        """Engagements across pages, lazily, one page in memory, stopping at ``limit``."""
        _protocol.check_limit(limit)
        base = self._client._settings.base_url
        url = _protocol.first_page_url(
            base, flow_sid, page_size=_protocol.stream_page_size(page_size, limit)
        )
        return self._take(self._follow(url), limit)

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
            url = _protocol.next_url(page, self._client._settings.base_url, seen)

    @staticmethod
    def _take(pages: Iterator[Page], limit: int | None) -> Iterator[Engagement]:
        remaining = limit
        for page in pages:
            batch = _protocol.take(page, remaining)
            yield from batch
            if remaining is not None:
                remaining -= len(batch)
                if remaining == 0:
                    return


class AsyncEngagements:
    """The Engagements of a flow, read through an :class:`AsyncStudioClient`."""

    def __init__(self, client: AsyncStudioClient) -> None:
        self._client = client

    async def page(
        self,
        flow_sid: str,
        *,
        page_size: int | None = None,
        page: int | None = None,
        page_token: str | None = None,
    ) -> Page:
        """One page, exactly as asked (the API's default size when ``page_size`` is None)."""
        base = self._client._settings.base_url
        url = _protocol.first_page_url(
            base, flow_sid, page_size=page_size, page=page, page_token=page_token
        )
        return await self._client._get(url)

    async def get_page(self, url: str) -> Page:
        """The page at ``url``, e.g. a saved ``meta.next_page_url``, to resume an export."""
        return await self._client._get(_protocol.trusted_url(url, self._client._settings.base_url))

    def pages(self, flow_sid: str, *, page_size: int | None = None) -> AsyncIterator[Page]:
        """Every page, first to last, fetched lazily as you iterate (``async for``)."""
        base = self._client._settings.base_url
        return self._follow(_protocol.first_page_url(base, flow_sid, page_size=page_size))

    def stream(
        self, flow_sid: str, *, limit: int | None = None, page_size: int | None = None
    ) -> AsyncIterator[Engagement]:
        """Engagements across pages, lazily (``async for``), one page in memory, up to ``limit``."""
        _protocol.check_limit(limit)
        base = self._client._settings.base_url
        url = _protocol.first_page_url(
            base, flow_sid, page_size=_protocol.stream_page_size(page_size, limit)
        )
        return self._take(self._follow(url), limit)

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
            url = _protocol.next_url(page, self._client._settings.base_url, seen)

    @staticmethod
    async def _take(pages: AsyncIterator[Page], limit: int | None) -> AsyncIterator[Engagement]:
        remaining = limit
        async for page in pages:
            batch = _protocol.take(page, remaining)
            for engagement in batch:
                yield engagement
            if remaining is not None:
                remaining -= len(batch)
                if remaining == 0:
                    return
