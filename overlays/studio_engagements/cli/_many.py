"""Many flows at once: exported concurrently and politely, one file each.

Flows run in a thread pool sharing one client (httpx pools connections across threads); each
flow's pages are still read in order. A 429 slows everyone: before it starts its next request,
every flow waits until the latest ``Retry-After`` any flow was given has passed (outside any
request's deadline), so N flows do not retry N times as hard. Ctrl-C stops every flow before
its next request (a second Ctrl-C leaves at once); every recorded page stays in its ``.partial``.
The main thread only waits here, and sees Ctrl-C as the flag it checks between waits.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections.abc import Sequence

from .._client import StudioClient
from ._exits import INTERRUPTED, check_interrupted
from ._export import ExportFailed, Progress
from ._jobs import FileJob, Plan
from ._report import FlowResult

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
CHECK_SECONDS = 0.2  # how often a wait looks for Ctrl-C


class Gate:
    """What every flow passes before each request: the shared cool-down, and Ctrl-C."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._until = 0.0

    def before_page(self) -> None:
        """Wait out a cool-down; stop (as Ctrl-C) once asked to."""
        while True:
            if self.stop.is_set():
                raise KeyboardInterrupt
            check_interrupted()
            with self._lock:
                wait = self._until - time.monotonic()
            if wait <= 0:
                return
            self.stop.wait(min(wait, CHECK_SECONDS))  # Ctrl-C is checked between the slices

    def retrying(self, flow_sid: str | None, reason: str, delay: float) -> None:
        """A retry the client logged: a 429 starts (or extends) everyone's cool-down."""
        if reason == "429":
            with self._lock:
                self._until = max(self._until, time.monotonic() + delay)


def export_many(
    client: StudioClient,
    jobs: Sequence[tuple[FileJob, Plan]],
    results: Sequence[FlowResult],
    *,
    concurrency: int,
    gate: Gate,
) -> bool:
    """Run every job, at most ``concurrency`` at a time; one failing does not stop the others.

    ``results`` (one per job) are updated as flows progress. On Ctrl-C, every flow stops before
    its next request; returns whether that happened, once all have stopped.
    """

    def run(index: int) -> None:
        (job, plan), result = jobs[index], results[index]
        result.engagements, result.pages = plan.start.engagements, plan.start.pages
        if plan.action == "skip":
            result.status = "skipped"
            return
        if gate.stop.is_set():
            result.status, result.error = "failed", KeyboardInterrupt()
            return
        started = time.monotonic()
        result.status = "running"

        def on_page(progress: Progress) -> None:
            result.engagements, result.pages = progress.engagements, progress.pages
            result.retrying = None

        try:
            job.run(plan, client, on_page=on_page, before_page=gate.before_page)
            result.status = "done"
        except ExportFailed as failed:
            result.status, result.error = "failed", failed.cause
        result.seconds = time.monotonic() - started

    interrupted = False
    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(run, index) for index in range(len(jobs))]
        pending: set[concurrent.futures.Future[None]] = set(futures)
        while pending:
            _, pending = concurrent.futures.wait(pending, timeout=CHECK_SECONDS)
            if INTERRUPTED.is_set() and not interrupted:
                interrupted = True
                gate.stop.set()  # every flow stops before its next request
        for future in futures:
            future.result()  # a bug in run() is not swallowed
    return interrupted
