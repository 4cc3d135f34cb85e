"""The archive's SQLite database: its tables, views and indexes, and where each flow stands.

Tables ``flows``, ``engagements`` and ``steps`` have the API's field names as columns, taken
from the models' ``FIELDS`` (a field added to the spec is a column here, added to an older
archive too), each with a declared type (``TEXT``; ``INTEGER``/``REAL`` for numbers; JSON and
dates as ``TEXT``), ``sid`` the primary key, a foreign key to the parent record, and ``_extra``:
keys the API sent that the spec does not name, as JSON. ``steps._position`` keeps each step's
place in the API's order. ``archive_runs`` has a row per run, ``engagement_history`` one per
change of an engagement a run observed, ``archive_unavailable`` what the API answered 404 for;
``_archive`` and ``_archive_flows`` hold the options and where each flow stands.

Every write goes in one transaction with the state it moves on, so a crash leaves all of it or
none. While a run writes, the database is in WAL mode (a commit costs no fsync); :meth:`close`
checkpoints and switches back to ``journal_mode=DELETE``, so the ``.sqlite`` file alone holds
everything after any exit that reaches it.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import sqlite3
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import attrs

try:
    import msgspec
except ImportError:  # the client then reads JSON with the json module: no record knows its text
    msgspec = None  # type: ignore[assignment]

from .. import Engagement, Flow, Step
from ._journal import JournalError, OutputBusy
from ._rows import jsonl_line

FORMAT = "studio-engagements archive 2"
TABLES: dict[str, Any] = {"flows": Flow, "engagements": Engagement, "steps": Step}
# Each table's parent (the column naming it, and its table): the path of the API's lists.
PARENTS = {"engagements": ("flow_sid", "flows"), "steps": ("engagement_sid", "engagements")}
EXTRA = "_extra"
POSITION = "_position"
_TABLES_QUERY = "SELECT name FROM sqlite_master WHERE type = 'table'"
_STATE = """
CREATE TABLE IF NOT EXISTS _archive (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS _archive_flows (flow_sid TEXT PRIMARY KEY, position INTEGER,
    next_url TEXT, pages INTEGER DEFAULT 0, done INTEGER DEFAULT 0, newest TEXT);
CREATE TABLE IF NOT EXISTS archive_runs (run INTEGER PRIMARY KEY, started TEXT, finished TEXT,
    outcome TEXT, new INTEGER DEFAULT 0, changed INTEGER DEFAULT 0,
    unavailable INTEGER DEFAULT 0, requests INTEGER DEFAULT 0);
CREATE TABLE IF NOT EXISTS engagement_history (sid TEXT, run INTEGER REFERENCES archive_runs(run),
    status TEXT, date_updated TEXT, PRIMARY KEY (sid, run));
CREATE TABLE IF NOT EXISTS archive_unavailable (sid TEXT, what TEXT, "when" TEXT, error TEXT,
    PRIMARY KEY (sid, what));
CREATE INDEX IF NOT EXISTS engagements_by_flow_and_date ON engagements (flow_sid, date_created);
CREATE INDEX IF NOT EXISTS steps_by_engagement ON steps (engagement_sid, _position);
DROP INDEX IF EXISTS engagements_flow_sid;
DROP INDEX IF EXISTS steps_engagement_sid;
DROP VIEW IF EXISTS engagement_paths;
CREATE VIEW engagement_paths AS
    SELECT engagement_sid, flow_sid, COUNT(*) AS steps, GROUP_CONCAT(name, ' > ') AS path
    FROM (SELECT engagement_sid, flow_sid, name FROM steps ORDER BY engagement_sid, _position)
    GROUP BY engagement_sid;
DROP VIEW IF EXISTS engagements_per_day;
CREATE VIEW engagements_per_day AS
    SELECT flow_sid, substr(date_created, 1, 10) AS day, status, COUNT(*) AS engagements
    FROM engagements GROUP BY flow_sid, day, status;
"""
# SQLite's primary result codes that say what is wrong with the file (not the API).
_BUSY, _LOCKED, _READONLY, _FULL, _CANTOPEN, _NOTADB = 5, 6, 8, 13, 14, 26


def _name(column: str) -> str:
    return '"' + column.replace('"', '""') + '"'


def columns(table: str) -> tuple[str, ...]:
    """The columns of ``table``: the model's JSON field names in spec order (steps: then
    ``_position``), then ``_extra``."""
    fields: tuple[str, ...] = TABLES[table].FIELDS
    return (*fields, *([POSITION] if table == "steps" else []), EXTRA)


def _annotations(table: str) -> dict[str, str]:
    """Each field of the table's model (by JSON name) with its annotation's text."""
    model = TABLES[table]
    kinds = [str(field.type) for field in attrs.fields(model) if field.name != "extra"]
    return dict(zip(model.FIELDS, kinds, strict=True))


def _is_json(annotation: str) -> bool:
    """Whether a field holds JSON (any value, an object or a list): kept as its JSON text."""
    return annotation.startswith(("JsonValue", "Mapping", "dict", "list"))


def json_columns(table: str) -> frozenset[str]:
    """The columns of ``table`` that hold JSON text (``_extra`` too)."""
    found = {name for name, kind in _annotations(table).items() if _is_json(kind)}
    return frozenset({*found, EXTRA})


def _declared_type(annotation: str) -> str:
    """The SQLite type of a model's field, from its annotation: numbers as numbers, else TEXT."""
    words = annotation.replace("|", " ").split()
    if _is_json(annotation):
        return "TEXT"
    if "int" in words or "bool" in words:
        return "INTEGER"
    return "REAL" if "float" in words else "TEXT"


