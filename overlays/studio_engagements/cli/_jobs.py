"""One flow exported to one file: started, resumed from its checked state, or skipped as complete.

Everything is decided by :meth:`FileJob.plan` before anything is sent (and while the output's
lock is held), so that a rerun that would damage a file is refused while nothing has happened.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from pathlib import Path

from .._client import StudioClient
from .._models import Engagement
from ._export import ExportFailed, PartialFile, Progress, export
from ._journal import JournalError, Manifest, SavedState, Shape, fingerprint, manifest_path
from ._journal import state_path as _state_path
from ._rows import render_rows


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """What a job will do: ``skip`` (complete), ``start`` or ``resume`` from ``start``."""

    action: str
    start: Progress = dataclasses.field(default_factory=lambda: Progress(0, 0))
    size: int | None = None
    """For a resume: the ``.partial``'s length at its last recorded page."""
    discard: bool = False
    note: str | None = None
    """What a person should be told about the plan (e.g. why a file starts over)."""


@dataclasses.dataclass(frozen=True, slots=True)
class FileJob:
    """Export ``flow_sid`` to ``final`` (through ``final.partial``), with the options ``shape``."""

    flow_sid: str
    final: Path
    shape: Shape

    @property
    def partial(self) -> Path:
        return self.final.with_name(self.final.name + ".partial")

    @property
    def state_file(self) -> Path:
        return _state_path(self.partial)

    def plan(self, *, restart: bool, resume_from: str | None = None) -> Plan:
        """Decide, without sending or writing anything; JournalError if the rerun cannot go on."""
        if self.final.exists() or self.final.is_symlink():
            manifest = Manifest.load(self.final)
            changed = None if manifest is None else self._changes(manifest.flow_sid, manifest.shape)
            if manifest is not None and not changed:
                return Plan("skip", Progress(manifest.engagements, manifest.pages))
            if not restart and changed:
                raise JournalError(
                    f"{self.final} was exported with other options ({'; '.join(changed)}); "
                    "run with the same options, or with --restart to export it again with these"
                )
            if not restart:
                raise JournalError(
                    f"{self.final} exists and no export of flow {self.flow_sid} finished it; "
                    "move it away, or run with --restart to replace it"
                )
        if restart:
            return Plan("start", Progress(0, 0, resume_from), discard=True)
        if not self.partial.exists():
            if resume_from is not None:
                raise JournalError(f"nothing to resume: {self.partial} does not exist")
            return Plan("start", discard=True)
        if resume_from is not None:  # the URL printed by an earlier failure
            return self._resume_at_url(resume_from)
        if not self.state_file.exists():
            note = f"{self.partial} holds no recorded page: starting it over"
            return Plan("start", discard=True, note=note)
        try:
            state = SavedState.load(self.state_file)
            changed = self._changes(state.flow_sid, state.shape)
            if changed:
                raise JournalError(
                    f"{self.partial} was started with other options ({'; '.join(changed)}); "
                    "run with the same options to continue"
                )
            state.verify(self.partial)
        except JournalError as error:
            raise JournalError(f"{error}; run with --restart to start it over") from None
        start = Progress(state.engagements, state.pages, state.next_url)
        return Plan("resume", start, size=state.size, note=f"resuming {self.final} {_at(start)}")

    def _changes(self, flow_sid: str, shape: Shape) -> list[str]:
        changed = self.shape.differences(shape)
        if flow_sid != self.flow_sid:
            changed.insert(0, f"flow {flow_sid} -> {self.flow_sid}")
        return changed

    def _resume_at_url(self, url: str) -> Plan:
        """Continue at ``url``: after what a matching saved state records, else the whole file."""
        try:
            state = SavedState.load(self.state_file)
            state.verify(self.partial)
            if self._changes(state.flow_sid, state.shape):
                raise JournalError("other options")
            start, size = Progress(state.engagements, state.pages, url), state.size
        except JournalError:
            data = self.partial.read_bytes()
            if data and not data.endswith(b"\n"):
                problem = f"{self.partial} does not end with a whole record; use --restart"
                raise JournalError(problem) from None
            records = data.count(b"\n") - (self.shape.format == "csv" and bool(data))
            start, size = Progress(records, 0, url), len(data)
        return Plan("resume", start, size=size, note=f"resuming {self.final} {_at(start)}")

    def run(
        self,
        plan: Plan,
        client: StudioClient,
        *,
        on_page: Callable[[Progress], None] = lambda progress: None,
        before_page: Callable[[], None] = lambda: None,
    ) -> Progress:
        """Carry ``plan`` out; ExportFailed when a page fails (what was recorded is kept)."""
        if plan.discard:
            for stale in (self.partial, self.state_file, manifest_path(self.final)):
                stale.unlink(missing_ok=True)
        sink = PartialFile(self.final, resume_at=plan.size)
        header_owed = self.shape.format == "csv" and sink.size == 0

        def write(batch: list[Engagement]) -> None:
            nonlocal header_owed
            sink.write_page(render_rows(batch, self.shape.fields, self.shape.format, header_owed))
            header_owed = False

        def saved(progress: Progress) -> None:
            if progress.next_url is not None:
                SavedState(
                    self.flow_sid, self.shape, progress.next_url, progress.engagements,
                    progress.pages, sink.size, fingerprint(self.partial, sink.size),
                ).save(self.state_file)  # fmt: skip
            on_page(progress)

        try:
            done = export(
                client, self.flow_sid, limit=self.shape.limit, page_size=self.shape.page_size,
                start=plan.start, write=write, on_page=saved, before_page=before_page,
            )  # fmt: skip
            Manifest.of(self.partial, self.flow_sid, self.shape, done.engagements, done.pages).save(
                self.final
            )
        except BaseException as error:
            # Cut back to what the state on disk records (a page written after it, or one whose
            # next URL was refused, goes); with nothing recorded, nothing is left to block a rerun.
            recorded = self._recorded_size(plan)
            sink.abandon(keep=recorded)
            if recorded is None:
                self.state_file.unlink(missing_ok=True)
            if isinstance(error, OSError):  # the manifest could not be written
                raise ExportFailed(error, None, plan.start.engagements) from error
            raise
        sink.finish()
        self.state_file.unlink(missing_ok=True)
        return done

    def _recorded_size(self, plan: Plan) -> int | None:
        """The ``.partial``'s length its saved state records; None if nothing is recorded."""
        try:
            return SavedState.load(self.state_file).size
        except JournalError:
            return plan.size if plan.action == "resume" else None


def _at(start: Progress) -> str:
    return f"after {start.engagements:,} engagements ({start.pages} pages), at {start.next_url}"
