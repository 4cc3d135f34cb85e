"""Where the CLI lets Ctrl-C raise: at once inside a request's socket operations and the pause
before a retry; anywhere else at the next check, so that it never lands inside a lock's
``__enter__`` and leaves the lock held for the next thread (a hang). A second Ctrl-C leaves."""

from __future__ import annotations

import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator

import httpcore
import pytest

from studio_engagements import StudioClient
from studio_engagements._deadline import within_deadline
from studio_engagements.cli import _exits
from studio_engagements.cli._exits import EXIT_INTERRUPTED, INTERRUPTED, check_interrupted

from .helpers import CLI, ctrl_c_works


@pytest.fixture(autouse=True)
def no_presses() -> Iterator[None]:
    INTERRUPTED.presses = 0
    yield
    INTERRUPTED.presses = 0


def press() -> None:
    """What Python does when Ctrl-C arrives while the caller runs."""
    _exits._on_sigint(signal.SIGINT, sys._getframe(1))


def test_a_press_outside_a_request_is_kept_for_the_next_check() -> None:
    press()  # does not raise here
    assert INTERRUPTED.is_set()
    with pytest.raises(KeyboardInterrupt):
        check_interrupted()


def test_a_press_during_a_socket_operation_raises_at_once() -> None:
    def read(timeout: float | None) -> bytes:
        press()
        return b"not reached"

    with pytest.raises(KeyboardInterrupt):
        within_deadline(1.0, httpcore.ReadTimeout, read)


def test_a_press_while_waiting_to_retry_raises_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(time, "sleep", lambda seconds: press())
    with StudioClient("AC" + "0" * 32, "token") as client, pytest.raises(KeyboardInterrupt):
        client._sleep(5.0)


def test_a_second_press_leaves_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    codes: list[int] = []
    monkeypatch.setattr(_exits.os, "_exit", codes.append)
    press()
    press()
    assert codes == [EXIT_INTERRUPTED]


LOCK_SCRIPT = textwrap.dedent(
    """
    import os, signal, threading
    from studio_engagements.cli._exits import check_interrupted, honour_ctrl_c

    honour_ctrl_c()
    lock = threading.Lock()

    class Guard:  # as httpcore's pool lock and threading.Condition take theirs
        def __enter__(self):
            lock.acquire()
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C lands after the acquire, before the body
            return self

        def __exit__(self, *exc):
            lock.release()

    try:
        with Guard():
            pass
    except KeyboardInterrupt:
        print("raised inside __enter__")
    print("lock held" if lock.locked() else "lock free")
    try:
        check_interrupted()
    except KeyboardInterrupt:
        print("stopped at the check")
    """
)


def test_a_press_just_after_a_lock_is_taken_leaves_no_lock_held() -> None:
    run = subprocess.run(
        [sys.executable, "-c", LOCK_SCRIPT], capture_output=True, text=True, timeout=60,
        preexec_fn=ctrl_c_works,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    assert run.stdout.split("\n")[:2] == ["lock free", "stopped at the check"]


def test_python_s_own_handler_would_have_left_the_lock_held() -> None:
    """The same script without the CLI's handler: the failure the handler exists for."""
    script = LOCK_SCRIPT.replace("honour_ctrl_c()", "")
    run = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
        preexec_fn=ctrl_c_works,
    )  # fmt: skip
    assert run.stdout.split("\n")[:2] == ["raised inside __enter__", "lock held"], run.stderr


def test_ctrl_c_during_the_demo_is_one_line_and_130() -> None:
    demo = subprocess.Popen(
        [*CLI, "demo"], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        preexec_fn=ctrl_c_works,
    )  # fmt: skip
    assert demo.stdout is not None
    for line in demo.stdout:
        if "One 429" in line:  # the demo waits out its Retry-After now
            break
    demo.send_signal(signal.SIGINT)
    _, stderr = demo.communicate(timeout=60)
    assert demo.returncode == EXIT_INTERRUPTED, stderr
    assert stderr.strip().splitlines()[-1] == "error: interrupted"
    assert "Traceback" not in stderr
