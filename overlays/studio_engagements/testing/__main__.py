"""``python -m studio_engagements.testing``: serve the mock until interrupted.

``studio-engagements mock`` is the same server behind the CLI's options.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from ._mock import MockStudio


def _flow(text: str) -> tuple[str, int]:
    sid, _, count = text.partition("=")
    if not count.isdigit():
        raise argparse.ArgumentTypeError(f"expected FLOW_SID=COUNT, not {text!r}")
    return sid, int(count)


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the mock on loopback; print its URL, credentials and flows; stop on Ctrl-C/SIGTERM."""
    parser = argparse.ArgumentParser(
        prog="python -m studio_engagements.testing", description=main.__doc__
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    parser.add_argument("--seed", type=int, default=0, help="data and credentials seed (default 0)")
    parser.add_argument(
        "--flow",
        type=_flow,
        action="append",
        metavar="FLOW_SID=COUNT",
        help="seed this flow (repeatable; default: a few seeded flows)",
    )
    parser.add_argument(
        "--days-per-minute",
        type=float,
        default=0.0,
        help="move the mock's clock this many days every real minute (default 0: it stands still)",
    )
    args = parser.parse_args(argv)
    if args.days_per_minute < 0:
        parser.error("--days-per-minute must be >= 0")
    try:
        mock = MockStudio(dict(args.flow) if args.flow else None, seed=args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    mock.serve_forever(args.host, args.port, days_per_minute=args.days_per_minute)
    return 0


if __name__ == "__main__":
    sys.exit(main())