def column_types(table: str) -> dict[str, str]:
    """Each column of ``table`` with its declared type."""
    types = {name: _declared_type(kind) for name, kind in _annotations(table).items()}
    if table == "steps":
        types[POSITION] = "INTEGER"
    types[EXTRA] = "TEXT"
    return types


def _definition(table: str) -> str:
    parent = PARENTS.get(table)
    parts = []
    for column, kind in column_types(table).items():
        part = f"{_name(column)} {kind}"
        if column == "sid":
            part += " PRIMARY KEY"
        elif parent is not None and column == parent[0]:
            part += f" REFERENCES {parent[1]}(sid)"
        parts.append(part)
    return ", ".join(parts)


def json_text(value: Any) -> str | None:
    """A JSON value as its JSON text, made valid (null: None)."""
    if value is None:
        return None
    return jsonl_line({"": value}).decode("utf-8")[5:-2]


def cell(value: Any) -> Any:
    """A JSON value as SQLite stores it: objects and lists as JSON text, the rest as they are."""
    if isinstance(value, dict | list):
        return json_text(value)
    if isinstance(value, float) and value != value:  # NaN: SQLite has no such number
        return None
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate: kept as its escape text
            return value.encode("utf-8", "backslashreplace").decode("utf-8")
    return value


def row(table: str, record: Any, position: int | None = None) -> tuple[Any, ...]:
    """A record's values as the API sent them, in the order of ``columns(table)``.

    A record read from a page (one that knows its JSON as sent) is read again from those bytes
    by msgspec, JSON values kept as their text: JSON columns get the JSON as sent, dates the text
    as sent, and nothing is decoded into Python objects. Any other record is written from its
    typed values (see :func:`cell`).
    """
    sent = None if msgspec is None else record.sent_json()
    values = None if sent is None else _sent_cells(table, sent)
    if values is None:
        values = _decoded_cells(table, record.to_dict() if sent is None else json.loads(sent))
    if table == "steps":
        return (*values[:-1], position, values[-1])
    return values


