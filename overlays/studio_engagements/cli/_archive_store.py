"""The archive's SQLite database: one table per record type, and where the archive stands.

Tables ``flows``, ``engagements`` and ``steps`` have the API's field names as columns, taken
from the generated models' ``FIELDS`` (a field added to the spec is a column here, added to an
older archive too), plus ``_extra``: keys the API sent that the spec does not name, as JSON.
Objects and lists (``context``, ``links``) are JSON text, dates are ISO 8601 text, ``sid`` is
the primary key. The ``_archive*`` tables hold the options, the flows to archive with where each
one's engagement pages stand, and the engagements whose steps are still owed; every write of
records goes in one transaction with the state it moves on, so a rerun continues exactly.

While a run writes, the database is in WAL mode (a commit costs no fsync); :meth:`close`
checkpoints and switches back to ``journal_mode=DELETE``, so the ``.sqlite`` file alone holds
everything after any exit that reaches it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import sqlite3
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from .._models import Engagement, Flow, Step
from ._export import Progress
from ._journal import JournalError
from ._rows import jsonl_line

FORMAT = "studio-engagements archive 1"
TABLES: dict[str, Any] = {"flows": Flow, "engagements": Engagement, "steps": Step}
EXTRA = "_extra"
_TABLES_QUERY = "SELECT name FROM sqlite_master WHERE type = 'table'"
_STATE = """
CREATE TABLE IF NOT EXISTS _archive (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS _archive_flows (flow_sid TEXT PRIMARY KEY, position INTEGER,
    next_url TEXT, pages INTEGER DEFAULT 0, engagements INTEGER DEFAULT 0, done INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS _archive_pending_steps (engagement_sid TEXT PRIMARY KEY, flow_sid TEXT);
CREATE INDEX IF NOT EXISTS engagements_flow_sid ON engagements (flow_sid);
CREATE INDEX IF NOT EXISTS steps_engagement_sid ON steps (engagement_sid);
"""


def _name(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def columns(table: str) -> tuple[str, ...]:
    """The columns of ``table``: the model's JSON field names in spec order, then ``_extra``."""
    fields: tuple[str, ...] = TABLES[table].FIELDS
    return (*fields, EXTRA)


def cell(value: Any) -> Any:
    """A JSON value as SQLite stores it: objects and lists as JSON text, the rest as they are."""
    if isinstance(value, dict | list):
        return jsonl_line({"": value}).decode("utf-8")[5:-2]  # the value's JSON, made valid
    if isinstance(value, float) and value != value:  # NaN: SQLite has no such number
        return None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: kept as its escape text
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def row(table: str, record: Any) -> tuple[Any, ...]:
    """A record's values as the API sent them, in the order of ``columns(table)``."""
    sent = record.sent_json()  # as the API sent it (dates, numbers), when known
    data: dict[str, Any] = record.to_dict() if sent is None else json.loads(sent)
    fields = TABLES[table].FIELDS
    extra = {key: value for key, value in data.items() if key not in fields}
    return (*(cell(data.get(name)) for name in fields), cell(extra) if extra else None)


@dataclasses.dataclass(frozen=True, slots=True)
class FlowState:
    """Where one flow's archive stands."""

    flow_sid: str
    progress: Progress
    done: bool


class ArchiveStore:
    """One archive file, opened for one run (its caller holds the output's lock)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        try:
            tables = {name for (name,) in self._db.execute(_TABLES_QUERY)}
            if tables and "_archive" not in tables:
                raise sqlite3.DatabaseError("it has tables but no archive state")
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            for table in TABLES:
                self._create(table)
            self._db.executescript(_STATE)
        except sqlite3.DatabaseError as error:
            self._db.close()
            raise JournalError(
                f"{path} is not an archive ({error}); choose another --output, "
                "or --restart to replace it"
            ) from None

    def _create(self, table: str) -> None:
        wanted = columns(table)
        self._db.execute(
            f"CREATE TABLE IF NOT EXISTS {table} ("
            + ", ".join(f"{_name(c)} TEXT PRIMARY KEY" if c == "sid" else _name(c) for c in wanted)
            + ")"
        )
        present = {info[1] for info in self._db.execute(f"PRAGMA table_info({table})")}
        for column in wanted:  # an archive made before the spec named this field
            if column not in present:
                self._db.execute(f"ALTER TABLE {table} ADD COLUMN {_name(column)}")

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[sqlite3.Connection]:
        self._db.execute("BEGIN IMMEDIATE")
        try:
            yield self._db
        except BaseException:
            self._db.execute("ROLLBACK")
            raise
        self._db.execute("COMMIT")

    def _get(self, key: str) -> Any:
        found = self._db.execute("SELECT value FROM _archive WHERE key = ?", (key,)).fetchone()
        return None if found is None else json.loads(found[0])

    def _put(self, db: sqlite3.Connection, key: str, value: Any) -> None:
        db.execute("INSERT OR REPLACE INTO _archive VALUES (?, ?)", (key, json.dumps(value)))

    def adopt(self, options: dict[str, Any]) -> None:
        """Take ``options`` for a new archive, or check them against an archive's own; a
        JournalError names each difference."""
        saved = self._get("options")
        if saved is None or not self.flows_listed:  # nothing archived yet: nothing to keep
            with self._transaction() as db:
                self._put(db, "format", FORMAT)
                self._put(db, "options", options)
            return
        changed = [
            f"{name}: {saved.get(name)!r} when it was started, {value!r} now"
            for name, value in options.items()
            if saved.get(name) != value
        ]
        if changed:
            raise JournalError(
                f"{self.path} was started with other options ({'; '.join(changed)}): "
                "run it with the same ones, or add --restart to start it over"
            )

    @property
    def complete(self) -> bool:
        """Whether a run finished this archive."""
        return bool(self._get("complete"))

    @property
    def flows_listed(self) -> bool:
        """Whether the flows to archive (and their ``flows`` rows) have been committed."""
        return bool(self._get("flows_listed"))

    def save_flows(self, flows: Sequence[Any], chosen: Sequence[str]) -> None:
        """The ``flows`` rows and the flows to archive, in order, in one transaction."""
        with self._transaction() as db:
            self._insert(db, "flows", flows)
            db.executemany(
                "INSERT OR IGNORE INTO _archive_flows (flow_sid, position) VALUES (?, ?)",
                [(sid, position) for position, sid in enumerate(chosen)],
            )
            self._put(db, "flows_listed", True)

    def flows(self) -> list[FlowState]:
        """Every flow to archive, in order, with where it stands."""
        query = "SELECT flow_sid, engagements, pages, next_url, done FROM _archive_flows"
        return [
            FlowState(sid, Progress(engagements, pages, next_url), bool(done))
            for sid, engagements, pages, next_url, done in self._db.execute(
                query + " ORDER BY position"
            )
        ]

    def save_engagements(
        self, flow_sid: str, engagements: Sequence[Engagement], progress: Progress, steps: bool
    ) -> None:
        """One page of engagements, where the flow stands after it and (``steps``) the steps
        they owe, in one transaction."""
        with self._transaction() as db:
            self._insert(db, "engagements", engagements)
            if steps:
                db.executemany(
                    "INSERT OR IGNORE INTO _archive_pending_steps VALUES (?, ?)",
                    [(e.sid, flow_sid) for e in engagements if e.sid is not None],
                )
            db.execute(
                "UPDATE _archive_flows SET next_url = ?, pages = ?, engagements = ?, done = ? "
                "WHERE flow_sid = ?",
                (progress.next_url, progress.pages, progress.engagements,
                 progress.next_url is None, flow_sid),
            )  # fmt: skip

    def pending_steps(self) -> list[tuple[str, str]]:
        """``(flow_sid, engagement_sid)`` of every engagement whose steps are owed, in order."""
        query = "SELECT flow_sid, engagement_sid FROM _archive_pending_steps ORDER BY rowid"
        return [(flow, engagement) for flow, engagement in self._db.execute(query)]

    def save_steps(self, engagement_sid: str, steps: Sequence[Step]) -> None:
        """All of one engagement's steps, no longer owed, in one transaction."""
        with self._transaction() as db:
            self._insert(db, "steps", steps)
            db.execute(
                "DELETE FROM _archive_pending_steps WHERE engagement_sid = ?", (engagement_sid,)
            )

    def _insert(self, db: sqlite3.Connection, table: str, records: Sequence[Any]) -> None:
        names = columns(table)
        db.executemany(
            f"INSERT OR REPLACE INTO {table} ({', '.join(map(_name, names))}) "  # noqa: S608
            f"VALUES ({', '.join('?' * len(names))})",  # (names from the models; values bound)
            [row(table, record) for record in records],
        )

    def counts(self) -> dict[str, tuple[int, int, int]]:
        """Per flow: engagements archived, steps archived, engagements whose steps are owed."""
        found: dict[str, list[int]] = {state.flow_sid: [0, 0, 0] for state in self.flows()}
        queries = (
            "SELECT flow_sid, COUNT(*) FROM engagements GROUP BY flow_sid",
            "SELECT flow_sid, COUNT(*) FROM steps GROUP BY flow_sid",
            "SELECT flow_sid, COUNT(*) FROM _archive_pending_steps GROUP BY flow_sid",
        )
        for index, query in enumerate(queries):
            for sid, count in self._db.execute(query):
                if sid in found:
                    found[sid][index] = count
        return {sid: (e, s, p) for sid, (e, s, p) in found.items()}

    def mark_complete(self) -> None:
        """Record that a run finished the archive with its options."""
        with self._transaction() as db:
            self._put(db, "complete", True)

    def close(self) -> None:
        """Checkpoint, leave WAL mode (no ``-wal``/``-shm`` left) and close."""
        try:
            # If this fails (a full disk), the -wal file still holds every commit: nothing is lost.
            with contextlib.suppress(sqlite3.Error):
                self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                self._db.execute("PRAGMA journal_mode=DELETE")
        finally:
            self._db.close()


def remove(path: Path) -> None:
    """Delete an archive and what SQLite keeps beside it (``--restart``)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
