"""One flow exported to one file: started, resumed from its saved state, or skipped as complete.

Everything is decided by :meth:`FileJob.plan` before anything is sent, so that a rerun whose
options would change a file is refused while nothing has happened yet.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import attrs

from .._models import Engagement
from .._resources import Engagements
from ._export import PartialFile, Progress, count_records, export, render_rows
from ._state import SavedState, Shape, state_path


class RerunRefused(Exception):
    """A rerun cannot continue the file as it stands (other options, or no saved state)."""


@attrs.frozen
class Plan:
    """What a job will do: ``skip`` (complete), ``start``, ``resume`` or ``finish`` (rename)."""

    action: str
    start_url: str | None = None
    engagements: int = 0
    pages: int = 0
    size: int | None = None
    """For a resume from saved state: the ``.partial``'s size at its last whole page."""
    discard: bool = False


@attrs.frozen
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
        return state_path(self.partial)

    def plan(self, *, restart: bool, resume_from: str | None = None) -> Plan:
        """Decide, without sending or writing anything; RerunRefused if the rerun cannot go on."""
        if restart:
            return Plan("start", start_url=resume_from, discard=True)
        if not self.partial.exists():
            if resume_from is not None:
                raise RerunRefused(f"nothing to resume: {self.partial} does not exist")
            return Plan("skip") if self.final.exists() else Plan("start")
        if resume_from is not None:  # the URL printed by an earlier failure
            return Plan("resume", resume_from, count_records(self.partial, self.shape.format))
        if not self.state_file.exists():
            raise RerunRefused(
                f"{self.partial} exists but no saved state says where it stands; "
                "run with --restart to start it over (or --resume-from URL)"
            )
        try:
            state = SavedState.load(self.state_file)
        except ValueError as error:
            raise RerunRefused(f"{error}; run with --restart to start over") from None
        changed = self.shape.differences(state.shape)
        if state.flow_sid != self.flow_sid:
            changed.insert(0, f"flow {state.flow_sid} -> {self.flow_sid}")
        if changed:
            raise RerunRefused(
                f"{self.partial} was started with other options ({'; '.join(changed)}); "
                "run it with the same options to continue, or with --restart to start over"
            )
        action = "resume" if state.next_url is not None else "finish"
        return Plan(action, state.next_url, state.engagements, state.pages, state.size)

    def run(
        self,
        plan: Plan,
        engagements: Engagements,
        *,
        on_page: Callable[[Progress], None] = lambda progress: None,
    ) -> Progress:
        """Carry ``plan`` out; ExportFailed (``.partial`` and state kept) when a page fails."""
        if plan.discard:
            self.partial.unlink(missing_ok=True)
            self.state_file.unlink(missing_ok=True)
        if plan.size is not None:
            with self.partial.open("r+b") as handle:
                handle.truncate(plan.size)  # a page written after the state was saved goes
        sink = PartialFile(self.final, resume=plan.action in ("resume", "finish"))
        header_owed = self.shape.format == "csv" and sink.is_empty

        def write(batch: list[Engagement]) -> None:
            nonlocal header_owed
            sink.write_page(render_rows(batch, self.shape.fields, self.shape.format, header_owed))
            header_owed = False

        def saved(progress: Progress) -> None:
            state = SavedState(
                self.flow_sid, self.shape, progress.next_url, progress.engagements,
                plan.pages + progress.pages, sink.size,
            )  # fmt: skip
            state.save(self.state_file)
            on_page(progress)

        try:
            if plan.action == "finish":
                done = Progress(plan.engagements, 0)
            else:
                done = export(
                    engagements,
                    self.flow_sid,
                    limit=self.shape.limit,
                    page_size=self.shape.page_size,
                    resume_from=plan.start_url,
                    already=plan.engagements,
                    write=write,
                    on_page=saved,
                )
        except BaseException:
            sink.abandon()
            raise
        sink.finish()
        self.state_file.unlink(missing_ok=True)
        return done