def _decoded_cells(table: str, data: dict[str, Any]) -> tuple[Any, ...]:
    """A record's cells, ``_extra`` last, from its decoded JSON object."""
    fields = TABLES[table].FIELDS
    as_json = _JSON[table]
    extra = {key: value for key, value in data.items() if key not in fields}
    values = tuple(
        json_text(data.get(name)) if name in as_json else cell(data.get(name)) for name in fields
    )
    return (*values, json_text(extra) if extra else None)


def _sent_cells(table: str, sent: bytes) -> tuple[Any, ...] | None:
    """A record's cells, ``_extra`` last, from its JSON as sent (None: msgspec cannot read it).

    msgspec read this text when it read the page: it is UTF-8 and strict JSON, without NaN or
    lone surrogates, so each JSON value's text is valid JSON and each string a valid one.
    """
    try:
        try:
            values, extra = msgspec.structs.astuple(_KNOWN[table](sent)), None
        except msgspec.ValidationError:  # keys the spec does not name: kept in `_extra`
            values = msgspec.structs.astuple(_ANY_KEYS[table](sent))
            fields = TABLES[table].FIELDS
            unknown = {key: text for key, text in _members(sent).items() if key not in fields}
            extra = msgspec.json.encode(unknown).decode() if unknown else None
        # The models read these bytes already: every other column holds a string, a number,
        # a boolean or None, as SQLite takes it; only the JSON columns (msgspec.Raw) become text.
        cells = list(values)
        for index in _JSON_INDEXES[table]:
            if (value := cells[index]) is not None:
                text = bytes(value)
                cells[index] = None if text == b"null" else text.decode("utf-8")
    except (msgspec.MsgspecError, UnicodeDecodeError):
        return None
    cells.append(extra)
    return tuple(cells)


def _sent_decoder(table: str, *, known_only: bool) -> Any:
    """msgspec's decoder of a record of ``table`` as sent: JSON columns as their text
    (``msgspec.Raw``), the rest as values; ``known_only``: a key the spec does not name is an
    error (``msgspec.ValidationError``)."""
    fields = TABLES[table].FIELDS
    as_json = _JSON[table]
    # Fields by position: a JSON name need not be a Python name.
    struct = msgspec.defstruct(
        f"{table.capitalize()}Sent",
        [(f"f{i}", msgspec.Raw if name in as_json else Any, None) for i, name in enumerate(fields)],
        rename={f"f{i}": name for i, name in enumerate(fields)},
        forbid_unknown_fields=known_only,
    )
    return msgspec.json.Decoder(struct).decode


_JSON = {table: json_columns(table) for table in TABLES}
_JSON_INDEXES = {
    table: [index for index, name in enumerate(TABLES[table].FIELDS) if name in _JSON[table]]
    for table in TABLES
}
if msgspec is not None:
    _KNOWN = {table: _sent_decoder(table, known_only=True) for table in TABLES}
    _ANY_KEYS = {table: _sent_decoder(table, known_only=False) for table in TABLES}
    _members = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode
# What the schema is made of: an archive whose recorded schema differs is brought up to date.
SCHEMA = hashlib.sha256(
    json.dumps([FORMAT, _STATE, {table: _definition(table) for table in TABLES}]).encode()
).hexdigest()[:16]


