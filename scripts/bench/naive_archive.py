"""The naive archive script the CLI's ``archive`` is measured against: the same requests into
the same tables, with nothing but httpx, json and sqlite3.

``python -m bench.naive_archive ORIGIN FLOW OUT PAGE_SIZE CONCURRENCY [--steps]`` reads ListFlow,
every page of the flow's engagements and (``--steps``) each engagement's steps (``CONCURRENCY``
at once), writes them to ``OUT`` (one commit a page) and prints how many engagements it kept.
"""

from __future__ import annotations

import json
import sqlite3
import sys
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx

from studio_engagements import Engagement, Step

from .common import AUTHORIZATION

# The archive's columns (``studio-engagements archive``): the spec's fields, as the models name
# them (a script would write them out; here they must not be retyped).
ENGAGEMENT_COLUMNS = Engagement.FIELDS
STEP_COLUMNS = Step.FIELDS


def cell(value: Any) -> Any:
    """Objects and lists as JSON text, the rest as they are."""
    return json.dumps(value) if isinstance(value, dict | list) else value


def insert_sql(table: str, names: Sequence[str]) -> str:
    return (
        f"INSERT OR REPLACE INTO {table} ({', '.join(names)}) "  # noqa: S608 (our own names)
        f"VALUES ({', '.join('?' * len(names))})"
    )


def archive(origin: str, flow: str, out: str, page_size: int, concurrency: int, steps: bool) -> int:
    """Archive ``flow`` into ``out``; the number of engagements kept."""
    db = sqlite3.connect(out)
    db.execute(f"CREATE TABLE engagements ({', '.join(ENGAGEMENT_COLUMNS)}, _extra)")
    db.execute(f"CREATE TABLE steps ({', '.join(STEP_COLUMNS)}, _position, _extra)")
    headers = {"Authorization": AUTHORIZATION, "Accept": "application/json"}
    count = 0
    with httpx.Client(headers=headers) as http, ThreadPoolExecutor(concurrency) as pool:

        def steps_of(engagement: dict[str, Any]) -> list[tuple[Any, ...]]:
            rows: list[tuple[Any, ...]] = []
            url: str | None = (
                f"{origin}/v1/Flows/{flow}/Engagements/{engagement['sid']}/Steps?PageSize=1000"
            )
            while url is not None:
                body = json.loads(http.get(url).content)
                for step in body["steps"]:
                    values = [cell(step.get(name)) for name in STEP_COLUMNS]
                    rows.append((*values, len(rows), None))
                url = body["meta"]["next_page_url"]
            return rows

        json.loads(http.get(f"{origin}/v1/Flows?PageSize=50").content)
        url: str | None = f"{origin}/v1/Flows/{flow}/Engagements?PageSize={page_size}"
        while url is not None:
            body = json.loads(http.get(url).content)
            engagements = body["engagements"]
            rows = [
                (*(cell(item.get(name)) for name in ENGAGEMENT_COLUMNS), None)
                for item in engagements
            ]
            with db:
                db.executemany(insert_sql("engagements", (*ENGAGEMENT_COLUMNS, "_extra")), rows)
                if steps:
                    found = (
                        pool.map(steps_of, engagements)
                        if concurrency > 1
                        else map(steps_of, engagements)
                    )
                    names = (*STEP_COLUMNS, "_position", "_extra")
                    for step_rows in found:
                        db.executemany(insert_sql("steps", names), step_rows)
            count += len(rows)
            url = body["meta"]["next_page_url"]
    db.close()
    return count


if __name__ == "__main__":
    origin, flow, out, size, concurrency, *flags = sys.argv[1:]
    print(archive(origin, flow, out, int(size), int(concurrency), "--steps" in flags))
