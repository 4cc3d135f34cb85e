"""The ``studio-engagements`` command: export engagements, archive them, serve the mock, demo.

Exit codes: 0 success, 1 the output could not be written, 2 usage or invalid input, 3 API error,
4 network failure, 130 interrupted.
"""

from __future__ import annotations

try:
    from ._commands import main
except ModuleNotFoundError as missing:  # click, rich or PyYAML: the cli extra is not installed
    raise SystemExit(
        "studio-engagements needs the cli extra: pip install 'twilio-studio-engagements[cli]' "
        f"({missing.name} is missing)"
    ) from missing

__all__ = ["main"]
