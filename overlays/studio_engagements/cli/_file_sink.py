"""The sinks of ``list``: one file per flow with its journal, standard output, or a table.

A file is written to ``FILE.partial``, each whole page followed by where the export stands
(``FILE.partial.state.json``); it becomes ``FILE``, with its manifest, only when the export is
complete. Where a job stands is decided before anything is sent: a rerun that would damage a
file is refused while nothing has happened, and a ``--restart`` never removes a complete file:
the new export replaces it only once it is whole.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, BinaryIO

from rich.console import Console

from .. import UnexpectedResponseError
from ._jobs import Job, JobState, Stand, Standing
from ._journal import JournalError, Manifest, SavedState, Shape, fingerprint, state_path
from ._rows import engagement_table, render_rows


def first_mark(record: Any) -> str:
    """What a page's first record leaves in the state: a short hash of its SID."""
    return hashlib.sha256(str(record.sid).encode()).hexdigest()[:16]


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


@dataclasses.dataclass(slots=True)
class _Plan:
    """How one file job goes on: from scratch or after ``size`` bytes recorded."""

    size: int | None = None
    """For a resume: the ``.partial``'s length at its last recorded page."""
    marks: tuple[str, ...] = ()
    """The first-record marks of the pages already written (a page seen twice is refused)."""
    sink: PartialFile | None = None


class FileSink:
    """Each job's flow to its own file (``path_of(flow_sid)``), with the options ``shape``."""

    steps = False

    def __init__(
        self,
        shape: Shape,
        path_of: Callable[[str], Path],
        *,
        restart: bool,
        resume_from: str | None = None,
    ) -> None:
        self.shape, self.path_of = shape, path_of
        self.restart, self.resume_from = restart, resume_from
        self._plans: dict[Job, _Plan] = {}

    def final(self, job: Job) -> Path:
        """Where ``job``'s file goes."""
        return self.path_of(job.flow_sid)

    def partial(self, job: Job) -> Path:
        final = self.final(job)
        return final.with_name(final.name + ".partial")

    # -- before anything is sent ------------------------------------------------------------------

    def stand(self, job: Job) -> Standing:
        """Start, resume, complete, or refused (JournalError's text in the note)."""
        try:
            standing, plan = self._stand(job)
        except JournalError as error:
            return Standing(Stand.REFUSED, note=str(error))
        self._plans[job] = plan
        return standing

    def _stand(self, job: Job) -> tuple[Standing, _Plan]:
        final, partial = self.final(job), self.partial(job)
        if final.exists() or final.is_symlink():
            manifest = Manifest.load(final)
            changed = None if manifest is None else self._changes(job, manifest)
            if manifest is not None and not changed:
                complete = Standing(Stand.COMPLETE, None, manifest.engagements, manifest.pages)
                return complete, _Plan()
            if not self.restart and changed:
                raise JournalError(
                    f"{final} was exported with other options ({'; '.join(changed)}); "
                    "run with the same options, or with --restart to export it again with these"
                )
            if not self.restart:
                raise JournalError(
                    f"{final} exists and no export of flow {job.flow_sid} finished it; "
                    "move it away, or run with --restart to replace it (it is kept until the "
                    "new export is complete)"
                )
        if self.restart:
            return Standing(Stand.START, self.resume_from), _Plan()
        if not partial.exists():
            if self.resume_from is not None:
                raise JournalError(f"nothing to resume: {partial} does not exist")
            return Standing(Stand.START), _Plan()
        if self.resume_from is not None:  # the URL printed by an earlier failure
            return self._resume_at_url(job, self.resume_from)
        state_file = state_path(partial)
        if not state_file.exists():
            note = f"{partial} holds no recorded page: starting it over"
            return Standing(Stand.START, note=note), _Plan()
        try:
            state = SavedState.load(state_file)
            changed = self._changes(job, state)
            if changed:
                raise JournalError(
                    f"{partial} was started with other options ({'; '.join(changed)}); "
                    "run with the same options to continue"
                )
            state.verify(partial)
        except JournalError as error:
            raise JournalError(f"{error}; run with --restart to start it over") from None
        standing = Standing(
            Stand.RESUME, state.next_url, state.engagements, state.pages,
            note=f"resuming {final} after {_count(state.engagements, 'engagement')} "
            f"({_count(state.pages, 'page')})",
        )  # fmt: skip
        return standing, _Plan(state.size, tuple(state.marks))

    def _changes(self, job: Job, saved: SavedState | Manifest) -> list[str]:
        changed = self.shape.differences(saved.shape)
        if saved.flow_sid != job.flow_sid:
            changed.insert(0, f"flow {saved.flow_sid} -> {job.flow_sid}")
        return changed

    def _resume_at_url(self, job: Job, url: str) -> tuple[Standing, _Plan]:
        """Continue at ``url``: after what a matching saved state records, else the whole file."""
        partial = self.partial(job)
        try:
            state = SavedState.load(state_path(partial))
            state.verify(partial)
            if self._changes(job, state):
                raise JournalError("other options")
            engagements, pages, size = state.engagements, state.pages, state.size
            marks = tuple(state.marks)
        except JournalError:
            data = partial.read_bytes()
            if data and not data.endswith(b"\n"):
                problem = f"{partial} does not end with a whole record; use --restart"
                raise JournalError(problem) from None
            engagements = data.count(b"\n") - (self.shape.format == "csv" and bool(data))
            pages, size, marks = 0, len(data), ()
        note = (
            f"resuming {self.final(job)} after {_count(engagements, 'engagement')} "
            f"({_count(pages, 'page')}), at {url}"
        )
        return Standing(Stand.RESUME, url, engagements, pages, note), _Plan(size, marks)

    # -- while the run goes -----------------------------------------------------------------------

    def owed(self, job: Job, records: Sequence[Any]) -> list[Any]:
        return []

    def commit_record(self, job: Job, record: Any, steps: Sequence[Any] | None) -> None:
        raise NotImplementedError("files keep no steps")

    def commit_page(self, job: Job, records: Sequence[Any], cursor: str | None) -> bool:
        """Append the page to the ``.partial``, then record where the export stands."""
        plan = self._plans[job]
        marks = plan.marks
        if records:
            mark = first_mark(records[0])
            if mark in marks:
                raise UnexpectedResponseError(
                    f"a page starting with {records[0].sid} was written already: the list "
                    "points back to it, and the export stops rather than write it twice",
                    status=200,
                    url=cursor or "",
                )
            marks = (*marks, mark)
        if plan.sink is None:
            plan.sink = PartialFile(self.final(job), resume_at=plan.size)
        header = self.shape.format == "csv" and plan.sink.size == 0
        plan.sink.write_page(render_rows(records, self.shape.fields, self.shape.format, header))
        plan.marks = marks  # only once the page is written
        job.engagements += len(records)
        if cursor is not None:
            SavedState(
                job.flow_sid, self.shape, cursor, job.engagements, job.pages + 1,
                plan.sink.size, fingerprint(plan.sink.partial, plan.sink.size), list(marks),
            ).save(state_path(plan.sink.partial))  # fmt: skip
        return True

    def unavailable(self, job: Job, sid: str, what: str, error: BaseException) -> bool:
        return False  # an export of a flow that is not there is an error

    def finish(self, job: Job) -> Standing | None:
        """Write the manifest, rename ``.partial`` to the final name, drop the state."""
        plan = self._plans[job]
        if plan.sink is None:  # an empty flow
            plan.sink = PartialFile(self.final(job), resume_at=plan.size)
        Manifest.of(plan.sink.partial, job.flow_sid, self.shape, job.engagements, job.pages).save(
            self.final(job)
        )
        plan.sink.finish()
        state_path(plan.sink.partial).unlink(missing_ok=True)
        return None

    def close(self, jobs: Sequence[Job], interrupted: bool) -> None:
        """Cut every unfinished file back to what its state records (nothing recorded: gone)."""
        for job in jobs:
            plan = self._plans.get(job)
            if plan is None or plan.sink is None or job.state.finished:
                continue
            state_file = state_path(plan.sink.partial)
            try:
                recorded: int | None = SavedState.load(state_file).size
            except JournalError:
                recorded = plan.size
            plan.sink.abandon(keep=recorded)
            if recorded is None:
                state_file.unlink(missing_ok=True)


