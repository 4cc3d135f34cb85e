"""The sink of ``archive``: every flow's engagements (and steps) into one SQLite file, kept alive.

A flow is walked whole once (newest first, each page committed with where the walk stands, so
that a rerun continues exactly); after that, every run updates it: the list is read newest first
until the walk has passed everything that could have changed since the last finished walk (each
engagement newer than the newest it saw, less :data:`OVERLAP`, and each engagement the archive
still holds as active). A new or changed engagement (any value differs) is written with all its
steps (in one transaction with others of its page), with a row of ``engagement_history``; one
the API no longer lists is kept as it was last seen. A list found out of order is read whole,
so the update stays exact.
"""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any

from .. import EngagementStatus
from ._archive_store import FORMAT, ArchiveStore, FlowState, columns, now_text, row
from ._jobs import Job, Stand, Standing
from ._journal import JournalError

OVERLAP = timedelta(minutes=2)
"""How far below the newest engagement seen an update reads: a clock skew between Twilio's
servers may date an engagement created later a little earlier."""
BATCH_ROWS = 1_000
"""Rows (engagements and their steps) of a job held before they are written: a transaction
each would cost a commit an engagement; held longer, a page of long step lists would grow."""
STALE_AFTER = timedelta(days=25)
"""An update this long after the last finished one is warned about: Twilio keeps 30 days."""
_ACTIVE = EngagementStatus.ACTIVE.value
_ENGAGEMENT_COLUMNS = ", ".join(f'"{name}"' for name in columns("engagements"))


@dataclasses.dataclass(slots=True)
class _Walk:
    """What the sink follows of one walk of a flow."""

    stand: Stand
    cutoff: datetime | None = None
    """An update stops after the first page that reaches below this (None: read all)."""
    newest_before: datetime | None = None
    held_before: int = 0
    ordered: bool = True
    last: datetime | None = None
    newest: datetime | None = None
    oldest: datetime | None = None
    stopped_early: bool = False
    seen: set[str] = dataclasses.field(default_factory=set)
    rows: dict[str, tuple[Any, ...]] = dataclasses.field(default_factory=dict)
    """Rows of the page's new or changed engagements, by SID, until they are committed."""


