"""The ``studio-engagements`` command: export engagements, archive them, serve the mock, demo.

Exit codes: 0 success, 1 the output could not be written, 2 usage or invalid input, 3 API error,
4 network failure, 130 interrupted.
"""

from __future__ import annotations

import importlib.util

# The cli extra, looked for without importing it (``--help`` stays quick): click, rich, and
# PyYAML (the mock the ``mock`` and ``demo`` commands serve).
for _module in ("click", "rich", "yaml"):
    if importlib.util.find_spec(_module) is None:
        raise SystemExit(
            "studio-engagements needs the cli extra: pip install 'twilio-studio-engagements[cli]' "
            f"({_module} is missing)"
        )

from ._commands import main  # noqa: E402 (after the check: it imports click)

__all__ = ["main"]