def now_text() -> str:
    """Now, as the archive's own timestamps are written (UTC, ISO 8601)."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def file_error(path: Path, error: sqlite3.Error) -> Exception:
    """What is wrong with the archive file, in words (never advising --restart for a file that
    is merely busy, read-only or on a full disk)."""
    code = getattr(error, "sqlite_errorcode", None)
    primary = None if code is None else code & 0xFF
    if primary in (_BUSY, _LOCKED):
        return OutputBusy(
            f"{path} is in use by another program (SQLite says: {error}); "
            "close it there, then run the same command again"
        )
    if primary == _READONLY:
        return OSError(f"cannot write {path}: it is read-only ({error})")
    if primary == _FULL:
        return OSError(f"cannot write {path}: the disk is full ({error})")
    if primary == _CANTOPEN:
        return OSError(f"cannot write {path}: it cannot be opened ({error})")
    if primary == _NOTADB:
        return JournalError(
            f"{path} is not an archive (not an SQLite database); choose another --output, "
            "or --restart to replace it with a new archive once that is complete"
        )
    return OSError(f"cannot write {path}: {error}")


def _migrate_state(db: sqlite3.Connection) -> None:
    """Bring the state of an archive made by an earlier version to this one's.

    Engagements whose steps it still owed are taken out, and their flows walked again from the
    top: this version keeps an engagement and its steps in one transaction, so they come back
    as new, with their steps.
    """
    present = {info[1] for info in db.execute("PRAGMA table_info(_archive_flows)")}
    if "newest" not in present:
        db.execute("ALTER TABLE _archive_flows ADD COLUMN newest TEXT")
    if not db.execute(f"{_TABLES_QUERY} AND name = '_archive_pending_steps'").fetchall():
        return
    owed = "SELECT engagement_sid FROM _archive_pending_steps"
    db.execute(f"DELETE FROM steps WHERE engagement_sid IN ({owed})")  # noqa: S608
    db.execute(f"DELETE FROM engagements WHERE sid IN ({owed})")  # noqa: S608
    db.execute(
        "UPDATE _archive_flows SET next_url = NULL, pages = 0, done = 0 "
        "WHERE flow_sid IN (SELECT flow_sid FROM _archive_pending_steps)"
    )
    db.execute("DROP TABLE _archive_pending_steps")


@dataclasses.dataclass(frozen=True, slots=True)
class FlowState:
    """Where one flow's archive stands."""

    flow_sid: str
    next_url: str | None
    pages: int
    done: bool
    newest: str | None
    """The newest ``date_created`` a finished walk of the flow saw (ISO 8601, UTC)."""


