"""Exit codes: what each outcome means to the shell, which failure wins; Ctrl-C, always honoured.

Ctrl-C only sets a flag: the engine looks at it before every request and every result, and its
calling thread between short waits, and stops the run (no request is started after it; what was
committed stays). Raising KeyboardInterrupt wherever
the signal lands could leave a lock taken inside its ``__enter__`` (httpcore's pool, a queue's
condition) and hang the next thread that takes it. A second Ctrl-C leaves at once: every output
is consistent at every moment, as after ``kill -9``.
"""

from __future__ import annotations

import os
import signal
from collections.abc import Iterable
from types import FrameType

from .. import ApiError, TransportError, UnexpectedResponseError

EXIT_OK, EXIT_OTHER, EXIT_USAGE, EXIT_API, EXIT_NETWORK, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
# Most serious first: an interruption, then the network, the API, the output, usage.
SEVERITY = (EXIT_INTERRUPTED, EXIT_NETWORK, EXIT_API, EXIT_OTHER, EXIT_USAGE)


def exit_code(error: BaseException) -> int:
    """The documented exit code for an error."""
    if isinstance(error, KeyboardInterrupt):
        return EXIT_INTERRUPTED
    if isinstance(error, TransportError):
        return EXIT_NETWORK
    if isinstance(error, ApiError | UnexpectedResponseError):
        return EXIT_API
    if isinstance(error, OSError):  # the output could not be written
        return EXIT_OTHER
    return EXIT_USAGE


def most_serious(codes: Iterable[int]) -> int:
    """The code of the most serious failure among ``codes``; 0 if there is none."""
    failed = {code for code in codes if code != EXIT_OK}
    return next((code for code in SEVERITY if code in failed), EXIT_OK)


class CtrlC:
    """How often Ctrl-C was pressed in this run (a plain counter: the handler takes no lock)."""

    def __init__(self) -> None:
        self.presses = 0

    def is_set(self) -> bool:
        return self.presses > 0


INTERRUPTED = CtrlC()


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    """Ctrl-C: noted, for the engine to stop at its next look; a second one leaves at once."""
    INTERRUPTED.presses += 1
    if INTERRUPTED.presses > 1:
        os._exit(EXIT_INTERRUPTED)


def honour_ctrl_c() -> None:
    """Take Ctrl-C as :func:`_on_sigint` does (unless SIGINT is ignored or handled already)."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)


def plain_ctrl_c() -> None:
    """Let Ctrl-C raise KeyboardInterrupt wherever it lands, as Python's own handler does."""
    if signal.getsignal(signal.SIGINT) is _on_sigint:
        signal.signal(signal.SIGINT, signal.default_int_handler)


def check_interrupted() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed: where a loop outside the engine stops."""
    if INTERRUPTED.is_set():
        raise KeyboardInterrupt
