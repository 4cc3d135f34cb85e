"""Question: peak memory of a typed stream and of the CLI export, however many pages.

``python -m bench.memory ORIGIN FLOW DECODER`` streams a flow and prints, as JSON, its RSS after
the first page and its peak RSS (KiB); ``python -m bench.memory cli ORIGIN FLOW FILE`` exports
it with the CLI and prints its peak RSS. (A child measures itself: the peak that ``wait4``
reports includes the parent's memory when the child was forked.)
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .common import ACCOUNT_SID, AUTH_TOKEN, PAGE_SIZE, flow_sid, module_command, run_child
from .report import Section, Target

if TYPE_CHECKING:
    from .__main__ import Bench

FLAT = 1.5  # peak RSS at most this times the RSS after the first page


def status_kib(key: str) -> int:
    """A ``/proc/self/status`` value in KiB (VmRSS, VmHWM); ru_maxrss where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(origin: str, flow: str, decoder: str) -> None:
    """Stream ``flow`` with ``decoder``; print RSS after the first page and the peak RSS."""
    from studio_engagements import StudioClient
    from studio_engagements_api.types import set_json_decoder

    set_json_decoder(decoder)
    first = count = 0
    with StudioClient(ACCOUNT_SID, AUTH_TOKEN, base_url=origin) as client:
        for engagement in client.engagements.stream(flow):
            _ = engagement.sid, engagement.status, engagement.date_created
            count += 1
            if count == PAGE_SIZE:
                first = status_kib("VmRSS")
    print(json.dumps({"count": count, "first": first, "peak": status_kib("VmHWM")}))


def run(bench: Bench) -> Section:
    """Streams with each decoder, and CLI exports of one page and of many, in fresh processes."""
    pages = bench.sizes.memory_pages
    flow = flow_sid("studio", pages)
    lines, targets = [], []
    for decoder in ("msgspec", "json"):
        found: dict[str, Any] = json.loads(
            run_child(module_command("memory", bench.server.origin, flow, decoder)).stdout
        )
        if found["count"] != pages * PAGE_SIZE:
            raise SystemExit(f"bench: the memory run read {found['count']}")
        ratio = found["peak"] / found["first"]
        lines.append(
            f"- typed stream ({decoder}), {pages} Studio-shaped pages: RSS after the first page "
            f"{found['first'] / 1024:.1f} MiB, peak {found['peak'] / 1024:.1f} MiB ({ratio:.2f}x)"
        )
        if decoder == "msgspec":
            targets.append(
                Target(f"typed stream peak RSS vs first page, {pages} pages", ratio, FLAT)
            )
    with tempfile.TemporaryDirectory(prefix="bench-memory-") as folder:
        peaks = [
            json.loads(
                run_child(
                    [bench.cli_python, "-m", "bench.memory", "cli", bench.server.origin,
                     flow_sid("studio", n), str(Path(folder, f"{n}.jsonl"))]
                ).stdout
            )["peak"]
            for n in (1, pages)
        ]  # fmt: skip
    ratio = peaks[1] / peaks[0]
    lines.append(
        f"- CLI jsonl export: peak RSS {peaks[0] / 1024:.1f} MiB for 1 page, "
        f"{peaks[1] / 1024:.1f} MiB for {pages} pages ({ratio:.2f}x)"
    )
    targets.append(Target(f"CLI export peak RSS, {pages} pages vs 1 page", ratio, FLAT))
    return Section("Memory", ["Peak resident memory of fresh processes:", "", *lines], targets)


def cli_child(origin: str, flow: str, out: str) -> None:
    """Export ``flow`` with the CLI in this process; print its peak RSS (KiB) as JSON."""
    from studio_engagements.cli import main

    main(["list", flow, "--base-url", origin, "--output", out], standalone_mode=False)
    print(json.dumps({"peak": status_kib("VmHWM")}))


if __name__ == "__main__":
    if sys.argv[1] == "cli":
        cli_child(*sys.argv[2:5])
    else:
        child(*sys.argv[1:4])
