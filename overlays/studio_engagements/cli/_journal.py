"""The export journal: one writer per output, where an unfinished file stands, what is complete.

- :func:`output_lock` holds an OS lock (``flock`` on POSIX, ``msvcrt.locking`` on Windows) on
  ``PATH.lock`` beside the real file (symlinks resolved) for the whole run; a second run on the
  same output is refused at once (:class:`OutputBusy`); the OS drops a dead process's lock, so
  a crash never blocks a rerun. It works for any output path.
- :class:`SavedState` (``FILE.partial.state.json``) says where an unfinished file stands after
  its last whole page; :meth:`SavedState.verify` checks it against the data (length, a record
  boundary, a fingerprint of the bytes up to there) before a rerun trusts it.
- :class:`Manifest` (``FILE.export.json``) is written when an export finishes a file: only a file
  it describes, with the same options, counts as complete.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import json
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

VERSION = 2
TAIL_BYTES = 4096  # the fingerprint covers this much of the file before its recorded end


class JournalError(Exception):
    """A rerun cannot go on as things stand (exit 2); the message says what to do."""


class OutputBusy(JournalError):
    """Another run holds the lock of this output."""


@contextlib.contextmanager
def output_lock(path: Path, *, lock: Path | None = None) -> Iterator[None]:
    """Hold the lock of the output ``path`` (the file ``lock``, by default ``PATH.lock``) until the
    block ends; OSError if the lock file cannot be made (e.g. the folder does not exist),
    OutputBusy if another run holds it. Both paths are resolved first: a run through a symlink
    locks the real file's ``.lock``, so it meets a run on the file itself.
    """
    real = Path(os.path.realpath(path))
    lock = Path(os.path.realpath(lock)) if lock else real.with_name(real.name + ".lock")
    while True:
        fd = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)  # not inherited by children (PEP 446)
        if not _try_lock(fd):
            os.close(fd)
            raise OutputBusy(
                f"{path} is being written by another export (it holds {lock}); "
                "wait for it to end, then run the command again"
            )
        # The holder before us may have removed the lock file as it left: lock the live one.
        with contextlib.suppress(FileNotFoundError):
            if os.stat(lock).st_ino == os.fstat(fd).st_ino:
                break
        _unlock(fd)
        os.close(fd)
    try:
        yield
    finally:
        _release(fd, lock)


# Each OS drops the locks of a process that ends: a crash never blocks a rerun.
if sys.platform == "win32":
    import msvcrt

    def _try_lock(fd: int) -> bool:
        """Lock the first byte of ``fd``'s file; False if another process holds it."""
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
        except PermissionError:  # EACCES: the byte is locked
            return False
        return True

    def _unlock(fd: int) -> None:
        os.lseek(fd, 0, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)

    def _release(fd: int, lock: Path) -> None:
        """Unlock, close, then remove the lock file: Windows removes no open file, so removal
        fails, harmlessly, while another run has it open (it then holds it or finds it busy)."""
        with contextlib.suppress(OSError):
            _unlock(fd)
        os.close(fd)
        with contextlib.suppress(OSError):
            os.unlink(lock)

else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        """``flock`` ``fd``'s file; False if another open file holds it."""
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

    def _release(fd: int, lock: Path) -> None:
        """Remove the lock file while still holding it, then close: a run that opened this file
        meanwhile sees it gone and locks a new one."""
        with contextlib.suppress(OSError):
            os.unlink(lock)
        os.close(fd)


@dataclasses.dataclass(frozen=True, slots=True)
class Shape:
    """The options that decide what a file holds: a rerun must use the same ones."""

    format: str
    fields: tuple[str, ...]
    page_size: int | None
    limit: int | None

    def differences(self, saved: Shape) -> list[str]:
        """``--option saved -> now`` for each option that differs from ``saved``."""
        return [
            f"--{field.name.replace('_', '-')} {_shown(getattr(saved, field.name))} -> "
            f"{_shown(getattr(self, field.name))}"
            for field in dataclasses.fields(Shape)
            if getattr(saved, field.name) != getattr(self, field.name)
        ]


def _shown(value: object) -> str:
    if value is None:
        return "(not given)"
    return ",".join(value) if isinstance(value, tuple) else str(value)


def fingerprint(path: Path, size: int) -> str:
    """A hash of the last bytes of ``path`` before offset ``size`` (and of ``size`` itself)."""
    with path.open("rb") as handle:
        handle.seek(max(size - TAIL_BYTES, 0))
        tail = handle.read(min(size, TAIL_BYTES))
    return hashlib.sha256(f"{size}:".encode() + tail).hexdigest()


def _sealed(data: dict[str, Any]) -> dict[str, Any]:
    """``data`` with a checksum of itself: an edited state or manifest is noticed."""
    text = json.dumps(data, sort_keys=True)
    return {**data, "check": hashlib.sha256(text.encode()).hexdigest()}


def _unsealed(path: Path, what: str) -> dict[str, Any]:
    """The fields of a sealed file; JournalError if it is unreadable, edited or of another shape."""
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError) as error:
        raise JournalError(f"{path} cannot be read as {what} ({error})") from None
    if not isinstance(data, dict) or data.get("version") != VERSION:
        raise JournalError(f"{path} is not {what} written by this version")
    check = data.pop("check", None)
    if _sealed(data)["check"] != check:
        raise JournalError(f"{path} was edited or is damaged (its checksum does not match)")
    del data["version"]
    return data