class StreamSink:
    """One flow to standard output as jsonl or csv, page by page (no journal)."""

    steps = False

    def __init__(self, shape: Shape, out: BinaryIO | None = None) -> None:
        self.shape = shape
        self._out = out if out is not None else sys.stdout.buffer
        self._header = shape.format == "csv"

    def stand(self, job: Job) -> Standing:
        return Standing(Stand.START)

    def owed(self, job: Job, records: Sequence[Any]) -> list[Any]:
        return []

    def commit_record(self, job: Job, record: Any, steps: Sequence[Any] | None) -> None:
        raise NotImplementedError("standard output keeps no steps")

    def commit_page(self, job: Job, records: Sequence[Any], cursor: str | None) -> bool:
        self._out.write(render_rows(records, self.shape.fields, self.shape.format, self._header))
        self._out.flush()
        self._header = False
        job.engagements += len(records)
        return True

    def unavailable(self, job: Job, sid: str, what: str, error: BaseException) -> bool:
        return False

    def finish(self, job: Job) -> Standing | None:
        return None

    def close(self, jobs: Sequence[Job], interrupted: bool) -> None:
        pass


class TableSink(StreamSink):
    """One flow as a table: on standard output (a terminal's width) or in a file."""

    def __init__(self, shape: Shape, output: Path | None) -> None:
        super().__init__(shape)
        self.output = output
        self.rows: list[Any] = []

    def commit_page(self, job: Job, records: Sequence[Any], cursor: str | None) -> bool:
        self.rows.extend(records)
        job.engagements += len(records)
        return True

    def close(self, jobs: Sequence[Job], interrupted: bool) -> None:
        if interrupted or any(job.state is not JobState.DONE for job in jobs):
            return
        table = engagement_table(self.rows, self.shape.fields)
        if self.output is None:
            # A terminal wraps the table to its width; a pipe gets whole lines, SIDs unbroken.
            Console(width=None if sys.stdout.isatty() else 1000).print(table)
            return
        text = Console(width=1000)
        with text.capture() as captured:
            text.print(table)
        sink = PartialFile(self.output, resume_at=None)
        sink.write_page(captured.get().encode("utf-8", errors="backslashreplace"))
        sink.finish()


def _count(number: int, noun: str) -> str:
    return f"{number:,} {noun}{'' if number == 1 else 's'}"
