"""The archive command's work: flows, their engagements and steps into one SQLite file.

The flows are listed first (``ListFlow``) and committed whole. Then each flow's engagement pages
are read in order, each committed with where the flow stands; with ``--steps``, each committed
engagement's steps are fetched in a thread pool sharing the one client (up to
``--concurrency`` at once, behind the shared rate-limit pause of :class:`Gate`), and each
engagement's steps are committed whole. A rerun starts from what the database records: nothing
committed is fetched again. Ctrl-C stops every request before it starts; what was committed
stays.
"""

from __future__ import annotations

import concurrent.futures
import dataclasses
import sqlite3
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import click

from .._client import StudioClient
from .._models import Engagement, Step
from ..errors import StudioError
from ._archive_store import ArchiveStore, remove
from ._exits import EXIT_INTERRUPTED, check_interrupted, exit_code, most_serious
from ._export import ExportFailed, Progress, export
from ._flow_list import gather_flow_sids
from ._list import writable
from ._many import CHECK_SECONDS, Gate
from ._report import FlowResult, ProgressLine, print_summary, watching_retries

_Future = concurrent.futures.Future[list[Step]]
MAX_IN_FLIGHT = 4096  # engagements whose steps are being fetched or wait to be committed


@dataclasses.dataclass(frozen=True, slots=True)
class ArchiveRequest:
    """The ``archive`` command's options, checked together before anything is sent."""

    flow_sids: tuple[str, ...] | None
    """The flows to archive, in order (None: every flow ``ListFlow`` gives)."""
    output: Path
    steps: bool
    concurrency: int
    restart: bool
    page_size: int | None

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> ArchiveRequest:
        sids: tuple[str, ...] | None = None
        if options["all_flows"]:
            if options["flow_sids"] or options["flows_file"] is not None:
                raise click.UsageError("give FLOW_SIDs, --flows-file FILE or --all-flows, not both")
        else:
            sids = gather_flow_sids(options["flow_sids"], options["flows_file"])
        return cls(
            sids, options["output"], options["steps"], options["concurrency"], options["restart"],
            options["page_size"],
        )  # fmt: skip

    def recorded(self) -> dict[str, Any]:
        """The options an archive keeps: a rerun must give the same ones."""
        flows = "all (--all-flows)" if self.flow_sids is None else list(self.flow_sids)
        return {"flows": flows, "steps": self.steps}


class Archiver:
    """One run of the archive: what it fetches, commits and counts."""

    def __init__(self, client: StudioClient, store: ArchiveStore, request: ArchiveRequest) -> None:
        self.client, self.store, self.request = client, store, request
        self.gate = Gate()
        self.results: dict[str, FlowResult] = {}
        self.steps_fetched = 0
        self.in_flight: dict[_Future, tuple[str, str]] = {}
        self.progress = ProgressLine()

    def run(self) -> bool:
        """Archive what is not archived yet; returns whether Ctrl-C stopped it."""
        pool = concurrent.futures.ThreadPoolExecutor(max_workers=self.request.concurrency)
        try:
            self._list_flows()
            states = self.store.flows()
            self.results = {state.flow_sid: FlowResult(state.flow_sid) for state in states}
            for flow_sid, engagement_sid in self.store.pending_steps():
                self._submit(pool, flow_sid, engagement_sid)
            for state in states:
                if not state.done:
                    self._archive_flow(pool, state.flow_sid, state.progress)
            self._harvest(wait_all=True)
            return False
        except KeyboardInterrupt:
            self.gate.stop.set()  # every request not started yet is not sent
            pool.shutdown(wait=False, cancel_futures=True)
            self._stop_quietly()
            return True
        finally:
            pool.shutdown(wait=True, cancel_futures=True)
            self.progress.close()

    def _list_flows(self) -> None:
        if self.store.flows_listed:
            return
        self.gate.before_page()
        flows = self.client.flows.list()
        chosen = self.request.flow_sids
        if chosen is None:
            chosen = tuple(dict.fromkeys(flow.sid for flow in flows if flow.sid is not None))
        self.store.save_flows([flow for flow in flows if flow.sid in chosen], chosen)

    def _archive_flow(
        self, pool: concurrent.futures.ThreadPoolExecutor, flow_sid: str, start: Progress
    ) -> None:
        result, page = self.results[flow_sid], list[Engagement]()
        result.status, started = "running", time.monotonic()

        def keep(batch: list[Engagement]) -> None:
            page[:] = batch

        def commit(progress: Progress) -> None:
            self.store.save_engagements(flow_sid, page, progress, self.request.steps)
            result.engagements, result.pages = progress.engagements, progress.pages
            if self.request.steps:
                for engagement in page:
                    if engagement.sid is not None:
                        self._submit(pool, flow_sid, engagement.sid)
            self._harvest(wait_all=False)

        try:
            export(
                self.client, flow_sid, limit=None, page_size=self.request.page_size, start=start,
                write=keep,
                on_page=commit, before_page=self.gate.before_page,
            )  # fmt: skip
            result.status = "done"
        except ExportFailed as failed:
            if isinstance(failed.cause, KeyboardInterrupt):
                raise KeyboardInterrupt from None
            result.status, result.error = "failed", failed.cause
        result.seconds += time.monotonic() - started

    def _submit(self, pool: concurrent.futures.ThreadPoolExecutor, flow: str, sid: str) -> None:
        def fetch() -> list[Step]:
            self.gate.before_page()
            return self.client.steps.list(flow, sid)

        self.in_flight[pool.submit(fetch)] = (flow, sid)
        if len(self.in_flight) >= MAX_IN_FLIGHT:
            self._harvest(wait_all=False, at_least_one=True)

    def _harvest(self, *, wait_all: bool, at_least_one: bool = False) -> None:
        """Commit the steps fetched so far (all of them: ``wait_all``)."""
        while self.in_flight:
            # A bounded wait, so that Ctrl-C is taken at once.
            done, _ = concurrent.futures.wait(
                self.in_flight, CHECK_SECONDS if wait_all or at_least_one else 0,
                concurrent.futures.FIRST_COMPLETED,
            )  # fmt: skip
            for future in done:
                self._commit_steps(future, *self.in_flight.pop(future))
            self._show()
            check_interrupted()
            if not wait_all and (done or not at_least_one):
                return

    def _commit_steps(self, future: _Future, flow_sid: str, engagement_sid: str) -> None:
        result = self.results.setdefault(flow_sid, FlowResult(flow_sid))
        try:
            steps = future.result()
        except StudioError as error:
            result.status, result.error = "failed", error
            return
        self.store.save_steps(engagement_sid, steps)
        self.steps_fetched += len(steps)

    def _stop_quietly(self) -> None:
        """After Ctrl-C: let the requests under way end, keep what they fetched (a second
        Ctrl-C leaves at once: every commit is whole)."""
        for future in list(self.in_flight):
            flow_sid, engagement_sid = self.in_flight.pop(future)
            if not future.cancelled() and future.exception() is None:
                self._commit_steps(future, flow_sid, engagement_sid)

    def _show(self) -> None:
        engagements = sum(result.engagements for result in self.results.values())
        self.progress.show(
            f"{len(self.results)} flows, {engagements:,} engagements, "
            f"{self.steps_fetched:,} steps ({len(self.in_flight)} engagements being fetched)"
        )

    def retrying(self, flow_sid: str | None, reason: str, delay: float) -> None:
        """A retry the client logged: counted, shown, and a 429 pauses every request."""
        self.gate.retrying(flow_sid, reason, delay)
        result = self.results.get(flow_sid or "")
        if result is not None:
            result.retries += 1
        self.progress.retrying(flow_sid, reason, delay)


