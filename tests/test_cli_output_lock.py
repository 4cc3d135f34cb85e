"""The output lock: one writer per output, through symlinks too; a dead holder never blocks; the
lock file goes on the way out; the Windows branch against a stand-in for ``msvcrt``."""

from __future__ import annotations

import errno
import fcntl
import importlib.util
import os
import subprocess
import sys
import types
from pathlib import Path
from typing import Any

import pytest

from studio_engagements.cli import _journal
from studio_engagements.cli._journal import OutputBusy, output_lock
from studio_engagements.testing import MockStudio

from .helpers import mock_env, run_cli

FLOW = "FW" + "4" * 32


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={FLOW: 3}, seed=4)


def test_a_second_lock_on_one_output_is_refused_and_names_it(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    with output_lock(out):
        assert (tmp_path / "out.jsonl.lock").exists()
        with pytest.raises(OutputBusy, match="being written by another export") as refused:
            output_lock(out).__enter__()
        assert str(out) in str(refused.value)
    assert not (tmp_path / "out.jsonl.lock").exists()
    with output_lock(out):  # released: the next run goes
        pass


def test_a_symlink_to_the_output_meets_the_same_lock(tmp_path: Path) -> None:
    out = tmp_path / "out.sqlite"
    link = tmp_path / "link.sqlite"
    link.symlink_to(out)  # dangling until the output is written: still the same output
    with output_lock(out), pytest.raises(OutputBusy, match=r"link\.sqlite is being written"):
        output_lock(link).__enter__()
    with output_lock(link):
        assert (tmp_path / "out.sqlite.lock").exists()
        assert not (tmp_path / "link.sqlite.lock").exists()
        with pytest.raises(OutputBusy):
            output_lock(out).__enter__()
    assert not list(tmp_path.glob("*.lock"))


def test_a_symlinked_folder_meets_the_same_lock(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    (tmp_path / "alias").symlink_to(real, target_is_directory=True)
    with output_lock(real, lock=real / ".folder.lock"), pytest.raises(OutputBusy):
        output_lock(tmp_path / "alias", lock=tmp_path / "alias" / ".folder.lock").__enter__()
    with output_lock(real / "a.csv"), pytest.raises(OutputBusy):
        output_lock(tmp_path / "alias" / "a.csv").__enter__()


def test_a_lock_left_by_a_killed_process_never_blocks(tmp_path: Path) -> None:
    out = tmp_path / "out.jsonl"
    holder = subprocess.Popen(
        [sys.executable, "-c",
         "import sys, pathlib\n"
         "from studio_engagements.cli._journal import output_lock\n"
         "with output_lock(pathlib.Path(sys.argv[1])):\n"
         "    print('held', flush=True)\n"
         "    sys.stdin.read()\n",
         str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert holder.stdout is not None
        assert holder.stdout.readline() == "held\n"
        with pytest.raises(OutputBusy):
            output_lock(out).__enter__()
    finally:
        holder.kill()
        holder.wait(timeout=30)
    assert (tmp_path / "out.jsonl.lock").exists()  # killed: it could not remove its file
    with output_lock(out):
        pass
    assert not (tmp_path / "out.jsonl.lock").exists()


def test_a_run_that_opened_the_lock_file_as_the_holder_left_locks_the_live_one(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The holder removes the file between the waiter's open and its lock: the waiter, holding an
    unlinked file, must open again, so that a third run meets it."""
    out = tmp_path / "out.jsonl"
    holder = output_lock(out)
    holder.__enter__()
    real_try_lock = _journal._try_lock
    calls: list[int] = []

    def holder_leaves_first(fd: int) -> bool:
        calls.append(fd)
        if len(calls) == 1:
            holder.__exit__(None, None, None)
        return real_try_lock(fd)

    monkeypatch.setattr(_journal, "_try_lock", holder_leaves_first)
    with output_lock(out):
        assert len(calls) == 2  # locked the removed file, saw it gone, locked the new one
        monkeypatch.setattr(_journal, "_try_lock", real_try_lock)
        with pytest.raises(OutputBusy):
            output_lock(out).__enter__()
    assert not (tmp_path / "out.jsonl.lock").exists()


def test_an_archive_through_a_symlink_is_refused_while_the_file_is_written(
    mock: MockStudio, server: str, tmp_path: Path
) -> None:
    out = tmp_path / "out.sqlite"
    link = tmp_path / "link.sqlite"
    link.symlink_to(out)
    mock.reset_requests()
    with output_lock(out):
        refused = run_cli(
            "archive", FLOW, "--output", str(link), "--base-url", server, env=mock_env(mock)
        )
    assert refused.returncode == 2, refused.stderr
    assert f"{link} is being written by another export" in refused.stderr
    assert "Traceback" not in refused.stderr
    assert mock.requests == []
    assert not out.exists()


# Windows: msvcrt.locking stood in for by flock, with its calling conventions (one byte at the
# file's position, EACCES when held elsewhere), to run the branch's logic on this machine.


@pytest.fixture
def windows_journal(monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[int]]:
    modes: list[int] = []

    def locking(fd: int, mode: int, nbytes: int) -> None:
        assert nbytes == 1
        assert os.lseek(fd, 0, os.SEEK_CUR) == 0
        modes.append(mode)
        try:
            fcntl.flock(fd, fcntl.LOCK_UN if mode == 0 else fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise PermissionError(errno.EACCES, "Permission denied") from None

    msvcrt = types.ModuleType("msvcrt")
    msvcrt.LK_UNLCK, msvcrt.LK_NBLCK = 0, 2  # type: ignore[attr-defined]
    msvcrt.locking = locking  # type: ignore[attr-defined]
    monkeypatch.setattr(sys, "platform", "win32")
    monkeypatch.setitem(sys.modules, "msvcrt", msvcrt)
    spec = importlib.util.spec_from_file_location("journal_on_windows", _journal.__file__)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    assert "fcntl" not in vars(module)
    return module, modes


def test_on_windows_a_second_lock_is_refused_and_the_file_goes_after_unlocking(
    windows_journal: tuple[Any, list[int]], tmp_path: Path
) -> None:
    module, modes = windows_journal
    out = tmp_path / "out.jsonl"
    with module.output_lock(out):
        with pytest.raises(module.OutputBusy, match="being written by another export"):
            module.output_lock(out).__enter__()
        assert modes == [2, 2]
    assert modes[-1] == 0  # unlocked before closing, as msvcrt asks
    assert not (tmp_path / "out.jsonl.lock").exists()
    with module.output_lock(out):
        pass
