"""What the questions share: credentials of the page server, flow SIDs, child processes."""

from __future__ import annotations

import base64
import dataclasses
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from importlib import metadata
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPTS = ROOT / "scripts"
ACCOUNT_SID = "AC" + "0123456789abcdef" * 2
AUTH_TOKEN = "bench-auth-token"  # noqa: S105 (the local page server's, not a real secret)
AUTHORIZATION = "Basic " + base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
SHAPES = ("small", "studio")
"""Record shapes: ``small`` (a context of a few hundred bytes) and ``studio`` (the mock's
Studio-shaped records, about 3.5 KB)."""
PAGE_SIZE = 1000


def flow_sid(shape: str, pages: int) -> str:
    """A flow whose SID tells the page server its record shape and how many pages it has."""
    return f"FW{SHAPES.index(shape):x}{pages:031x}"


def read_flow_sid(sid: str) -> tuple[str, int]:
    """The shape and page count that :func:`flow_sid` put into ``sid``."""
    return SHAPES[int(sid[2], 16)], int(sid[3:], 16)


def module_command(module: str, *args: str) -> list[str]:
    """``python -m bench.<module> args...``: a child process running a module of this package."""
    return [sys.executable, "-m", f"bench.{module}", *args]


def child_env() -> dict[str, str]:
    """The environment of a child: this package importable, the client's credentials set."""
    path = os.pathsep.join(filter(None, [str(SCRIPTS), os.environ.get("PYTHONPATH")]))
    return dict(
        os.environ,
        PYTHONPATH=path,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        PYTHONWARNINGS="ignore::DeprecationWarning",
    )


@dataclasses.dataclass(frozen=True, slots=True)
class Run:
    """One finished child process: what it printed and what it cost."""

    stdout: str
    cpu: float
    """User + system seconds of the child alone."""
    wall: float


def run_child(command: Sequence[str]) -> Run:
    """Run ``command`` to its end; its output, CPU (``wait4``) and wall time."""
    started = time.perf_counter()
    with tempfile.TemporaryFile("w+") as errors:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=errors, env=child_env(), text=True
        )
        assert process.stdout is not None
        out = process.stdout.read()
        process.stdout.close()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.perf_counter() - started
        if process.returncode != 0:
            errors.seek(0)
            raise SystemExit(f"bench: {' '.join(command)} failed:\n{errors.read()}")
    return Run(out, usage.ru_utime + usage.ru_stime, wall)


def twilio_version() -> str | None:
    """The installed ``twilio`` version, or None when it is not installed."""
    try:
        return metadata.version("twilio")
    except metadata.PackageNotFoundError:
        return None


def interleaved(
    names: Sequence[str], repeat: int, measure: Callable[[str], tuple[float, float]]
) -> dict[str, tuple[float, float]]:
    """Median of ``measure(name)`` (a pair: CPU and wall seconds) over ``repeat`` rounds A B C."""
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name in names}
    for _ in range(repeat):
        for name in names:
            samples[name].append(measure(name))
    return {
        name: (statistics.median(c for c, _ in runs), statistics.median(w for _, w in runs))
        for name, runs in samples.items()
    }