class ArchiveSink:
    """Jobs' flows into ``store`` (``steps``: with every new or changed engagement's steps)."""

    def __init__(self, store: ArchiveStore, *, steps: bool, warn: Callable[[str], None]) -> None:
        self.store, self.steps, self.warn = store, steps, warn
        self._walks: dict[Job, _Walk] = {}
        # Each job's engagements read with their steps, by SID, not written yet.
        self._pending: dict[Job, dict[str, tuple[tuple[Any, ...], Sequence[Any] | None]]] = {}
        self._pending_rows: dict[Job, int] = {}
        self._listed: set[str] = set()
        self._flows_read = False  # the run read the account's flows (its first request)
        self.run = self._begin_run()

    # -- the run ----------------------------------------------------------------------------------

    def _begin_run(self) -> int:
        """A new row of ``archive_runs``; runs that never finished are marked as stopped."""
        finished = self.store.query(
            "SELECT MAX(finished) FROM archive_runs WHERE outcome IN ('complete', 'partial')"
        )
        last = finished[0][0] if finished else None
        if last is not None:
            gap = datetime.fromisoformat(now_text()) - datetime.fromisoformat(last)
            if gap > STALE_AFTER:
                self.warn(
                    f"the last update of {self.store.path} finished {gap.days} days ago: Twilio "
                    "keeps an engagement for 30 days after it starts, so some history may "
                    "be lost; run the archive at least weekly"
                )
        with self.store.transaction() as db:
            db.execute("UPDATE archive_runs SET outcome = 'stopped' WHERE outcome = 'running'")
            cursor = db.execute(
                "INSERT INTO archive_runs (started, outcome) VALUES (?, 'running')", (now_text(),)
            )
        assert cursor.lastrowid is not None
        return cursor.lastrowid

    def add_flows(self, flows: Sequence[Any], chosen: Sequence[str]) -> None:
        """The account's ``flows`` rows, and the ``chosen`` flows to keep, in one transaction."""
        self._flows_read = True
        self._listed = {flow.sid for flow in flows if flow.sid is not None}
        wanted = set(chosen)
        with self.store.transaction() as db:
            kept = [row("flows", flow) for flow in flows if flow.sid in wanted]
            self.store.insert(db, "flows", kept)
            db.executemany(
                'INSERT OR IGNORE INTO flows ("sid") VALUES (?)', [(sid,) for sid in chosen]
            )
            known = len(self.store.flows())
            db.executemany(
                "INSERT OR IGNORE INTO _archive_flows (flow_sid, position) VALUES (?, ?)",
                [(sid, known + position) for position, sid in enumerate(chosen)],
            )
            self.store.put(db, "format", FORMAT)
            self.store.put(db, "options", {"steps": self.steps})

    def kept_flows(self) -> list[str]:
        """The flows an ``--all-flows`` run walks, in order: every flow ``ListFlow`` gave, and
        every one the archive holds engagements of (a flow named once that was never found,
        a typo, is not kept walking)."""
        return [
            sid
            for sid, state in self.store.flows().items()
            if sid in self._listed or state.done or state.pages > 0
        ]

    # -- the sink contract ------------------------------------------------------------------------

    def stand(self, job: Job) -> Standing:
        state = self.store.flows().get(job.flow_sid)
        self._count(job)
        if state is None or (not state.done and state.next_url is None and state.pages == 0):
            return self._walk(job, Stand.START, None, state)
        if not state.done:
            return self._walk(job, Stand.RESUME, state.next_url, state)
        return self._walk(job, Stand.UPDATE, None, state)

    def _walk(
        self, job: Job, stand: Stand, cursor: str | None, state: FlowState | None
    ) -> Standing:
        walk = _Walk(stand, held_before=job.engagements)
        if stand is Stand.UPDATE and state is not None:
            walk.newest_before = _date(state.newest)
            walk.cutoff = self._cutoff(job.flow_sid, walk.newest_before)
        self._walks[job] = walk
        pages = 0 if state is None or stand is Stand.UPDATE else state.pages
        kept = f"{job.engagements:,} engagement{'' if job.engagements == 1 else 's'}"
        note = None
        if stand is Stand.RESUME:
            note = f"resuming flow {job.flow_sid} after {kept}"
        elif stand is Stand.UPDATE:
            cutoff = walk.cutoff
            reach = "the whole list" if cutoff is None else f"back to {cutoff.isoformat()}"
            note = f"updating flow {job.flow_sid} ({kept} kept): reading {reach}"
        return Standing(stand, cursor, job.engagements, pages, note)

    def _cutoff(self, flow_sid: str, newest: datetime | None) -> datetime | None:
        """How far down an update reads: the newest seen less the overlap, or the oldest
        engagement still held as active that the API may still list, whichever is older."""
        if newest is None:
            return None
        cutoff = newest - OVERLAP
        active = self.store.query(
            "SELECT date_created FROM engagements WHERE flow_sid = ? AND status = ? AND sid NOT "
            "IN (SELECT sid FROM archive_unavailable WHERE what = 'engagement')",
            (flow_sid, _ACTIVE),
        )
        for (text,) in active:
            started = _date(text)
            if started is None:
                return None  # an active engagement of unknown age: read everything
            cutoff = min(cutoff, started)
        return cutoff

    def _count(self, job: Job) -> None:
        (engagements,) = self.store.query(
            "SELECT COUNT(*) FROM engagements WHERE flow_sid = ?", (job.flow_sid,)
        )[0]
        (steps,) = self.store.query(
            "SELECT COUNT(*) FROM steps WHERE engagement_sid IN "
            "(SELECT sid FROM engagements WHERE flow_sid = ?)",
            (job.flow_sid,),
        )[0]
        job.engagements, job.steps = engagements, steps

    def owed(self, job: Job, records: Sequence[Any]) -> list[Any]:
        """The page's new or changed engagements (their steps are read before the page ends)."""
        walk = self._walks[job]
        fresh = self._fresh_rows(records)
        walk.rows.update(fresh)
        return [record for record in records if record.sid in fresh]

    def _fresh_rows(self, records: Sequence[Any]) -> dict[str, tuple[Any, ...]]:
        """The rows of the new or changed engagements among ``records``, by SID."""
        fresh = {record.sid: row("engagements", record) for record in records if record.sid}
        placeholders = ", ".join("?" * len(fresh))
        for stored in self.store.query(
            f"SELECT {_ENGAGEMENT_COLUMNS} FROM engagements WHERE sid IN ({placeholders})",  # noqa: S608
            list(fresh),
        ):
            if self.store.same_row("engagements", fresh.get(stored[0]), stored):
                del fresh[stored[0]]
        return fresh

    def commit_record(self, job: Job, record: Any, steps: Sequence[Any] | None) -> None:
        """One engagement with all of its steps (None: unavailable, the old ones stay): written
        with the job's others in one transaction, once they hold :data:`BATCH_ROWS` rows, and
        at the latest with its page."""
        values = self._walks[job].rows.pop(record.sid)
        pending = self._pending.setdefault(job, {})
        pending.pop(record.sid, None)  # a record listed twice: its last values are kept
        pending[record.sid] = (values, steps)
        self._pending_rows[job] = self._pending_rows.get(job, 0) + 1 + len(steps or ())
        if self._pending_rows[job] >= BATCH_ROWS:
            with self.store.transaction() as db:
                self._write_pending(db, job)

    def _write_pending(self, db: Any, job: Job) -> None:
        """The job's engagements held with their steps: upserted, their steps replaced."""
        pending = self._pending.pop(job, {})
        self._pending_rows.pop(job, None)
        if not pending:
            return
        self._keep_engagements(db, job, [values for values, _ in pending.values()])
        fetched = {sid: steps for sid, (_, steps) in pending.items() if steps is not None}
        if not fetched:
            return
        sids = list(fetched)
        placeholders = ", ".join("?" * len(sids))
        ((before,),) = db.execute(
            f'SELECT COUNT(*) FROM steps WHERE "engagement_sid" IN ({placeholders})',  # noqa: S608
            sids,
        )
        db.execute(f'DELETE FROM steps WHERE "engagement_sid" IN ({placeholders})', sids)  # noqa: S608
        self.store.insert(
            db,
            "steps",
            [
                row("steps", step, place)
                for steps in fetched.values()
                for place, step in enumerate(steps)
            ],
        )
        db.execute(
            f"DELETE FROM archive_unavailable WHERE what = 'steps' AND sid IN ({placeholders})",  # noqa: S608
            sids,
        )
        job.steps += sum(map(len, fetched.values())) - before

    def commit_page(self, job: Job, records: Sequence[Any], cursor: str | None) -> bool:
        """The page's new or changed engagements (with --steps: those held with their steps)
        and where the walk stands, in one transaction; for an update, whether it must read on."""
        walk = self._walks[job]
        rows = [] if self.steps else list(self._fresh_rows(records).values())
        with self.store.transaction() as db:
            self._write_pending(db, job)
            if rows:
                self._keep_engagements(db, job, rows)
            if walk.stand is not Stand.UPDATE:
                db.execute(
                    "UPDATE _archive_flows SET next_url = ?, pages = pages + 1 WHERE flow_sid = ?",
                    (cursor, job.flow_sid),
                )
        return self._read_on(walk, records)

    def _keep_engagements(self, db: Any, job: Job, rows: list[tuple[Any, ...]]) -> None:
        """Upsert engagement rows, each with a row of history; count the new and changed."""
        sids = [values[0] for values in rows]
        placeholders = ", ".join("?" * len(sids))
        held = {
            sid
            for (sid,) in db.execute(
                f"SELECT sid FROM engagements WHERE sid IN ({placeholders})",  # noqa: S608
                sids,
            )
        }
        self.store.insert(db, "engagements", rows)
        names = columns("engagements")
        status, updated = names.index("status"), names.index("date_updated")
        db.executemany(
            "INSERT OR REPLACE INTO engagement_history VALUES (?, ?, ?, ?)",
            [(values[0], self.run, values[status], values[updated]) for values in rows],
        )
        job.new += len(sids) - len(held)
        job.changed += len(held)
        job.engagements += len(sids) - len(held)

    def _read_on(self, walk: _Walk, records: Sequence[Any]) -> bool:
        """Follow the page's order and dates; whether an update still owes pages below it."""
        for record in records:
            started = record.date_created
            if record.sid is not None and walk.stand is Stand.UPDATE:
                walk.seen.add(record.sid)
            if started is None:
                walk.ordered = False
                continue
            if walk.last is not None and started > walk.last:
                walk.ordered = False  # not newest first: an update reads the whole list
            walk.last = started
            walk.newest = started if walk.newest is None else max(walk.newest, started)
            walk.oldest = started if walk.oldest is None else min(walk.oldest, started)
        if walk.stand is not Stand.UPDATE or walk.cutoff is None or not walk.ordered:
            return True
        if walk.last is not None and walk.last < walk.cutoff:
            walk.stopped_early = True
            return False
        return True

    def unavailable(self, job: Job, sid: str, what: str, error: BaseException) -> bool:
        """A 404: recorded, unless it is a flow this archive never held nor ListFlow gave."""
        if what == "engagements":
            state = self.store.flows().get(sid)
            held = state is not None and (state.done or state.pages > 0)
            if not held and sid not in self._listed:
                return False
        with self.store.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO archive_unavailable VALUES (?, ?, ?, ?)",
                (sid, what, now_text(), " ".join(str(error).split())),
            )
        return True

    def finish(self, job: Job) -> Standing | None:
        """A walk ended: the flow is whole; after a resume, an update follows."""
        walk = self._walks.pop(job)
        state = self.store.flows()[job.flow_sid]
        newest = max(
            (date for date in (walk.newest, _date(state.newest)) if date is not None),
            default=None,
        )
        with self.store.transaction() as db:
            db.execute(
                "UPDATE _archive_flows SET done = 1, next_url = NULL, newest = ? "
                "WHERE flow_sid = ?",
                (None if newest is None else newest.isoformat(), job.flow_sid),
            )
            if walk.stand is Stand.UPDATE:
                job.unavailable += self._gone(db, job, walk)
        if walk.stand is Stand.UPDATE:
            self._warn_of_gap(job, walk)
            return None
        if walk.stand is Stand.RESUME:
            return self._walk(job, Stand.UPDATE, None, self.store.flows()[job.flow_sid])
        return None

    def _gone(self, db: Any, job: Job, walk: _Walk) -> int:
        """Engagements held as active that the update's walk passed without seeing: the API no
        longer lists them (kept as last seen, recorded as unavailable)."""
        # Stopped early, the walk covered the list down to the oldest it saw; else all of it.
        floor = walk.oldest if walk.stopped_early else None
        gone = []
        for sid, text in db.execute(
            "SELECT sid, date_created FROM engagements WHERE flow_sid = ? AND status = ? AND sid "
            "NOT IN (SELECT sid FROM archive_unavailable WHERE what = 'engagement')",
            (job.flow_sid, _ACTIVE),
        ):
            started = _date(text)
            if sid in walk.seen or (floor is not None and (started is None or started < floor)):
                continue
            gone.append((sid, "engagement", now_text(), "the API no longer lists it"))
        db.executemany("INSERT OR REPLACE INTO archive_unavailable VALUES (?, ?, ?, ?)", gone)
        return len(gone)

    def _warn_of_gap(self, job: Job, walk: _Walk) -> None:
        """The list now starts after the newest engagement held, with nothing in between."""
        if walk.stopped_early or walk.held_before == 0 or walk.newest_before is None:
            return
        if walk.oldest is not None and walk.oldest <= walk.newest_before:
            return
        starts = "is empty" if walk.oldest is None else f"starts at {walk.oldest.isoformat()}"
        self.warn(
            f"flow {job.flow_sid}: the API's list now {starts}, after the archive's newest "
            f"engagement ({walk.newest_before.isoformat()}), with nothing in between: "
            "engagements of that time may have been lost to Twilio's 30-day window"
        )

    def close(self, jobs: Sequence[Job], interrupted: bool) -> None:
        """Write what is held (whole engagements with their steps), finish this run's row of
        ``archive_runs`` and close the file."""
        try:
            for job in list(self._pending):
                # A failed or stopped job's engagements read whole are kept; if this fails (a
                # full disk), its cursor never passed them: the next run reads them again.
                with contextlib.suppress(OSError, JournalError), self.store.transaction() as db:
                    self._write_pending(db, job)
            if interrupted:
                outcome = "interrupted"
            elif not self._flows_read:  # it failed on its first request: no flow was walked
                outcome = "failed"
            elif all(job.state.finished for job in jobs):
                outcome = "complete"
            else:
                outcome = "partial" if any(job.state.finished for job in jobs) else "failed"
            with self.store.transaction() as db:
                db.execute(
                    "UPDATE archive_runs SET finished = ?, outcome = ?, new = ?, changed = ?, "
                    "unavailable = ?, requests = ? WHERE run = ?",
                    (
                        now_text(), outcome, sum(job.new for job in jobs),
                        sum(job.changed for job in jobs), sum(job.unavailable for job in jobs),
                        sum(job.requests for job in jobs), self.run,
                    ),
                )  # fmt: skip
                if outcome == "complete":
                    self.store.put(db, "complete", True)
        finally:
            self.store.close()


def check_options(store: ArchiveStore, steps: bool) -> str | None:
    """Why the archive in ``store`` cannot be continued with ``steps`` (None: it can)."""
    saved = store.get("options")
    if saved is None or saved.get("steps") == steps:
        return None
    return (
        f"{store.path} was made {'with' if saved.get('steps') else 'without'} --steps; "
        "run it the same way, or add --restart to build it anew with these options (the "
        "archive is kept until the new one is complete)"
    )


def _date(text: str | None) -> datetime | None:
    if text is None:
        return None
    try:
        found = datetime.fromisoformat(text)
    except ValueError:
        return None
    return found if found.tzinfo is not None else None
