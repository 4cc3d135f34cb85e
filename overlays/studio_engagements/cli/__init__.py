"""The ``studio-engagements`` command: export engagements, archive them, serve the mock, demo.

Exit codes: 0 success, 1 the output could not be written, 2 usage or invalid input, 3 API error,
4 network failure, 130 interrupted.
"""

from __future__ import annotations

try:
    import click  # noqa: F401 (checks that the cli extra is installed)
except ModuleNotFoundError as missing:  # the cli extra is not installed
    raise SystemExit(
        "studio-engagements needs the cli extra: pip install 'twilio-studio-engagements[cli]'"
    ) from missing

from ._commands import main

__all__ = ["main"]
