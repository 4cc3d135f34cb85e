"""A property whose attribute name is not its JSON name (a keyword, a builtin's name, a name that
is not an identifier) is decoded by msgspec by its JSON name, as ``type`` (``Step.type_``) is.

The spec is given such properties, among them a model and a list of models, in a copy of the
repository; the package generated there decodes a page with from_dict refused.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import yaml

from .test_generation import copy_repo

# Run against the package generated in the copy: every value as from_dict reads it, the models'
# JSON as sent found by JSON names, to_dict giving the JSON names back, a wrong type refused.
READ_A_PAGE = """
import json
import sys

from studio_engagements_api import types
from studio_engagements_api.models.list_step_response import ListStepResponse
from studio_engagements_api.models.step import Step
from studio_engagements_api.models.step_context import StepContext

assert types.__file__.startswith(sys.argv[1]), types.__file__
step = {"sid": "FT" + "a" * 32, "type": "say-play", "class": "widget", "widget-name": "say_1",
        "from": {"account_sid": "AC" + "b" * 32, "context": {"x": 1}}, "brand_new": 1}
other = {**step, "class": None, "from": None, "widget-name": "split_1"}
META = {"next_page_url": None}
content = json.dumps({"steps": [step], "more-steps": [other, step], "meta": META}).encode()

readers = {model: vars(model)["from_dict"] for model in (Step, StepContext, ListStepResponse)}
for model in readers:
    model.from_dict = classmethod(lambda cls, _: sys.exit(f"{cls.__name__}.from_dict ran"))
page = ListStepResponse.from_json(content)
for model, reader in readers.items():
    model.from_dict = reader

assert page == ListStepResponse.from_dict(json.loads(content))
(first,) = page.steps
assert (first.type_, first.class_, first.widget_name) == ("say-play", "widget", "say_1")
assert type(first.from_) is StepContext and first.from_.context == {"x": 1}
assert first.extra == {"brand_new": 1}
assert first.from_.sent_json() == json.dumps(step["from"]).encode()
assert [s.sent_json() for s in page.more_steps] == [json.dumps(s).encode() for s in (other, step)]
dumped = [s.to_dict() for s in page.more_steps]
assert [(d["type"], d["class"], d["widget-name"], d["brand_new"]) for d in dumped] == [
    ("say-play", None, "split_1", 1), ("say-play", "widget", "say_1", 1)]
assert dumped[0]["from"] is None and dumped[1]["from"]["context"] == {"x": 1}
assert not {"type_", "class_", "widget_name", "from_"} & set(dumped[0])
try:
    ListStepResponse.from_json(content.replace(b'"say_1"', b"7"))
except types.ParseError as exc:
    assert "'widget-name' must be a string or null" in str(exc), exc
else:
    sys.exit("a wrong type was read")
"""


def renamed_properties(spec_path: Path) -> None:
    """Give Step a keyword, a name with a dash and a model, and the page a list of steps."""
    spec = yaml.safe_load(spec_path.read_text(encoding="utf-8"))
    schemas = spec["components"]["schemas"]
    schemas["Step"]["properties"].update(
        {
            "class": {"type": ["string", "null"]},
            "widget-name": {"type": ["string", "null"]},
            "from": {"$ref": "#/components/schemas/StepContext"},
        }
    )
    schemas["ListStepResponse"]["properties"]["more-steps"] = {
        "type": "array",
        "items": {"$ref": "#/components/schemas/Step"},
    }
    spec_path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")


def test_renamed_properties_are_decoded_by_msgspec(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    renamed_properties(repo / "openapi" / "studio_v1_engagements.yaml")
    generate = [sys.executable, str(repo / "scripts" / "generate.py")]
    generated = subprocess.run(generate, cwd=repo, capture_output=True, text=True, timeout=300)
    assert generated.returncode == 0, generated.stderr
    package = repo / "generated"
    read = subprocess.run(
        [sys.executable, "-c", READ_A_PAGE, str(package)],
        env={**os.environ, "PYTHONPATH": str(package)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert read.returncode == 0, read.stdout + read.stderr
