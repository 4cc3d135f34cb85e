"""One way to drive StudioClient and AsyncStudioClient from the same test body."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import yaml

from studio_engagements import AsyncStudioClient, Engagement, Page, StudioClient

from .conftest import SPEC_PATH

SID = "AC" + "1" * 32
TOKEN = "t0ken-that-must-never-leak"
FLOW = "FW" + "a" * 32
BASE = "http://127.0.0.1:4010"
SCHEMAS: dict[str, Any] = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))["components"][
    "schemas"
]
# A record as the API sends it: the spec's own example, with a non-UTC offset and another status.
RECORD: dict[str, Any] = {
    **SCHEMAS["Engagement"]["example"],
    "status": "ended",
    "date_updated": "2024-01-02T03:05:00+01:00",
}


class Driver:
    """Calls the sync or the async client with the same names and returns plain results."""

    def __init__(self, kind: str, make: Callable[[], Any]) -> None:
        self.kind = kind
        self._make = make

    def _run(self, call: Callable[[Any], Any]) -> Any:
        if self.kind == "sync":
            with self._make() as client:
                result = call(client)
                return list(result) if hasattr(result, "__next__") else result

        async def main() -> Any:
            async with self._make() as client:
                result = call(client)
                if hasattr(result, "__anext__"):
                    return [item async for item in result]
                return await result

        return asyncio.run(main())

    def list(self, flow: str = FLOW, **kwargs: Any) -> list[Engagement]:
        return list(self._run(lambda c: c.engagements.list(flow, **kwargs)))

    def stream(self, flow: str = FLOW, **kwargs: Any) -> list[Engagement]:
        return list(self._run(lambda c: c.engagements.stream(flow, **kwargs)))

    def pages(self, flow: str = FLOW, **kwargs: Any) -> list[Page]:
        return list(self._run(lambda c: c.engagements.pages(flow, **kwargs)))

    def page(self, flow: str = FLOW, **kwargs: Any) -> Page:
        page: Page = self._run(lambda c: c.engagements.page(flow, **kwargs))
        return page

    def get_page(self, url: str) -> Page:
        page: Page = self._run(lambda c: c.engagements.get_page(url))
        return page


def transport_driver(
    kind: str, handler: Callable[[httpx.Request], httpx.Response], **options: Any
) -> Driver:
    """A driver whose client talks to ``handler`` in-process (for answers the mock never gives)."""
    options = {"base_url": BASE, **options}
    if kind == "sync":
        return Driver(
            kind,
            lambda: StudioClient(
                SID,
                TOKEN,
                http_client=httpx.Client(transport=httpx.MockTransport(handler)),
                **options,
            ),
        )
    return Driver(
        kind,
        lambda: AsyncStudioClient(
            SID,
            TOKEN,
            http_client=httpx.AsyncClient(transport=httpx.MockTransport(handler)),
            **options,
        ),
    )


def page_body(
    url: str, records: list[dict[str, Any]], next_page_url: str | None = None
) -> dict[str, Any]:
    """A well-formed page around ``records``."""
    return {
        "engagements": records,
        "meta": {
            "page": 0,
            "page_size": 50,
            "key": "engagements",
            "url": url,
            "first_page_url": url,
            "next_page_url": next_page_url,
            "previous_page_url": None,
        },
    }
