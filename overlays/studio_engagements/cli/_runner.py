"""The one job engine of ``list`` and ``archive``: it schedules, fetches, pauses and stops.

Requests run on ``concurrency`` worker threads sharing one client. The worker that finishes a
request hands its result to the sink and starts what may start next itself, one worker at a
time (the engine's lock): no result waits for another thread to wake up, and fetched but
uncommitted work never exceeds what the workers hold. The calling thread only watches: the live
display, Ctrl-C, the end. Each job reads its pages one after the other; the steps of a page's
new or changed engagements are read before the next page of that job, so that memory stays
bounded by ``concurrency``, not by how many engagements a flow has. A 429 pauses every worker
until its ``Retry-After`` has passed. Ctrl-C stops every request before it starts and every
result before it is handled; the run ends at once with what was committed (the workers are
daemons: a request under way is abandoned, never half written).
"""

from __future__ import annotations

import collections
import ctypes
import dataclasses
import enum
import queue
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import click

from .. import NotFoundError, RetryEvent, StudioClient, StudioError, rules
from ._exits import INTERRUPTED
from ._jobs import Job, JobState, Sink, Stand, Standing
from ._journal import JournalError
from ._report import Display

CHECK_SECONDS = 0.2  # how often a wait looks for Ctrl-C (the cool-down after a 429, ListFlow)
WATCH_SECONDS = 0.1  # how often the calling thread looks for Ctrl-C and redraws during a run
M_ARENA_MAX = -8  # glibc's mallopt parameters: how many malloc arenas threads may have,
M_MMAP_THRESHOLD = -3  # and the size from which a block is mapped on its own (and given back)
PAGES_AHEAD = 2  # pages of one job held at once: one being committed, the next being read


class Interrupted(Exception):
    """Ctrl-C: a worker stops before its next request."""