def run_archive(
    ctx: click.Context, request: ArchiveRequest, client_options: dict[str, Any]
) -> None:
    """Run the archive into ``request.output``; a summary; the worst exit code."""
    try:
        with writable(request.output):
            if request.restart:
                remove(request.output)
            outcome = _archive(request, client_options)
    except sqlite3.Error as error:  # e.g. a full disk: the output could not be written
        raise OSError(f"cannot write {request.output}: {error}") from None
    if outcome is None:
        click.echo(f"{request.output} is complete already (--restart redoes it)", err=True)
        return
    results, interrupted = outcome
    print_summary(results, title="archive summary")
    codes = [exit_code(result.error) for result in results if result.error is not None]
    if interrupted or codes:
        click.echo("run the same command again to continue the archive", err=True)
    else:
        engagements = sum(result.engagements for result in results)
        steps = sum(result.steps or 0 for result in results)
        click.echo(
            f"archived {len(results)} flows, {engagements:,} engagements and {steps:,} steps "
            f"in {request.output}",
            err=True,
        )
    ctx.exit(most_serious([*codes, EXIT_INTERRUPTED] if interrupted else codes))


def _archive(
    request: ArchiveRequest, client_options: dict[str, Any]
) -> tuple[Sequence[FlowResult], bool] | None:
    """The run, with the output locked: each flow's result and whether Ctrl-C stopped it (None:
    the archive was complete already)."""
    store = ArchiveStore(request.output)
    try:
        store.adopt(request.recorded())
        if store.complete:
            return None
        with StudioClient(**client_options) as client:
            archiver = Archiver(client, store, request)
            with watching_retries(archiver.retrying):
                interrupted = archiver.run()
        results = _results(store, archiver)
        if not interrupted and all(result.status == "done" for result in results):
            store.mark_complete()
        return results, interrupted
    finally:
        store.close()


def _results(store: ArchiveStore, archiver: Archiver) -> Sequence[FlowResult]:
    """Each flow's line of the summary, counted from what the archive holds."""
    counts, states = store.counts(), {state.flow_sid: state for state in store.flows()}
    results = []
    for flow_sid, (engagements, steps, owed) in counts.items():
        result = archiver.results.get(flow_sid) or FlowResult(flow_sid)
        result.engagements, result.pages = engagements, states[flow_sid].progress.pages
        result.steps = steps if archiver.request.steps else None
        whole = states[flow_sid].done and owed == 0
        result.status = "done" if whole else "failed" if result.error else "unfinished"
        results.append(result)
    return results
