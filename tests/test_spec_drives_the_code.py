"""A field and a status added to the spec alone reach the model, the mock, the CLI, the archive.

The test copies the repository, adds a nullable string property to the Engagement schema and to
the Step schema and a value to EngagementStatus in the copy's spec, regenerates with the pinned
tools, installs the copy into a fresh virtual environment and checks, in that environment, that
each new field is a typed attribute of its model (not in ``extra``), is written by ``to_dict``,
that each is in every mock record of its schema, that the Engagement's is in the CLI's default
csv header and ``--fields``, that both are columns of the archive's tables (filled from the
mock), and that the status is an ``EngagementStatus`` member. No
file under ``overlays/`` changes. It takes a minute (a venv and an install).
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
import textwrap
import venv
from pathlib import Path
from typing import Any

import pytest

from .helpers import ROOT

NEW_FIELD = "channel_label"
NEW_STATUS = "paused"
NEW_STEP_FIELD = "widget_label"  # added to a second schema, Step
COPIED = ("openapi", "generated", "overlays", "scripts")
CHECK = textwrap.dedent(
    f"""
    import csv, io, json, sqlite3, typing
    from click.testing import CliRunner
    from studio_engagements import Engagement, EngagementStatus, Step
    from studio_engagements.cli import main
    from studio_engagements.testing import MockStudio

    hints = typing.get_type_hints(Engagement)
    assert hints["{NEW_FIELD}"] == str | None, hints["{NEW_FIELD}"]
    parsed = Engagement.from_dict({{"{NEW_FIELD}": "x", "status": "{NEW_STATUS}"}})
    assert parsed.{NEW_FIELD} == "x" and parsed.extra == {{}}, parsed
    assert parsed.to_dict()["{NEW_FIELD}"] == "x"
    assert parsed.status is EngagementStatus("{NEW_STATUS}")
    step = Step.from_dict({{"{NEW_STEP_FIELD}": "w"}})
    assert step.{NEW_STEP_FIELD} == "w" and step.extra == {{}}, step
    assert step.to_dict()["{NEW_STEP_FIELD}"] == "w"
    assert "{NEW_STEP_FIELD}" in Step.FIELDS

    flow = "FW" + "a" * 32
    mock = MockStudio({{flow: 30}}, seed=3)
    records = mock.engagements(flow)
    assert all("{NEW_FIELD}" in record for record in records)
    assert any(record["{NEW_FIELD}"] is not None for record in records)
    with mock.serve() as url:
        env = {{"TWILIO_ACCOUNT_SID": mock.account_sid, "TWILIO_AUTH_TOKEN": mock.auth_token}}
        runner = CliRunner()
        result = runner.invoke(main, ["list", flow, "--format", "csv", "--base-url", url], env=env)
        assert result.exit_code == 0, result.output
        header = next(csv.reader(io.StringIO(result.stdout)))
        assert "{NEW_FIELD}" in header, header
        chosen = ["list", flow, "--fields", "sid,{NEW_FIELD}", "--base-url", url, "--limit", "3"]
        result = runner.invoke(main, chosen, env=env)
        assert result.exit_code == 0, result.output
        rows = [json.loads(line) for line in result.stdout.splitlines()]
        assert [sorted(row) for row in rows] == [sorted(["sid", "{NEW_FIELD}"])] * 3, rows
        archived = ["archive", flow, "--steps", "--output", "a.sqlite", "--base-url", url]
        result = runner.invoke(main, archived, env=env)
        assert result.exit_code == 0, result.output
    steps = [step for record in records for step in mock.steps(flow, record["sid"])]
    assert steps and all("{NEW_STEP_FIELD}" in step for step in steps)
    with sqlite3.connect("a.sqlite") as archive:
        for table, name in (("engagements", "{NEW_FIELD}"), ("steps", "{NEW_STEP_FIELD}")):
            columns = {{row[1] for row in archive.execute(f"PRAGMA table_info({{table}})")}}
            assert name in columns, (table, columns)
            filled = f"SELECT count(*) FROM {{table}} WHERE {{name}} IS NOT NULL"
            assert archive.execute(filled).fetchone()[0] > 0, table
    print("spec change reached model, to_dict, mock, CLI and archive")
    """
)


def tree(folder: Path) -> dict[str, bytes]:
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts
    }


def add_to_spec(spec: Path) -> None:
    text = spec.read_text(encoding="utf-8")
    # The Engagement's links (each record describes its own).
    links = (
        "        links:\n          description: >-\n"
        "            URLs of related resources, such as `steps`"
    )
    assert text.count(links) == 1
    field = (
        f"        {NEW_FIELD}:\n"
        "          type:\n            - string\n            - 'null'\n"
        "          description: A label for the channel.\n"
        "          x-source: live-api\n"
    )
    enum = "      enum:\n        - active\n        - ended\n"
    assert text.count(enum) == 1
    text = text.replace(links, field + links).replace(enum, f"{enum}        - {NEW_STATUS}\n")
    step_links = (
        "        links:\n          description: >-\n"
        "            URLs of related resources, such as `step_context`"
    )
    assert text.count(step_links) == 1
    text = text.replace(step_links, field.replace(NEW_FIELD, NEW_STEP_FIELD) + step_links)
    spec.write_text(text, encoding="utf-8")


@pytest.mark.slow
def test_a_field_and_a_status_added_to_the_spec_reach_every_place(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    for name in COPIED:
        shutil.copytree(ROOT / name, repo / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, repo / name)
    overlays_before = tree(repo / "overlays")
    add_to_spec(repo / "openapi" / "studio_v1_engagements.yaml")

    generated = subprocess.run(
        [sys.executable, "scripts/generate.py"], cwd=repo, capture_output=True, text=True
    )
    assert generated.returncode == 0, generated.stdout + generated.stderr
    model = (repo / "generated" / "studio_engagements_api" / "models" / "engagement.py").read_text()
    assert f"{NEW_FIELD}: str | None = None" in model
    step_model = (repo / "generated" / "studio_engagements_api" / "models" / "step.py").read_text()
    assert f"{NEW_STEP_FIELD}: str | None = None" in step_model

    env_dir = tmp_path / "venv"
    venv.create(env_dir)  # no pip of its own: this process's pip installs into it
    python = env_dir / "bin" / "python"
    pip = [sys.executable, "-m", "pip", "--python", str(python)]
    install = subprocess.run(
        [*pip, "install", "-q", f"{repo}[mock,cli]"], capture_output=True, text=True
    )
    assert install.returncode == 0, install.stdout + install.stderr
    checked = subprocess.run(
        [str(python), "-c", CHECK], cwd=tmp_path, capture_output=True, text=True, timeout=300
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "reached model, to_dict, mock, CLI and archive" in checked.stdout
    assert tree(repo / "overlays") == overlays_before


def test_no_hand_typed_list_of_the_record_fields_is_left(spec: dict[str, Any]) -> None:
    """Field names live in the spec; the seed-facts table (tests/test_spec.py) guards the spec.

    A list, tuple, set or dict literal naming three or more of the record's fields is a copy of
    the schema that the drift check cannot see.
    """
    fields = set(spec["components"]["schemas"]["Engagement"]["properties"])
    allowed = {ROOT / "tests" / "test_spec.py", ROOT / "tests" / "test_spec_family.py"}
    copies: list[str] = []
    for folder in ("overlays", "scripts", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path in allowed:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                items = (
                    node.keys
                    if isinstance(node, ast.Dict)
                    else node.elts
                    if isinstance(node, ast.List | ast.Tuple | ast.Set)
                    else []
                )
                named = {
                    item.value
                    for item in items
                    if isinstance(item, ast.Constant) and item.value in fields
                }
                if len(named) >= 3:
                    copies.append(f"{path.relative_to(ROOT)}:{node.lineno} {sorted(named)}")
    assert copies == []
