"""Where a file export stands, saved beside its ``.partial`` after each whole page, for reruns.

The state holds the next page's URL, what was written, the ``.partial``'s size at the last
whole page, and the options that shape the file. It holds no credential: nothing beyond what
the printed resume command shows.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import attrs

VERSION = 1


@attrs.frozen
class Shape:
    """The options that decide what a file holds: a rerun must use the same ones."""

    format: str
    fields: tuple[str, ...]
    page_size: int | None
    limit: int | None

    def differences(self, saved: Shape) -> list[str]:
        """``--option saved -> now`` for each option that differs from ``saved``."""
        return [
            f"--{field.name.replace('_', '-')} {_shown(getattr(saved, field.name))} -> "
            f"{_shown(getattr(self, field.name))}"
            for field in attrs.fields(Shape)
            if getattr(saved, field.name) != getattr(self, field.name)
        ]


def _shown(value: object) -> str:
    if value is None:
        return "(not given)"
    return ",".join(value) if isinstance(value, tuple) else str(value)


@attrs.frozen
class SavedState:
    """Where an export of ``flow_sid`` stands after its last whole page."""

    flow_sid: str
    shape: Shape
    next_url: str | None
    engagements: int
    pages: int
    size: int
    """The ``.partial``'s size in bytes at the end of the last whole page."""

    def save(self, path: Path) -> None:
        """Write atomically: a crash leaves the old state or the new one, never half."""
        data: dict[str, Any] = {"version": VERSION, **attrs.asdict(self, recurse=True)}
        temporary = path.with_name(path.name + ".tmp")
        temporary.write_text(json.dumps(data, indent=1), encoding="utf-8")
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: Path) -> SavedState:
        """Read a saved state; ValueError if it is not one this version wrote."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.pop("version") != VERSION:
                raise ValueError(f"{path} was written by another version")
            shape = data.pop("shape")
            shape["fields"] = tuple(shape["fields"])
            return cls(shape=Shape(**shape), **data)
        except (KeyError, TypeError, json.JSONDecodeError) as error:
            raise ValueError(f"{path} is not a saved export state ({error})") from None


def state_path(partial: Path) -> Path:
    """Where the state of ``FILE.partial`` is kept: ``FILE.partial.state.json``."""
    return partial.with_name(partial.name + ".state.json")