def _write_atomically(path: Path, data: dict[str, Any]) -> None:
    """A crash leaves the old file or the new one, never half of one."""
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("w", encoding="utf-8") as handle:
        json.dump(_sealed({"version": VERSION, **data}), handle, indent=1)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)


def _typed(cls: type[Any], data: dict[str, Any], path: Path, what: str) -> Any:
    """``cls`` built from ``data``, every field of its declared type; JournalError otherwise."""
    try:
        shape = data.pop("shape")
        shape["fields"] = tuple(shape["fields"])
        built = cls(shape=Shape(**shape), **data)
    except (KeyError, TypeError, AttributeError) as error:
        raise JournalError(f"{path} is not {what} ({error})") from None
    for value, kind in _fields_and_kinds(built):
        if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
            raise JournalError(f"{path} is not {what} ({value!r} is not a {kind})")
    if any(isinstance(value, int) and value < 0 for value, _ in _fields_and_kinds(built)):
        raise JournalError(f"{path} is not {what} (a count is negative)")
    return built


def _fields_and_kinds(record: Any) -> Iterator[tuple[object, type | tuple[type, ...]]]:
    optional_int = (int, type(None))
    yield record.flow_sid, str
    yield record.shape.format, str
    yield record.shape.page_size, optional_int
    yield record.shape.limit, optional_int
    yield from ((name, str) for name in record.shape.fields)
    yield from ((getattr(record, name), int) for name in ("engagements", "pages", "size"))
    yield record.tail, str
    if hasattr(record, "marks"):
        yield record.marks, list  # checked before its items are
        yield from ((mark, str) for mark in record.marks)


@dataclasses.dataclass(frozen=True, slots=True)
class SavedState:
    """Where an export of ``flow_sid`` into a ``.partial`` stands after its last whole page."""

    flow_sid: str
    shape: Shape
    next_url: str
    engagements: int
    pages: int
    size: int
    """The ``.partial``'s length in bytes at the end of that page."""
    tail: str
    """The :func:`fingerprint` of the ``.partial`` at ``size``."""
    marks: list[str] = dataclasses.field(default_factory=list)
    """A mark of each written page's first record: a page the list serves again is refused,
    in this run or a later one (states saved before marks were kept have none)."""

    def save(self, path: Path) -> None:
        """Write atomically, sealed with a checksum."""
        _write_atomically(path, dataclasses.asdict(self))

    @classmethod
    def load(cls, path: Path) -> SavedState:
        """Read a state; JournalError if it does not parse, was edited or has the wrong shape."""
        what = "a saved export state"
        state: SavedState = _typed(cls, _unsealed(path, what), path, what)
        if not isinstance(state.next_url, str):
            raise JournalError(f"{path} is not {what} (no next page)")
        return state

    def verify(self, partial: Path) -> None:
        """JournalError unless ``partial`` holds at least ``size`` bytes, a record ends there and
        the bytes before it are the ones recorded (a longer file holds a page written after)."""
        try:
            length = partial.stat().st_size
            if length < self.size:
                problem = f"it holds {length} bytes, fewer than the {self.size} saved"
            elif self.size and _byte_before(partial, self.size) != b"\n":
                problem = f"no record ends at byte {self.size}"
            elif fingerprint(partial, self.size) != self.tail:
                problem = f"its data up to byte {self.size} is not what was written"
            else:
                return
        except OSError as error:
            problem = str(error)
        raise JournalError(f"{partial} does not match its saved state: {problem}")


def _byte_before(path: Path, offset: int) -> bytes:
    with path.open("rb") as handle:
        handle.seek(offset - 1)
        return handle.read(1)


@dataclasses.dataclass(frozen=True, slots=True)
class Manifest:
    """What an export that finished a file wrote: the flow, the options, the bytes."""

    flow_sid: str
    shape: Shape
    engagements: int
    pages: int
    size: int
    tail: str

    @classmethod
    def of(cls, data: Path, flow_sid: str, shape: Shape, engagements: int, pages: int) -> Manifest:
        """The manifest of the finished file ``data`` (a ``.partial`` about to be renamed)."""
        size = data.stat().st_size
        return cls(flow_sid, shape, engagements, pages, size, fingerprint(data, size))

    def save(self, final: Path) -> None:
        """Write ``FILE.export.json`` beside ``final``, atomically."""
        _write_atomically(manifest_path(final), dataclasses.asdict(self))

    @classmethod
    def load(cls, final: Path) -> Manifest | None:
        """The manifest of ``final`` if it has one that describes it as it is; else None."""
        path = manifest_path(final)
        if not path.exists():
            return None
        try:
            manifest: Manifest = _typed(cls, _unsealed(path, "a manifest"), path, "a manifest")
            if final.stat().st_size != manifest.size:
                return None
            return manifest if fingerprint(final, manifest.size) == manifest.tail else None
        except (JournalError, OSError):
            return None


def manifest_path(final: Path) -> Path:
    """Where the manifest of a finished ``FILE`` is kept: ``FILE.export.json``."""
    return final.with_name(final.name + ".export.json")


def state_path(partial: Path) -> Path:
    """Where the state of ``FILE.partial`` is kept: ``FILE.partial.state.json``."""
    return partial.with_name(partial.name + ".state.json")


@contextlib.contextmanager
def writable(path: Path, lock: Path | None = None) -> Iterator[None]:
    """Hold ``path``'s lock meanwhile; an OSError says that ``path`` cannot be written."""
    with contextlib.ExitStack() as held:
        try:
            held.enter_context(output_lock(path, lock=lock))
        except OSError as error:
            raise OSError(f"cannot write {path}: {error.strerror or error}") from None
        yield
