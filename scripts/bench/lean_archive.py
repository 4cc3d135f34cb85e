"""The leanest archive this design allows, measured beside the CLI's ``archive`` and the naive
script: the floor under the archive's CPU targets.

``python -m bench.lean_archive ORIGIN FLOW OUT PAGE_SIZE [--steps]`` makes the same requests as
``bench.naive_archive`` at concurrency 1 and writes the same rows into the same columns (one
commit a page), with nothing the design does not require: httpcore's pool (what the sync client
sends through), msgspec reading each page once (JSON columns kept as the text sent, as the
archive keeps them) and sqlite3's ``executemany``. No argument or response checks, no deadline,
no size cap, no engine, no history, no indexes: whatever the archive does on top costs more.
"""

from __future__ import annotations

import sqlite3
import sys
from typing import Any
from urllib.parse import urlsplit

import attrs
import httpcore
import httpx  # noqa: F401 (the client's public types are httpx's: a client of this design imports it)
import msgspec

from studio_engagements import Engagement, Step

from .common import AUTHORIZATION
from .naive_archive import insert_sql

SID = Engagement.FIELDS.index("sid")


def json_columns(model: type[Engagement | Step]) -> frozenset[str]:
    """The fields the archive keeps as JSON text: those whose annotation holds any JSON, an
    object or a list (as ``studio_engagements.cli._archive_store`` decides, without importing
    the CLI: this script imports no more than the client needs)."""
    # The attributes are the JSON fields in order (a JSON name need not be a Python name).
    kinds = [str(field.type) for field in attrs.fields(model) if field.name != "extra"]
    return frozenset(
        name
        for name, kind in zip(model.FIELDS, kinds, strict=True)
        if kind.startswith(("JsonValue", "Mapping", "dict", "list"))
    )


def page_decoder(key: str, model: type[Engagement | Step]) -> msgspec.json.Decoder[Any]:
    """A page's records under ``key``: JSON columns as their text (``msgspec.Raw``), the rest
    as values, in the table's column order; and its ``meta.next_page_url``."""
    fields, as_json = model.FIELDS, json_columns(model)
    record = msgspec.defstruct(
        f"{key}_record",
        [(f"f{i}", msgspec.Raw if name in as_json else Any, None) for i, name in enumerate(fields)],
        rename={f"f{i}": name for i, name in enumerate(fields)},
        array_like=False,
    )
    meta = msgspec.defstruct("meta", [("next_page_url", str | None, None)])
    page = msgspec.defstruct("page", [(key, list[record]), ("meta", meta)])  # type: ignore[valid-type]
    return msgspec.json.Decoder(page)


def cells(record: Any, raw: tuple[int, ...]) -> list[Any]:
    """A record's values, JSON columns as their text (null: None)."""
    values = list(msgspec.structs.astuple(record))
    for index in raw:
        text = values[index]
        values[index] = None if text is None or text == b"null" else bytes(text).decode()
    return values


def archive(origin: str, flow: str, out: str, page_size: int, steps: bool) -> int:
    """Archive ``flow`` into ``out``; the number of engagements kept."""
    db = sqlite3.connect(out)
    db.execute(f"CREATE TABLE engagements ({', '.join(Engagement.FIELDS)}, _extra)")
    db.execute(f"CREATE TABLE steps ({', '.join(Step.FIELDS)}, _position, _extra)")
    engagement_page = page_decoder("engagements", Engagement)
    step_page = page_decoder("steps", Step)
    engagement_raw = tuple(
        i for i, n in enumerate(Engagement.FIELDS) if n in json_columns(Engagement)
    )
    step_raw = tuple(i for i, n in enumerate(Step.FIELDS) if n in json_columns(Step))
    engagement_sql = insert_sql("engagements", (*Engagement.FIELDS, "_extra"))
    step_sql = insert_sql("steps", (*Step.FIELDS, "_position", "_extra"))
    parts = urlsplit(origin)
    headers = [
        (b"Host", parts.netloc.encode()),
        (b"Authorization", AUTHORIZATION.encode()),
        (b"Accept", b"application/json"),
    ]
    count = 0
    with httpcore.ConnectionPool() as pool:

        def get(url: str, decoder: msgspec.json.Decoder[Any]) -> Any:
            response = pool.request("GET", url, headers=headers)
            return decoder.decode(response.content)

        url: str | None = f"{origin}/v1/Flows/{flow}/Engagements?PageSize={page_size}"
        while url is not None:
            page = get(url, engagement_page)
            rows = [(*cells(record, engagement_raw), None) for record in page.engagements]
            step_rows: list[tuple[Any, ...]] = []
            for sid in (row[SID] for row in rows) if steps else ():
                next_url: str | None = (
                    f"{origin}/v1/Flows/{flow}/Engagements/{sid}/Steps?PageSize=1000"
                )
                held: list[tuple[Any, ...]] = []  # this engagement's steps, _position counting
                while next_url is not None:
                    found = get(next_url, step_page)
                    held += [
                        (*cells(step, step_raw), position, None)
                        for position, step in enumerate(found.steps, len(held))
                    ]
                    next_url = found.meta.next_page_url
                step_rows += held
            with db:
                db.executemany(engagement_sql, rows)
                db.executemany(step_sql, step_rows)
            count += len(rows)
            url = page.meta.next_page_url
    db.close()
    return count


if __name__ == "__main__":
    origin, flow, out, size, *flags = sys.argv[1:]
    print(archive(origin, flow, out, int(size), "--steps" in flags))
