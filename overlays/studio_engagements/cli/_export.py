"""Exporting a flow's engagements to a file or stdout, page by page, resumable.

A page is the unit of work: it is fetched whole, then written whole. A failed export keeps
every complete page in ``FILE.partial`` (never half a page) and knows the URL of the page
to resume from, so that resuming writes each engagement exactly once.
"""

from __future__ import annotations

import csv
import io
import json
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import IO, Any

import attrs

from .._models import Engagement
from .._paging import Limit, stream_page_size
from .._resources import Engagements
from ..errors import StudioError

# The model's fields, as the spec names them: a field added to the spec is a column here.
FIELDS = Engagement.FIELDS
# The short view: the fields the spec marks `x-summary`.
TABLE_FIELDS = Engagement.SUMMARY_FIELDS
FORMATS = ("jsonl", "csv", "table")


class ExportFailed(Exception):
    """The export stopped; ``resume_from`` is the page to start again from (None: from the top)."""

    def __init__(self, cause: BaseException, resume_from: str | None, written: int) -> None:
        super().__init__(str(cause))
        self.cause = cause
        self.resume_from = resume_from
        self.written = written


@attrs.frozen
class Progress:
    """What an export has done so far."""

    engagements: int
    pages: int
    next_url: str | None = None
    """Where the export goes on: the next page's URL (None: nothing more to read)."""


def render_rows(
    engagements: Sequence[Engagement], fields: Sequence[str], fmt: str, header: bool
) -> str:
    """Engagements as jsonl or csv text (``header``: start csv with the field names)."""
    if fmt == "jsonl":
        return "".join(jsonl_line(engagement, fields) for engagement in engagements)
    rows = [_select(engagement.to_dict(), fields) for engagement in engagements]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    if header:
        writer.writerow(fields)
    writer.writerows([_csv_cell(row[name]) for name in fields] for row in rows)
    return buffer.getvalue()


def jsonl_line(engagement: Engagement, fields: Sequence[str]) -> str:
    """One engagement as a jsonl line: every field, as the API sent it, or the chosen ones.

    The JSON as sent keeps fields this version does not know and numbers as written; a record
    known only from a body that is not strict JSON (e.g. NaN) is written from its typed values.
    """
    sent = engagement.sent_json() if tuple(fields) == FIELDS else None
    if sent is None:
        return json.dumps(_select(engagement.to_dict(), fields), ensure_ascii=False) + "\n"
    # Line breaks outside strings are whitespace (JSON escapes those within): one record a line.
    return sent.replace(b"\n", b"").replace(b"\r", b"").decode() + "\n"


def _select(record: dict[str, Any], fields: Sequence[str]) -> dict[str, Any]:
    return {name: record.get(name) for name in fields}


def _csv_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def count_records(path: Path, fmt: str) -> int:
    """How many engagements a partial jsonl or csv file already holds."""
    with path.open(encoding="utf-8", newline="") as handle:
        if fmt == "jsonl":
            return sum(1 for line in handle if line.strip())
        return max(sum(1 for _ in csv.reader(handle)) - 1, 0)


def export(
    engagements: Engagements,
    flow_sid: str,
    *,
    limit: int | None,
    page_size: int | None,
    resume_from: str | None,
    already: int,
    write: Callable[[list[Engagement]], None],
    on_page: Callable[[Progress], None] = lambda progress: None,
) -> Progress:
    """Fetch pages and hand each one's engagements to ``write``; raise ExportFailed on failure.

    ``already`` engagements were written by an earlier run (they count towards ``limit``). The
    pages come from the client's one paging loop (``pages(start_url=...)``).
    """
    remaining = None if limit is None else limit - already
    written = pages = 0
    url = resume_from  # where to start again if what comes next fails
    try:
        if remaining is not None and remaining <= 0:
            return Progress(already, 0)
        owed = Limit(remaining)
        size = page_size if resume_from is not None else stream_page_size(page_size, remaining)
        for page in engagements.pages(flow_sid, page_size=size, start_url=resume_from):
            batch = owed.take(page)
            write(batch)
            written += len(batch)
            pages += 1
            url = None if owed.done else page.meta.next_page_url
            on_page(Progress(already + written, pages, url))
            if owed.done:
                break
        return Progress(already + written, pages)
    except (StudioError, OSError, KeyboardInterrupt) as exc:
        raise ExportFailed(exc, url, already + written) from exc


class PartialFile:
    """``FILE.partial`` while an export runs; renamed to ``FILE`` only when it is whole."""

    def __init__(self, final: Path, *, resume: bool) -> None:
        self.final = final
        self.partial = final.with_name(final.name + ".partial")
        if resume and not self.partial.exists():
            raise FileNotFoundError(f"nothing to resume: {self.partial} does not exist")
        self._handle: IO[str] = self.partial.open(
            "a" if resume else "w", encoding="utf-8", newline=""
        )
        self._good_size = self._handle.tell()

    @property
    def size(self) -> int:
        """Bytes in the file up to the end of the last whole page."""
        return self._good_size

    @property
    def is_empty(self) -> bool:
        """Whether nothing has been written yet (a csv header is still owed)."""
        return self._good_size == 0

    def write_page(self, text: str) -> None:
        """Append one page's text; on any failure the file goes back to its last whole page."""
        try:
            self._handle.write(text)
            self._handle.flush()
            os.fsync(self._handle.fileno())
        except BaseException:
            self.rollback()
            raise
        self._good_size = self._handle.tell()

    def rollback(self) -> None:
        """Cut the file back to the end of the last whole page."""
        self._handle.flush()
        self._handle.truncate(self._good_size)
        self._handle.seek(self._good_size)

    def finish(self) -> None:
        """Close and rename to the final name: the final file is whole."""
        self._handle.close()
        os.replace(self.partial, self.final)

    def abandon(self) -> None:
        """Close, keeping ``FILE.partial`` for a resume."""
        self.rollback()
        self._handle.close()


def engagement_table(engagements: Sequence[Engagement], fields: Sequence[str]) -> Any:
    """A rich Table of the given fields."""
    from rich.table import Table

    table = Table()
    for name in fields:
        table.add_column(name, no_wrap=name not in ("context", "links"))
    for engagement in engagements:
        record = engagement.to_dict()
        table.add_row(
            *("" if record.get(name) is None else str(record.get(name)) for name in fields)
        )
    return table
