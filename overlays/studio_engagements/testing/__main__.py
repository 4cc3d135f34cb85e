"""``python -m studio_engagements.testing``: serve the mock until interrupted.

``studio-engagements mock`` is the same server behind the CLI's options.
"""

from __future__ import annotations

import argparse
import contextlib
import signal
import sys
import threading
from collections.abc import Sequence
from typing import TextIO

from ._mock import MockStudio


def serve_forever(mock: MockStudio, host: str, port: int, out: TextIO = sys.stdout) -> None:
    """Serve ``mock``; print its URL, ``export`` lines and flows; stop on Ctrl-C or SIGTERM."""
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    with mock.serve(host, port) as base_url:
        lines = [
            f"Mock Twilio Studio listening on {base_url}",
            f"export TWILIO_ACCOUNT_SID={mock.account_sid}",
            f"export TWILIO_AUTH_TOKEN={mock.auth_token}",
            f"# or an API key: export TWILIO_API_KEY={mock.api_key_sid} "
            f"TWILIO_API_SECRET={mock.api_key_secret}",
            *(f"flow {sid} {count} engagements" for sid, count in mock.flows.items()),
        ]
        if mock.flows:
            first = next(iter(mock.flows))
            lines.append(f"try: studio-engagements list {first} --base-url {base_url} --limit 5")
        lines.append("Press Ctrl-C to stop.")
        print("\n".join(lines), file=out, flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            stop.wait()


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
    args = parser.parse_args(argv)
    try:
        mock = MockStudio(dict(args.flow) if args.flow else None, seed=args.seed)
    except ValueError as exc:
        parser.error(str(exc))
    serve_forever(mock, args.host, args.port)
    return 0


if __name__ == "__main__":
    sys.exit(main())
