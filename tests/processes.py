"""The CLI and served mocks in subprocesses: runs, banners, terminals, Ctrl-C, the CLI's
environment, and the mock served with its pages rewritten."""

from __future__ import annotations

import contextlib
import dataclasses
import fcntl
import json
import os
import pty
import resource
import select
import signal
import socketserver
import struct
import subprocess
import sys
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

from studio_engagements.testing import MockStudio

CLI = [sys.executable, "-m", "studio_engagements"]


def ctrl_c_works() -> None:
    """In a child: take Ctrl-C even if this run inherited SIGINT ignored (a background CI job)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextlib.contextmanager
def serving(
    command: list[str], stop: signal.Signals = signal.SIGINT, **options: Any
) -> Iterator[tuple[list[str], dict[str, str], str]]:
    """Run ``command``, which serves the mock; yield what it printed up to "Press Ctrl-C" (its
    lines, ``export`` variables and URL); then stop it with ``stop`` and check it exits 0.

    Bounded: a child that has not printed its banner within 30 s is killed (the reads end);
    once served, it lives as long as the caller needs it, and then has 20 s to stop.
    """
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, text=True, preexec_fn=ctrl_c_works, **options
    )
    watchdog = threading.Timer(30, process.kill)
    watchdog.start()
    try:
        assert process.stdout is not None
        lines = []
        for line in process.stdout:
            lines.append(line.strip())
            if line.startswith("Press Ctrl-C"):
                break
        exports = dict(
            line.removeprefix("export ").split("=", 1)
            for line in lines
            if line.startswith("export ")
        )
        (url,) = [line.rsplit(" ", 1)[1] for line in lines if "listening on" in line]
        watchdog.cancel()  # served: a module of tests may use it for longer than 30 s
        yield lines, exports, url
        process.send_signal(stop)
        assert process.wait(timeout=20) == 0
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()


def run_cli(
    *args: str, env: dict[str, str], timeout: float = 120, **options: Any
) -> subprocess.CompletedProcess[str]:
    """``studio-engagements *args`` in a subprocess, its output captured as text."""
    return subprocess.run(
        [*CLI, *args], capture_output=True, text=True, env=env, timeout=timeout, **options
    )


def mock_env(mock: MockStudio) -> dict[str, str]:
    """The environment for a CLI run against ``mock``: its credentials, no other TWILIO_ ones."""
    return twilio_env(mock.account_sid, mock.auth_token)


def twilio_env(account_sid: str | None = None, auth_token: str | None = None) -> dict[str, str]:
    """This process's environment without TWILIO_ variables, plus the credentials given."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    if account_sid is not None and auth_token is not None:
        env.update(TWILIO_ACCOUNT_SID=account_sid, TWILIO_AUTH_TOKEN=auth_token)
    return env


def jsonl(path: Path) -> list[dict[str, Any]]:
    """The records of a jsonl file, each line parsed as strict JSON (no NaN, no Infinity)."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line, parse_constant=_not_json) for line in handle]


def _not_json(token: str) -> None:
    raise ValueError(f"{token} is not JSON")


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


def file_size_limit(size: int) -> Callable[[], None]:
    """A ``preexec_fn``: in the child, writes past ``size`` bytes fail (EFBIG), as when full."""

    def limit() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, size))

    return limit


@contextlib.contextmanager
def serve_wsgi(app: Callable[..., Any]) -> Iterator[str]:
    """A WSGI ``app`` over real HTTP on loopback (threaded): its base URL."""
    server = make_server("127.0.0.1", 0, app, _ThreadingWSGIServer, _Quiet)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


@contextlib.contextmanager
def serve_rewritten(
    mock: MockStudio, rewrite: Callable[[str, dict[str, Any]], None]
) -> Iterator[str]:
    """The mock over real HTTP, each 200 page body first passed to ``rewrite(path, body)``."""

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        answer: list[Any] = []
        body = b"".join(mock.app(environ, lambda *args: answer.append(args)))
        status, headers = answer[0][0], answer[0][1]
        if status.startswith("200"):
            page = json.loads(body)
            rewrite(environ["PATH_INFO"], page)
            body = json.dumps(page).encode()
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        start_response(status, [*headers, ("Content-Length", str(len(body)))])
        return [body]

    with serve_wsgi(app) as base_url:
        yield base_url


def on_a_terminal(command: list[str], env: dict[str, str]) -> tuple[int, bytes, bytes]:
    """Run ``command`` with stderr on a pseudo-terminal: exit code, stdout, the terminal's bytes."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=follower,
        env={**env, "TERM": "xterm", "COLUMNS": "120"},
    )  # fmt: skip
    os.close(follower)
    stdout, _ = process.communicate(timeout=120)
    terminal = b""
    while select.select([leader], [], [], 0.2)[0]:
        try:
            chunk = os.read(leader, 65536)
        except OSError:
            break
        if not chunk:
            break
        terminal += chunk
    os.close(leader)
    return process.returncode, stdout, terminal


