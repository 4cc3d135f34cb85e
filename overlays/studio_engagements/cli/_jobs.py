"""What a job is, how it stands and ends, and what every sink promises the engine.

A job is one flow's engagements going to one output: a file of its own (``list``), standard
output, or the archive. The engine (``_runner``) reads pages and steps; a sink (``_file_sink``,
``_archive_sink``) says where each job stands before anything is sent, commits records together
with the checkpoint they move on in one atomic step, and finishes the job.
"""

from __future__ import annotations

import dataclasses
import enum
from collections.abc import Sequence
from typing import Any, Protocol


class Stand(enum.Enum):
    """Where a job stands before the run sends anything."""

    START = "start"
    """Nothing kept yet: from the first page."""
    RESUME = "resume"
    """An earlier run stopped part way: from its checkpoint."""
    UPDATE = "update"
    """Complete: read what is new or changed since, newest first."""
    COMPLETE = "complete"
    """Complete, and nothing to do."""
    REFUSED = "refused"
    """Cannot go on as things stand (the note says why and what to do)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Standing:
    """A sink's answer to "where does this job stand?"."""

    stand: Stand
    cursor: str | None = None
    """The page to read first (None: the list's first page)."""
    engagements: int = 0
    """Engagements kept so far (by earlier runs)."""
    pages: int = 0
    note: str | None = None
    """What a person should be told (why it is refused; where it resumes)."""


class JobState(enum.Enum):
    """How a job ended (or stands, while it runs), as the summary says it."""

    NOT_STARTED = "not started"
    RUNNING = "running"
    DONE = "done"
    UPDATED = "updated"
    COMPLETE = "complete"
    UNAVAILABLE = "unavailable"
    FAILED = "failed"
    INTERRUPTED = "interrupted"

    @property
    def finished(self) -> bool:
        """Whether the job's output is whole (nothing left for a rerun to do)."""
        return self in (JobState.DONE, JobState.UPDATED, JobState.COMPLETE, JobState.UNAVAILABLE)


@dataclasses.dataclass(slots=True, eq=False)
class Job:
    """One flow to one output: its options, and what the run has done so far."""

    flow_sid: str
    limit: int | None = None
    state: JobState = JobState.NOT_STARTED
    standing: Standing = dataclasses.field(default_factory=lambda: Standing(Stand.START))
    engagements: int = 0
    """Engagements kept (counting earlier runs)."""
    pages: int = 0
    steps: int = 0
    new: int = 0
    changed: int = 0
    unavailable: int = 0
    """Engagements (or the flow) the API answered 404 for, kept as last seen."""
    retries: int = 0
    requests: int = 0
    seconds: float = 0.0
    error: BaseException | None = None
    cursor: str | None = None
    """The next page of the last page committed (where a rerun goes on)."""
    retrying: str | None = None
    """The retry under way, as shown live (None: none)."""

    @property
    def remaining(self) -> int | None:
        """Engagements still owed under ``limit`` (None: no limit)."""
        return None if self.limit is None else max(self.limit - self.engagements, 0)


class Sink(Protocol):
    """Where jobs' records go. Every method runs on the engine's one thread, in order."""

    steps: bool
    """Whether each new or changed engagement's steps are read and kept with it."""

    def stand(self, job: Job) -> Standing:
        """Where ``job`` stands; decided before anything is sent, never writing records."""
        ...

    def owed(self, job: Job, records: Sequence[Any]) -> list[Any]:
        """Of a page's ``records``, those whose steps must be read before the page is whole."""
        ...

    def commit_record(self, job: Job, record: Any, steps: Sequence[Any] | None) -> None:
        """One record with all of its steps (None: they are unavailable): kept whole, at the
        latest with its page (never part of its steps, never after its page's checkpoint)."""
        ...

    def commit_page(self, job: Job, records: Sequence[Any], cursor: str | None) -> bool:
        """A page's records (with those given by ``commit_record`` not kept yet) and the
        checkpoint ``cursor`` they move the job on to (None: the walk's end), atomically;
        whether to read on."""
        ...

    def unavailable(self, job: Job, sid: str, what: str, error: BaseException) -> bool:
        """The API answered 404 for ``what`` (``steps``, ``engagements``) of ``sid``: whether
        that is recorded and the job goes on (False: it is an error, e.g. a mistyped flow)."""
        ...

    def finish(self, job: Job) -> Standing | None:
        """The walk reached its end: make the output whole; a further walk to make (an update
        after a resume), or None."""
        ...

    def close(self, jobs: Sequence[Job], interrupted: bool) -> None:
        """The run is over: keep what was committed, drop what was not."""
        ...
