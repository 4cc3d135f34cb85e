"""The ``flows`` command's work: the account's flows as a table, jsonl or csv on stdout."""

from __future__ import annotations

import csv
import io
import sys
from typing import Any

from rich.console import Console
from rich.table import Table

from .. import Flow, StudioClient
from ._rows import cell


def print_flows(fmt: str, client_options: dict[str, Any]) -> None:
    """Every flow of the account (ListFlow), in the API's order."""
    with StudioClient(**client_options) as client:
        flows = client.flows.list()
    out = sys.stdout
    if fmt == "jsonl":
        for flow in flows:
            sent = flow.sent_json()
            line = sent.replace(b"\n", b"").replace(b"\r", b"") if sent is not None else None
            out.buffer.write((line or cell(flow.to_dict()).encode("utf-8")) + b"\n")
        out.flush()
        return
    fields = Flow.FIELDS if fmt == "csv" else Flow.SUMMARY_FIELDS
    rows = [[cell(flow.to_dict().get(name)) for name in fields] for flow in flows]
    if fmt == "csv":
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(fields)
        writer.writerows(rows)
        out.buffer.write(buffer.getvalue().encode("utf-8", errors="backslashreplace"))
        out.flush()
        return
    table = Table()
    for name in fields:
        table.add_column(name, no_wrap=name == "sid")
    for values in rows:
        table.add_row(*values)
    Console(width=None if out.isatty() else 1000).print(table)
