"""Exit codes: what each outcome means to the shell, which failure wins; Ctrl-C, always honoured."""

from __future__ import annotations

import signal
import threading
from collections.abc import Iterable
from types import FrameType

from ..errors import ApiError, TransportError, UnexpectedResponseError

EXIT_OK, EXIT_OTHER, EXIT_USAGE, EXIT_API, EXIT_NETWORK, EXIT_INTERRUPTED = 0, 1, 2, 3, 4, 130
# Most serious first: an interruption, then the network, the API, the output, usage.
SEVERITY = (EXIT_INTERRUPTED, EXIT_NETWORK, EXIT_API, EXIT_OTHER, EXIT_USAGE)
# Set by Ctrl-C: a KeyboardInterrupt that some library swallows still ends the run, with 130.
INTERRUPTED = threading.Event()


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


def one_line(error: BaseException) -> str:
    """``Type: message`` on a single line."""
    if isinstance(error, KeyboardInterrupt):
        return "interrupted"
    text = " ".join(str(error).split())
    return f"{type(error).__name__}: {text}"


def _on_sigint(signum: int, frame: FrameType | None) -> None:
    INTERRUPTED.set()
    raise KeyboardInterrupt


def honour_ctrl_c() -> None:
    """Note every Ctrl-C (see INTERRUPTED), then raise KeyboardInterrupt as Python does."""
    if signal.getsignal(signal.SIGINT) is signal.default_int_handler:
        signal.signal(signal.SIGINT, _on_sigint)


def check_interrupted() -> None:
    """Raise KeyboardInterrupt if Ctrl-C was pressed (its exception may have been swallowed)."""
    if INTERRUPTED.is_set():
        raise KeyboardInterrupt
