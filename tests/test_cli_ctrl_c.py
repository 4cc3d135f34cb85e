"""Ctrl-C in the CLI: the handler only notes the press (so that it never lands inside a lock's
``__enter__`` and leaves the lock held for the next thread: a hang); the engine looks at it
between short waits and ends the run at once, even while a request is under way on a worker.
A second Ctrl-C leaves."""

from __future__ import annotations

import http.server
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from studio_engagements.cli import _exits
from studio_engagements.cli._exits import EXIT_INTERRUPTED, INTERRUPTED, check_interrupted

from .helpers import CLI, FLOW, ctrl_c_works, twilio_env


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


def test_a_press_while_a_request_hangs_ends_the_run_before_the_answer(tmp_path: Path) -> None:
    """The server holds its answer for a minute; Ctrl-C ends the run while it still does."""
    answered = threading.Event()
    asked = threading.Event()

    class Slow(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            asked.set()
            answered.wait(60)  # until the test is over: the CLI must not wait for it

        def log_message(self, format: str, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Slow)
    server.daemon_threads = True
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    try:
        run = subprocess.Popen(
            [*CLI, "list", FLOW, "--base-url", f"http://127.0.0.1:{server.server_port}",
             "--output", str(tmp_path / "out.jsonl")],
            env={**twilio_env("AC" + "1" * 32, "token")}, stderr=subprocess.PIPE, text=True,
            preexec_fn=ctrl_c_works,
        )  # fmt: skip
        assert asked.wait(60), "the CLI sent its first request"
        run.send_signal(signal.SIGINT)
        _, stderr = run.communicate(timeout=50)
        still_held = not answered.is_set()
    finally:
        answered.set()
        server.shutdown()
    assert still_held  # the run ended while the server still held its answer
    assert run.returncode == EXIT_INTERRUPTED, stderr
    assert "Traceback" not in stderr


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
    assert stderr.strip().splitlines()[-1].startswith("error: interrupted")
    assert "Traceback" not in stderr