class ArchiveStore:
    """One archive file, opened for one run (its caller holds the output's lock).

    Opening writes nothing unless the file is new or made by an earlier version (its schema is
    then brought up to date, every row kept); the first write switches it to WAL mode.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self._wal = False
        try:
            self._db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        except sqlite3.Error as error:
            raise file_error(path, error) from None
        try:
            tables = {name for (name,) in self._db.execute(_TABLES_QUERY)}
            if tables and "_archive" not in tables:
                raise JournalError(
                    f"{path} is not an archive (it has tables but no archive state); choose "
                    "another --output, or --restart to replace it with a new archive once "
                    "that is complete"
                )
            self._db.execute("PRAGMA foreign_keys=ON")
            if not tables or self.get("schema") != SCHEMA:
                with self.transaction() as db:
                    for table in TABLES:
                        self._create(db, table)
                    for statement in _STATE.split(";"):
                        if statement.strip():
                            db.execute(statement)
                    _migrate_state(db)
                    self.put(db, "schema", SCHEMA)
        except sqlite3.Error as error:
            self._db.close()
            raise file_error(path, error) from None
        except BaseException:
            self._db.close()
            raise

    def _create(self, db: sqlite3.Connection, table: str) -> None:
        """Make ``table``, or bring an older archive's to today's columns and types."""
        present = {info[1]: info[2] for info in db.execute(f"PRAGMA table_info({table})")}
        wanted = column_types(table)
        if present and all(present.get(name) == kind for name, kind in wanted.items()):
            return
        if not present:
            db.execute(f"CREATE TABLE {table} ({_definition(table)})")
            return
        # An archive made before: rebuild the table with declared types, keeping every row.
        kept = [name for name in wanted if name in present]
        names = ", ".join(map(_name, kept))
        db.execute(f"CREATE TABLE _new_{table} ({_definition(table)})")
        if table == "steps" and POSITION not in present:
            db.execute(
                f"INSERT INTO _new_{table} ({names}, {POSITION}) SELECT {names}, "  # noqa: S608
                f"ROW_NUMBER() OVER (PARTITION BY engagement_sid ORDER BY rowid) - 1 "
                f"FROM {table}"
            )
        else:
            db.execute(f"INSERT INTO _new_{table} ({names}) SELECT {names} FROM {table}")  # noqa: S608
        db.execute(f"DROP TABLE {table}")
        db.execute(f"ALTER TABLE _new_{table} RENAME TO {table}")

    @contextlib.contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One unit of work: all of it is kept, or (any failure) none of it."""
        try:
            if not self._wal:  # commits then cost no fsync; close() leaves WAL mode again
                self._db.execute("PRAGMA journal_mode=WAL")
                self._db.execute("PRAGMA synchronous=NORMAL")
                self._wal = True
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                if self._db.in_transaction:  # SQLite may have rolled back already (a full disk)
                    with contextlib.suppress(sqlite3.Error):
                        self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")
        except sqlite3.Error as error:
            if self._db.in_transaction:
                with contextlib.suppress(sqlite3.Error):
                    self._db.execute("ROLLBACK")
            raise file_error(self.path, error) from None

    def query(self, sql: str, parameters: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Rows of a read."""
        try:
            return self._db.execute(sql, parameters).fetchall()
        except sqlite3.Error as error:
            raise file_error(self.path, error) from None

    def get(self, key: str) -> Any:
        found = self.query("SELECT value FROM _archive WHERE key = ?", (key,))
        return None if not found else json.loads(found[0][0])

    @staticmethod
    def put(db: sqlite3.Connection, key: str, value: Any) -> None:
        db.execute("INSERT OR REPLACE INTO _archive VALUES (?, ?)", (key, json.dumps(value)))

    def flows(self) -> dict[str, FlowState]:
        """Every flow the archive keeps, in order, with where it stands."""
        query = (
            "SELECT flow_sid, next_url, pages, done, newest FROM _archive_flows ORDER BY position"
        )
        return {
            sid: FlowState(sid, next_url, pages, bool(done), newest)
            for sid, next_url, pages, done, newest in self.query(query)
        }

    def insert(self, db: sqlite3.Connection, table: str, rows: Sequence[tuple[Any, ...]]) -> None:
        """Upsert ``rows`` (each in the order of ``columns(table)``) by primary key."""
        names = columns(table)
        db.executemany(
            f"INSERT OR REPLACE INTO {table} ({', '.join(map(_name, names))}) "  # noqa: S608
            f"VALUES ({', '.join('?' * len(names))})",  # (names from the models; values bound)
            rows,
        )

    @staticmethod
    def same_row(table: str, fresh: tuple[Any, ...] | None, stored: tuple[Any, ...]) -> bool:
        """Whether ``fresh`` (a row of ``table`` as :func:`row` makes it) holds the values of
        ``stored`` (read back from the table).

        A JSON cell may differ in text alone: written by an earlier version (which wrote JSON
        again, with its own spacing and escapes) or from a record's typed values. Such cells are
        the same once both are written that one way.
        """
        if fresh == stored:
            return True
        if fresh is None or len(fresh) != len(stored):
            return False
        as_json = _JSON[table]
        for name, new, old in zip(columns(table), fresh, stored, strict=True):
            if new == old:
                continue
            if name not in as_json or not isinstance(new, str) or not isinstance(old, str):
                return False
            try:
                if json_text(json.loads(new)) != json_text(json.loads(old)):
                    return False
            except ValueError:  # not JSON: text that differs
                return False
        return True

    def close(self) -> None:
        """Checkpoint, leave WAL mode (no ``-wal``/``-shm`` left) and close."""
        try:
            # If this fails (a full disk), the -wal file still holds every commit: nothing is lost.
            with contextlib.suppress(sqlite3.Error):
                if self._wal:
                    self._db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
                    self._db.execute("PRAGMA journal_mode=DELETE")
        finally:
            self._db.close()