class Gate:
    """What every request passes first: the shared cool-down after a 429, and Ctrl-C."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._until = 0.0

    def before_sending(self) -> None:
        """Wait out a cool-down; Interrupted once the run stops."""
        while True:
            if self.stop.is_set() or INTERRUPTED.is_set():
                raise Interrupted
            with self._lock:
                wait = self._until - time.monotonic()
            if wait <= 0:
                return
            self.stop.wait(min(wait, CHECK_SECONDS))

    def pause(self, seconds: float) -> None:
        """Every request waits until ``seconds`` from now (a 429's Retry-After)."""
        with self._lock:
            self._until = max(self._until, time.monotonic() + seconds)


class TaskKind(enum.Enum):
    PAGE = "page"
    STEPS = "steps"
    FLOWS = "flows"


@dataclasses.dataclass(slots=True, eq=False)
class Task:
    """One request's worth of work (a page, one engagement's steps, the account's flows)."""

    kind: TaskKind
    job: Job | None
    record: Any = None
    """For STEPS: the engagement whose steps are read."""
    page: PendingPage | None = None
    """For STEPS: the held page the engagement belongs to."""
    pages: Iterator[Any] | None = None
    """For PAGE: the job's walk, whose next page is read."""
    result: Any = None
    error: BaseException | None = None


@dataclasses.dataclass(slots=True, eq=False)
class PendingPage:
    """A page read, waiting for its engagements' steps before it is committed."""

    records: list[Any]
    cursor: str | None
    owed: int
    """Engagements of the page whose steps are not kept yet."""


@dataclasses.dataclass(slots=True, eq=False)
class Walk:
    """A job's walk through its pages: the page iterator, what is held, whether it reads on."""

    pages: Iterator[Any]
    held: collections.deque[PendingPage] = dataclasses.field(default_factory=collections.deque)
    reading: bool = False
    """A page request is under way."""
    more: bool = True
    """Pages remain to be read."""
    started: float = dataclasses.field(default_factory=time.monotonic)


class Runner:
    """Runs ``jobs`` into ``sink`` with one client; at most ``concurrency`` requests at once."""

    def __init__(
        self,
        client_options: dict[str, Any],
        sink: Sink,
        *,
        concurrency: int,
        page_size: int | None = None,
    ) -> None:
        self.sink, self.concurrency, self.page_size = sink, concurrency, page_size
        self.jobs: list[Job] = []
        self.gate = Gate()
        self.requests = 0
        self._on_change: Callable[[Runner], None] = lambda runner: None
        self._client = StudioClient(**client_options, on_retry=self._announce)
        self._work: queue.SimpleQueue[Task | None] = queue.SimpleQueue()
        self._done: queue.SimpleQueue[Task] = queue.SimpleQueue()  # ListFlow's answer
        self._current = threading.local()
        self._lock = threading.Lock()  # held by the one thread handling a result
        self._idle = threading.Event()  # nothing under way and nothing left to start
        self._stopped = False  # no result is handled once the run stops or the runner closes
        self._crash: BaseException | None = None
        self._in_flight = 0
        self._walks: dict[Job, Walk] = {}
        self._waiting: collections.deque[Job] = collections.deque()
        self._steps_ready: collections.deque[Task] = collections.deque()
        self._count_lock = threading.Lock()
        self._threads: list[threading.Thread] = []

    # -- what the caller sees ---------------------------------------------------------------------

    @property
    def in_flight(self) -> int:
        """Requests under way now."""
        return self._in_flight

    def list_flows(self) -> list[Any]:
        """The account's flows (ListFlow), read by a worker so that Ctrl-C stays prompt."""
        self._start_workers()
        self._send(Task(TaskKind.FLOWS, None))
        while True:
            if INTERRUPTED.is_set():
                raise Interrupted
            try:
                task = self._done.get(timeout=CHECK_SECONDS)
            except queue.Empty:
                continue
            self._in_flight -= 1
            if task.error is not None:
                raise task.error
            return list(task.result)

    def run(
        self, jobs: Sequence[Job], on_change: Callable[[Runner], None] = lambda runner: None
    ) -> bool:
        """Run every job to its end (or failure), calling ``on_change`` as things move; returns
        whether Ctrl-C stopped the run."""
        self._on_change = on_change
        self.jobs.extend(jobs)
        for job in jobs:
            if job.standing.stand in (Stand.START, Stand.RESUME, Stand.UPDATE):
                self._waiting.append(job)
        self._start_workers()
        with self._lock:
            if not self._dispatch():
                self._idle.set()
        while not self._idle.wait(WATCH_SECONDS) and not INTERRUPTED.is_set():
            self._on_change(self)
        if INTERRUPTED.is_set() and any(job.state is JobState.RUNNING for job in self.jobs):
            self._stop()
            return True
        if self._crash is not None:
            raise self._crash
        self._on_change(self)
        return False

    def _stop(self) -> None:
        """Ctrl-C: no request starts, no result is handled; running jobs are interrupted."""
        with self._lock:
            self._stopped = True
            self.gate.stop.set()
            for job, walk in self._walks.items():
                job.seconds += time.monotonic() - walk.started
            for job in self.jobs:
                if job.state is JobState.RUNNING:
                    job.state, job.error = JobState.INTERRUPTED, KeyboardInterrupt()

    def close(self) -> None:
        """Stop the workers (a request under way is left to end on its own, unhandled)."""
        with self._lock:
            self._stopped = True
        self.gate.stop.set()
        for _ in self._threads:
            self._work.put(None)
        if self._in_flight == 0:
            self._client.close()

    # -- the scheduler: run by whichever thread holds the engine's lock ---------------------------

    def _complete(self, task: Task) -> None:
        """A worker's finished task: handed to the sink, and what may start next started."""
        with self._lock:
            self._in_flight -= 1
            if self._stopped:
                return
            if INTERRUPTED.is_set():  # Ctrl-C: nothing more is handled; the run stops
                self._idle.set()
                return
            try:
                self._handle(task)
                busy = self._dispatch()
            except BaseException as error:  # a bug: the run ends with it, never a silent hang
                self._crash, busy = error, False
            if not busy:
                self._idle.set()

    def _send(self, task: Task) -> None:
        self._in_flight += 1
        self.requests += 1
        if task.job is not None:
            task.job.requests += 1
        self._work.put(task)

    def _dispatch(self) -> bool:
        """Start requests while fewer than ``concurrency`` are under way; whether any is."""
        while self._in_flight < self.concurrency:
            if self._steps_ready:
                self._send(self._steps_ready.popleft())
                continue
            job = self._job_to_read()
            if job is None:
                break
            walk = self._walks[job]
            walk.reading = True
            self._send(Task(TaskKind.PAGE, job, pages=walk.pages))
        return self._in_flight > 0

    def _job_to_read(self) -> Job | None:
        """A job whose next page may be read now (starting a waiting one if there is room).

        Called only once every owed steps request has been sent: a job reads its next page
        while the steps of the one before are still being read, never further ahead.
        """
        for job, walk in self._walks.items():
            if walk.more and not walk.reading and len(walk.held) < PAGES_AHEAD:
                return job
        if self._waiting and len(self._walks) < self.concurrency:
            job = self._waiting.popleft()
            self._begin(job, job.standing)
            return job
        return None

    def _begin(self, job: Job, standing: Standing) -> None:
        job.state, job.standing = JobState.RUNNING, standing
        job.engagements, job.pages = standing.engagements, standing.pages
        pages = self._client.engagements.pages(
            job.flow_sid, page_size=self._page_size(job), start_url=standing.cursor
        )
        self._walks[job] = Walk(pages)

    def _page_size(self, job: Job) -> int | None:
        """The caller's page size; with a limit, none larger than what is still owed."""
        remaining = job.remaining
        if remaining is None or (self.page_size is not None and self.page_size <= remaining):
            return self.page_size
        return min(remaining, _largest_page())

    def _handle(self, task: Task) -> None:
        job = task.job
        assert job is not None
        if job.state is not JobState.RUNNING:
            return  # a late answer for a job that failed meanwhile
        try:
            self._hand_over(job, task)
        except (StudioError, OSError, JournalError) as error:  # the output refused it
            self._fail(job, error)

    def _hand_over(self, job: Job, task: Task) -> None:
        """Give a finished task's result (or error) to the sink, and move the job on."""
        if task.kind is TaskKind.PAGE:
            self._walks[job].reading = False
            if task.error is not None:
                self._page_failed(job, task.error)
            else:
                self._page_read(job, task.result)
        elif not self._still_held(job, task):
            return  # the walk ended above this page (an update that read enough): dropped
        elif task.error is None:
            self._steps_read(job, task, task.result)
        elif isinstance(task.error, NotFoundError) and self.sink.unavailable(
            job, task.record.sid, "steps", task.error
        ):
            job.unavailable += 1
            self._steps_read(job, task, None)
        else:
            self._fail(job, task.error)

    def _page_read(self, job: Job, page: Any) -> None:
        walk = self._walks[job]
        records = list(page.engagements)
        remaining = job.remaining
        if remaining is not None:
            records = records[:remaining]
        cursor = page.next_url
        if remaining is not None and len(records) >= remaining:
            cursor = None
        walk.more = cursor is not None
        owed = self.sink.owed(job, records) if self.sink.steps else []
        held = PendingPage(records, cursor, len(owed))
        walk.held.append(held)
        self._steps_ready.extend(Task(TaskKind.STEPS, job, record, held) for record in owed)
        self._commit_whole_pages(job)

    def _still_held(self, job: Job, task: Task) -> bool:
        """Whether the page of a steps task is still waiting in its job's walk."""
        walk = self._walks.get(job)
        return walk is not None and any(page is task.page for page in walk.held)

    def _steps_read(self, job: Job, task: Task, steps: list[Any] | None) -> None:
        self.sink.commit_record(job, task.record, steps)
        assert task.page is not None
        task.page.owed -= 1
        self._commit_whole_pages(job)

    def _commit_whole_pages(self, job: Job) -> None:
        """Commit, in order, every held page whose steps are all kept; end the walk if done."""
        walk = self._walks[job]
        while walk.held and walk.held[0].owed == 0:
            page = walk.held.popleft()
            reading_on = self.sink.commit_page(job, page.records, page.cursor)
            job.pages += 1
            job.cursor = page.cursor
            if not reading_on:  # an update that has read enough: pages read ahead are dropped
                walk.more = False
                walk.held.clear()
                self._drop_steps(job)
        if not walk.more and not walk.reading and not walk.held:
            self._end_walk(job)

    def _end_walk(self, job: Job) -> None:
        walk = self._walks.pop(job)
        job.seconds += time.monotonic() - walk.started
        following = self.sink.finish(job)
        if following is not None:
            self._begin(job, following)
        elif job.state is JobState.RUNNING:
            job.state = JobState.UPDATED if job.standing.stand is Stand.UPDATE else JobState.DONE

    def _page_failed(self, job: Job, error: BaseException) -> None:
        if isinstance(error, NotFoundError) and self.sink.unavailable(
            job, job.flow_sid, "engagements", error
        ):
            walk = self._walks.pop(job)
            job.seconds += time.monotonic() - walk.started
            job.state, job.error = JobState.UNAVAILABLE, error
            job.unavailable += 1
            return
        self._fail(job, error)

    def _fail(self, job: Job, error: BaseException) -> None:
        walk = self._walks.pop(job, None)
        if walk is not None:
            job.seconds += time.monotonic() - walk.started
        job.state, job.error, job.retrying = JobState.FAILED, error, None
        self._drop_steps(job)

    def _drop_steps(self, job: Job) -> None:
        """Forget the steps requests of ``job`` not sent yet."""
        self._steps_ready = collections.deque(
            task for task in self._steps_ready if task.job is not job
        )

    # -- the workers ------------------------------------------------------------------------------

    def _start_workers(self) -> None:
        if not self._threads:
            _share_malloc_arenas()
        while len(self._threads) < self.concurrency:
            thread = threading.Thread(target=self._work_on, name="studio-worker", daemon=True)
            thread.start()
            self._threads.append(thread)

    def _work_on(self) -> None:
        while (task := self._work.get()) is not None:
            self._current.job = task.job
            try:
                self.gate.before_sending()
                task.result = self._fetch(task)
            except (StudioError, OSError, Interrupted) as error:
                task.error = error
            except BaseException as error:  # a bug: reported, never a silent hang
                task.error = error
            if task.job is None:
                self._done.put(task)  # ListFlow: list_flows waits for it
            else:
                self._complete(task)

    def _fetch(self, task: Task) -> Any:
        if task.kind is TaskKind.FLOWS:
            return self._client.flows.list()
        job = task.job
        assert job is not None
        if task.kind is TaskKind.PAGE:
            assert task.pages is not None
            page = next(task.pages)
            job.retrying = None
            return page
        return self._client.steps.list(job.flow_sid, task.record.sid)

    def _announce(self, event: RetryEvent) -> None:
        """A retry under way (a worker's thread): counted, shown; a 429 pauses every request."""
        job: Job | None = getattr(self._current, "job", None)
        if event.status == 429:
            self.gate.pause(event.wait)
        if job is not None:
            with self._count_lock:
                job.retries += 1
            job.retrying = f"retrying in {event.wait:.1f} s after {event.reason}"
        if self.gate.stop.is_set():
            raise Interrupted


def _share_malloc_arenas() -> None:
    """Let the workers share two malloc arenas (Linux with glibc; elsewhere nothing to do).

    glibc gives each thread that contends for malloc an arena of its own and keeps what is freed
    there: every worker that once decoded a page of engagements would keep a page's worth, and
    the process would grow with the pages a run reads rather than with the pages it holds.
    """
    if sys.platform != "linux":
        return
    try:
        mallopt = ctypes.CDLL(None).mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt(M_ARENA_MAX, 2)
    mallopt(M_MMAP_THRESHOLD, 1024 * 1024)


def _largest_page() -> int:
    maximum = rules.rule("PageSize").maximum
    assert maximum is not None
    return int(maximum)


@dataclasses.dataclass(slots=True)
class Outcome:
    """What a run did: its jobs (with their states and counts) and whether Ctrl-C stopped it."""

    jobs: list[Job]
    interrupted: bool
    requests: int


def carry_out(
    sink: Sink,
    jobs: Sequence[Job],
    client_options: dict[str, Any],
    *,
    concurrency: int,
    page_size: int | None,
    quiet: bool,
    steps: bool,
    discover: Callable[[list[Any]], list[Job]] | None = None,
    lock: Callable[[Job], None] | None = None,
) -> Outcome:
    """One run: (``discover``: jobs from the account's flows), each job's output locked
    (``lock``), where each stands (all refusals at once, before anything is written), the jobs
    on the engine with the live display, and the sink closed whatever happens."""
    runner = Runner(client_options, sink, concurrency=concurrency, page_size=page_size)
    chosen: list[Job] = list(jobs)
    display: Display | None = None
    interrupted = False
    try:
        try:
            if discover is not None:
                chosen = discover(runner.list_flows())
        except Interrupted:
            interrupted = True
            return Outcome(chosen, True, runner.requests)
        refused = []
        for job in chosen:
            if lock is not None:
                try:
                    lock(job)
                except JournalError as error:
                    refused.append(str(error))
                    continue
            job.standing = sink.stand(job)
            if job.standing.stand is Stand.REFUSED:
                refused.append(job.standing.note or f"flow {job.flow_sid} cannot go on")
            elif job.standing.stand is Stand.COMPLETE:
                job.state = JobState.COMPLETE
                job.engagements, job.pages = job.standing.engagements, job.standing.pages
        if refused:
            raise JournalError("\n".join(refused))
        if not quiet:
            for job in chosen:
                if job.standing.note is not None and job.standing.stand is not Stand.REFUSED:
                    _say(job.standing.note)
        display = Display(chosen, steps=steps, quiet=quiet)
        shown = display

        def on_change(engine: Runner) -> None:
            shown.show(engine)

        interrupted = runner.run(chosen, on_change)
        return Outcome(chosen, interrupted, runner.requests)
    finally:
        if display is not None:
            display.close()
        runner.close()
        sink.close(chosen, interrupted)


def _say(text: str) -> None:
    click.echo(text, err=True)
