"""Records of every schema of the family (Flow, Engagement, Step and the contexts): exactly the
schema's properties, each valid; a property added to one appears in its records."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from studio_engagements.testing import MockStudio

from .helpers import FLOW, OTHER, validator

NOTE = {"type": ["string", "null"], "description": "A field the API added later."}
SID = {"type": ["string", "null"], "pattern": "^XY[0-9a-fA-F]{32}$", "description": "Another."}


def property_validators(spec: dict[str, Any], schema: str) -> dict[str, Any]:
    """A validator per property of one of the spec's schemas, in schema order."""
    names = spec["components"]["schemas"][schema]["properties"]
    return {name: validator(spec, f"{schema}/properties/{name}") for name in names}


def records_of(mock: MockStudio, schema: str, flow: str) -> list[dict[str, Any]]:
    """Every record of schema ``schema`` the mock serves for ``flow`` (or every flow)."""
    engagements = mock.engagements(flow)
    steps = [(e["sid"], s) for e in engagements for s in mock.steps(flow, e["sid"])]
    kinds: dict[str, Callable[[], list[dict[str, Any]]]] = {
        "Flow": mock.flow_records,
        "Engagement": lambda: engagements,
        "EngagementContext": lambda: [mock.engagement_context(flow, e["sid"]) for e in engagements],
        "Step": lambda: [step for _, step in steps],
        "StepContext": lambda: [mock.step_context(flow, e, step["sid"]) for e, step in steps],
    }
    return kinds[schema]()


@pytest.mark.parametrize(
    "schema", ["Flow", "Engagement", "EngagementContext", "Step", "StepContext"]
)
@pytest.mark.parametrize(("seed", "flows"), [(0, {FLOW: 150}), (7, {FLOW: 40, OTHER: 90})])
def test_every_record_has_exactly_the_schema_properties_each_valid(
    spec: dict[str, Any], seed: int, flows: dict[str, int], schema: str
) -> None:
    mock = MockStudio(flows, seed=seed)
    validators = property_validators(spec, schema)
    for flow_sid in flows:
        records = records_of(mock, schema, flow_sid)
        assert records
        for record in records:
            assert list(record) == list(validators)  # every property, in schema order
            for name, value in record.items():
                validators[name].validate(value)


def test_properties_added_to_another_schema_appear_in_its_records(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    changed = copy.deepcopy(spec)
    changed["components"]["schemas"]["Step"]["properties"].update(later_note=NOTE, later_sid=SID)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    validators = property_validators(changed, "Step")
    steps = records_of(MockStudio({FLOW: 40}, seed=4, spec_path=path), "Step", FLOW)
    assert len(steps) > 100
    for step in steps:
        assert list(step) == list(validators)
        for name, value in step.items():
            validators[name].validate(value)
    assert len({s["later_sid"] for s in steps} - {None}) > 80
    before = records_of(MockStudio({FLOW: 40}, seed=4), "Step", FLOW)
    assert [{k: s[k] for k in before[0]} for s in steps] == before
