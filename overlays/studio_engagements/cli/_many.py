"""Many flows at once: exported concurrently and politely, one file each, then summarised.

Flows run in a thread pool sharing one client (httpx pools connections across threads); each
flow's pages are still read in order. A 429 slows everyone: every request waits until the
latest ``Retry-After`` any flow was given has passed, so N flows do not retry N times as hard.
Ctrl-C stops every flow after the request it has in flight (a second Ctrl-C at once); every
whole page stays in its ``.partial``.
"""

from __future__ import annotations

import concurrent.futures
import os
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from typing import Any

import attrs
import httpx

from .._resources import Engagements
from .._retry import parse_retry_after
from ._export import ExportFailed, Progress
from ._jobs import FileJob, Plan

DEFAULT_CONCURRENCY = 4
MAX_CONCURRENCY = 16
RATE_LIMITED_WAIT = 1.0  # a 429 without a usable Retry-After


class Gate:
    """What every request of every flow goes through: the shared cool-down, Ctrl-C, counting."""

    def __init__(self) -> None:
        self.stop = threading.Event()
        self._lock = threading.Lock()
        self._until = 0.0
        self._flow = threading.local()
        self.requests: dict[str, int] = {}

    def working_on(self, flow_sid: str) -> None:
        """Count this thread's requests for ``flow_sid``."""
        self._flow.sid = flow_sid

    def before_request(self, request: httpx.Request) -> None:
        """httpx request hook: wait out a cool-down; stop (as Ctrl-C) once asked to."""
        with self._lock:
            sid = getattr(self._flow, "sid", None)
            if sid is not None:
                self.requests[sid] = self.requests.get(sid, 0) + 1
            wait = self._until - time.monotonic()
        if wait > 0:
            self.stop.wait(wait)
        if self.stop.is_set():
            raise KeyboardInterrupt

    def after_response(self, response: httpx.Response) -> None:
        """httpx response hook: a 429 starts (or extends) everyone's cool-down."""
        if response.status_code == 429:
            hinted = parse_retry_after(response.headers.get("Retry-After"), datetime.now(UTC))
            seconds = RATE_LIMITED_WAIT if hinted is None else hinted
            with self._lock:
                self._until = max(self._until, time.monotonic() + seconds)

    def hooks(self) -> dict[str, list[Callable[[Any], None]]]:
        """The event hooks for the shared ``httpx.Client``."""
        return {"request": [self.before_request], "response": [self.after_response]}


@attrs.define
class FlowResult:
    """How one flow's export ended."""

    flow_sid: str
    status: str = "waiting"
    """``waiting``, ``running``, ``done``, ``skipped`` or ``failed``."""
    engagements: int = 0
    pages: int = 0
    seconds: float = 0.0
    error: BaseException | None = None
    retries: int = 0


def export_many(
    engagements: Engagements,
    jobs: Sequence[tuple[FileJob, Plan]],
    *,
    concurrency: int,
    gate: Gate,
    on_change: Callable[[FlowResult], None] = lambda result: None,
) -> list[FlowResult]:
    """Run every job, at most ``concurrency`` at a time; one failing does not stop the others.

    On Ctrl-C, every flow stops before its next request and the KeyboardInterrupt is re-raised
    once all have stopped; the results so far are in ``results`` of the exception's args.
    """
    results = [FlowResult(job.flow_sid) for job, _ in jobs]

    def run(index: int) -> None:
        (job, plan), result = jobs[index], results[index]
        if plan.action == "skip":
            result.status = "skipped"
            on_change(result)
            return
        if gate.stop.is_set():
            result.status, result.error = "failed", KeyboardInterrupt()
            return
        gate.working_on(job.flow_sid)
        started = time.monotonic()
        result.status, result.engagements, result.pages = "running", plan.engagements, plan.pages
        on_change(result)

        def on_page(progress: Progress) -> None:
            result.engagements, result.pages = progress.engagements, plan.pages + progress.pages
            on_change(result)

        try:
            job.run(plan, engagements, on_page=on_page)
            result.status = "done"
        except ExportFailed as failed:
            result.status, result.error = "failed", failed.cause
        result.seconds = time.monotonic() - started
        requests = gate.requests.get(job.flow_sid, 0)
        result.retries = max(requests - (result.pages - plan.pages) - (result.error is not None), 0)
        on_change(result)

    with concurrent.futures.ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(run, index) for index in range(len(jobs))]
        interrupted = False
        pending: set[concurrent.futures.Future[None]] = set(futures)
        while pending:
            try:
                _, pending = concurrent.futures.wait(pending, timeout=0.2)
            except KeyboardInterrupt:
                if interrupted:
                    # A second Ctrl-C: leave now. Files are consistent at every moment: the
                    # saved state names the end of the last whole page, and a rerun cuts there.
                    os._exit(130)
                interrupted = True
                gate.stop.set()  # every flow stops after the request it has in flight
        for future in futures:
            future.result()  # a bug in run() is not swallowed
    if interrupted:
        raise KeyboardInterrupt(results)
    return results