@dataclasses.dataclass(frozen=True)
class Screen:
    """What a person saw of a run on a terminal: its exit code, the screen at the end (each line
    without its trailing blanks) and every byte the terminal got."""

    code: int
    lines: list[str]
    raw: bytes

    @property
    def text(self) -> str:
        return "\n".join(self.lines).strip("\n") + "\n"


def _on_its_own_terminal() -> None:
    # In the child, after setsid(): the terminal on stdin becomes this session's controlling
    # terminal, so that a Ctrl-C typed on it interrupts the run, as for a person.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


def on_a_screen(
    command: list[str], env: dict[str, str], *, rows: int = 24, columns: int = 80,
    ctrl_c_when: Callable[[], bool] | None = None, timeout: float = 120,
) -> Screen:  # fmt: skip
    """Run ``command`` on a pseudo-terminal of ``rows`` x ``columns`` (stdin, stdout, stderr),
    read by a terminal emulator as a person would; type Ctrl-C once ``ctrl_c_when()`` holds."""
    import pyte

    leader, follower = pty.openpty()
    fcntl.ioctl(follower, termios.TIOCSWINSZ, struct.pack("HHHH", rows, columns, 0, 0))
    sized = {k: v for k, v in env.items() if k not in ("COLUMNS", "LINES")}  # the size: the tty's
    process = subprocess.Popen(
        command, stdin=follower, stdout=follower, stderr=follower, env={**sized, "TERM": "xterm"},
        start_new_session=True, preexec_fn=_on_its_own_terminal,
    )  # fmt: skip
    os.close(follower)
    screen = pyte.Screen(columns, rows)
    stream = pyte.ByteStream(screen)
    raw = b""
    deadline = time.monotonic() + timeout
    pressed = ctrl_c_when is None
    try:
        while time.monotonic() < deadline:
            if not pressed and ctrl_c_when is not None and ctrl_c_when():
                os.write(leader, b"\x03")  # what the Ctrl-C key sends; the terminal signals
                pressed = True
            if not select.select([leader], [], [], 0.01)[0]:
                continue
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # EIO: every end of the terminal is closed, the run is over
                break
            if not chunk:
                break
            raw += chunk
            stream.feed(chunk)
        code = process.wait(timeout=max(1.0, deadline - time.monotonic()))
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
            process.wait()
    return Screen(code, [line.rstrip() for line in screen.display], raw)


def interrupted(
    command: list[str], env: dict[str, str], mock: MockStudio, *, requests: int,
    pause: float = 0, stop: signal.Signals = signal.SIGINT,
) -> tuple[int, str]:  # fmt: skip
    """Run ``command``; Ctrl-C it (or send ``stop``) ``pause`` s after ``mock`` has seen
    ``requests`` more requests.

    Returns the exit code and stderr.
    """
    seen = len(mock.requests)
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
        preexec_fn=ctrl_c_works,
    )  # fmt: skip
    deadline = time.monotonic() + 30
    while len(mock.requests) < seen + requests and time.monotonic() < deadline:
        if process.poll() is not None:
            break
        time.sleep(0.005)
    time.sleep(pause)
    process.send_signal(stop)
    _, stderr = process.communicate(timeout=60)
    return process.returncode, stderr
