"""Exporting a flow's engagements page by page, and the ``.partial`` file they go to.

A page is the unit of work: it is fetched whole, then written whole, and where the export
stands is recorded only once the page's ``next_page_url`` has been accepted by the paging walk,
so that a position the walk rejected (a loop, another origin) is never saved.
"""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Callable
from pathlib import Path

import httpx

from .._client import StudioClient
from .._models import Engagement
from .._paging import Limit, Walk, stream_page_size
from .._request import LIST_ENGAGEMENT, operation_url, resume_url
from ..errors import StudioError


class ExportFailed(Exception):
    """The export stopped; ``resume_from`` is the last page URL recorded (None: none yet)."""

    def __init__(self, cause: BaseException, resume_from: str | None, written: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.resume_from = resume_from
        self.written = written


@dataclasses.dataclass(frozen=True, slots=True)
class Progress:
    """What an export has done so far (counting what earlier runs did)."""

    engagements: int
    pages: int
    next_url: str | None = None
    """Where the export goes on: the next page's URL (None: nothing more to read)."""


def export(
    client: StudioClient,
    flow_sid: str,
    *,
    limit: int | None,
    page_size: int | None,
    start: Progress,
    write: Callable[[list[Engagement]], None],
    on_page: Callable[[Progress], None] = lambda progress: None,
    before_page: Callable[[], None] = lambda: None,
) -> Progress:
    """Fetch pages from ``start`` on, hand each one's engagements to ``write``, then report the
    page accepted to ``on_page``; ExportFailed on any failure.

    ``start.engagements`` were written by an earlier run (they count towards ``limit``);
    ``start.next_url`` continues from that page (None: from the first). ``before_page`` runs
    before each request, outside its deadline (a shared pause; Ctrl-C).
    """
    remaining = None if limit is None else limit - start.engagements
    done, url = start, start.next_url
    try:
        if remaining is not None and remaining <= 0:
            return dataclasses.replace(done, next_url=None)
        base = httpx.URL(client.base_url)
        first = operation_url(
            base, LIST_ENGAGEMENT, {"flow_sid": flow_sid},
            page_size=stream_page_size(page_size, remaining),
        )  # fmt: skip
        if url is not None:
            first = resume_url(url, base, first, page_size)
        walk, owed = Walk(first, base), Limit(remaining)
        while walk.next is not None:
            before_page()
            page = client.engagements.get_page(str(walk.next))
            batch = owed.take(page)
            write(batch)
            if not owed.done:
                walk.follow(page)  # may refuse the next URL: then this page is not recorded
            next_url = None if owed.done or walk.next is None else str(walk.next)
            progress = Progress(done.engagements + len(batch), done.pages + 1, next_url)
            on_page(progress)
            done, url = progress, next_url
            if owed.done:
                break
        return done
    except (StudioError, OSError, KeyboardInterrupt) as exc:
        raise ExportFailed(exc, url, done.engagements) from exc


class PartialFile:
    """``FILE.partial`` while an export runs; renamed to ``FILE`` only when it is whole."""

    def __init__(self, final: Path, *, resume_at: int | None) -> None:
        """Start the file afresh (``resume_at`` None), or continue it cut to ``resume_at`` bytes."""
        self.final = final
        self.partial = final.with_name(final.name + ".partial")
        # Unbuffered: what a failed write leaves is cut back by rollback, never flushed later.
        self._handle = self.partial.open("wb" if resume_at is None else "r+b", buffering=0)
        if resume_at is not None:
            self._handle.truncate(resume_at)  # a page written after the state was saved goes
            self._handle.seek(resume_at)
        self._good_size = self._handle.tell()

    @property
    def size(self) -> int:
        """Bytes in the file up to the end of the last whole page."""
        return self._good_size

    def write_page(self, data: bytes) -> None:
        """Append one page; on any failure the file goes back to its last whole page."""
        try:
            view = memoryview(data)
            while view:
                view = view[self._handle.write(view) or 0 :]
            os.fsync(self._handle.fileno())
        except BaseException:
            self.rollback()
            raise
        self._good_size = self._handle.tell()

    def rollback(self) -> None:
        """Cut the file back to the end of the last whole page."""
        self._handle.truncate(self._good_size)
        self._handle.seek(self._good_size)

    def finish(self) -> None:
        """Close and rename to the final name: the final file is whole."""
        self._handle.close()
        os.replace(self.partial, self.final)

    def abandon(self, *, keep: int | None) -> None:
        """Close, keeping ``FILE.partial`` cut to ``keep`` bytes, or (None) removing it."""
        try:
            self._good_size = min(self._good_size, keep or 0)
            self.rollback()
        finally:
            self._handle.close()
            if keep is None:
                self.partial.unlink(missing_ok=True)
