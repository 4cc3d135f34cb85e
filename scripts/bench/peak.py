"""``python -m bench.peak COMMAND...``: run COMMAND, then print its peak RSS (KiB) as the last line.

A small parent of its own: the peak that ``wait4`` reports for a child includes the memory of
the process it was forked from, so the benchmark (large) does not fork the measured command.
"""

from __future__ import annotations

import os
import subprocess
import sys


def main(command: list[str]) -> int:
    """Run ``command`` to its end; print its peak RSS; its exit code."""
    process = subprocess.Popen(command)
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    print(usage.ru_maxrss, flush=True)
    return process.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
