"""The mock's data: every served body conforms to the spec; same seed, same data; varied values."""

from __future__ import annotations

import collections
import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from studio_engagements.testing import MockStudio

from .helpers import FLOW, OTHER, client, validator, walk

LIST = "ListEngagement"  # the list whose records most tests here look at
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ")


def test_every_served_body_validates_against_the_response_schema(spec: dict[str, Any]) -> None:
    mock = MockStudio({FLOW: 230, OTHER: 0}, seed=3)
    page_schema = validator(spec, "ListEngagementResponse")
    with client(mock) as http:
        pages = [*walk(http, FLOW, PageSize=37), *walk(http, OTHER)]
    assert len(pages) == 8  # ceil(230 / 37) + the empty flow's one page
    for body in pages:
        page_schema.validate(body)


def test_default_flows_validate_and_include_the_spec_example(spec: dict[str, Any]) -> None:
    mock = MockStudio()
    example = spec["components"]["parameters"]["FlowSid"]["example"]
    assert example in mock.flows
    assert len(mock.flows) >= 3
    assert 0 in mock.flows.values()  # an existing flow without engagements
    page_schema = validator(spec, "ListEngagementResponse")
    with client(mock) as http:
        for flow_sid in mock.flows:
            page_schema.validate(next(walk(http, flow_sid)))


def record_schema_name(spec: dict[str, Any]) -> str:
    """The record schema's name, found from the list operation's 200 body (``Engagement``)."""
    (operation,) = [
        item["get"] for item in spec["paths"].values() if item["get"]["operationId"] == LIST
    ]
    page_ref = operation["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    page = spec["components"]["schemas"][page_ref.rsplit("/", 1)[1]]
    (items,) = [p["items"] for p in page["properties"].values() if p.get("type") == "array"]
    return str(items["$ref"]).rsplit("/", 1)[1]


def record_properties(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The record schema's properties, in schema order."""
    properties: dict[str, dict[str, Any]] = spec["components"]["schemas"][record_schema_name(spec)][
        "properties"
    ]
    return properties


def resolved(spec: dict[str, Any], node: dict[str, Any]) -> dict[str, Any]:
    while "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[1]]
    return node


def nullable(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    return (isinstance(kind, list) and "null" in kind) or any(
        resolved(spec, b).get("type") == "null" for b in schema.get("anyOf", [])
    )


def property_validators(spec: dict[str, Any], schema: str) -> dict[str, Any]:
    """A validator per property of one of the spec's schemas, in schema order."""
    names = spec["components"]["schemas"][schema]["properties"]
    return {name: validator(spec, f"{schema}/properties/{name}") for name in names}


def example_shape(example: str) -> re.Pattern[str]:
    """Values in the shape of a documented example: its digits varied, ``name`` any name."""
    parts = re.split(r"(\d+|\bname\b)", example)
    return re.compile(
        "".join(
            r"\d+" if part.isdigit() else "[a-z]+" if part == "name" else re.escape(part)
            for part in parts
        )
    )


def test_records_are_varied_as_the_schema_allows(spec: dict[str, Any]) -> None:
    mock = MockStudio({FLOW: 400}, seed=0)
    records = mock.engagements(FLOW)
    engagement = validator(spec, record_schema_name(spec))
    properties = record_properties(spec)
    origin = spec["servers"][0]["url"]
    for record in records:
        engagement.validate(record)
    columns = {name: [r[name] for r in records] for name in properties}
    # SIDs the request identifies: the flow served and the account the mock authenticates.
    bound = {
        name
        for name, values in columns.items()
        for sid in (FLOW, mock.account_sid)
        if all(value == sid for value in values)
    }
    assert {columns[name][0] for name in bound} == {FLOW, mock.account_sid}
    dates = [n for n, p in properties.items() if p.get("format") == "date-time"]
    uris = [n for n, p in properties.items() if p.get("format") == "uri"]
    created, own_url = dates[0], uris[0]
    for record in records:
        assert ISO_UTC.fullmatch(record[created])
        for later in dates[1:]:
            assert record[later] is None or record[later] >= record[created]
        assert record[own_url].startswith(f"{origin}/v1/Flows/{FLOW}/Engagements/")
    # The record's own SID is the one its URL ends with: unique, never null.
    (own_sid,) = [
        n for n in properties if all(r[own_url].endswith(f"/{r[n]}") for r in records[:20])
    ]
    assert len(set(columns[own_sid])) == len(records)
    # The clock sets the first update time: never null.
    never_null = {*bound, own_sid, created, own_url, dates[1]}
    for name, schema in properties.items():
        values = columns[name]
        assert any(v is not None for v in values), name
        if nullable(spec, schema) and name not in never_null:
            assert None in values, name
        elif name in never_null:
            assert None not in values, name
        branches = [schema, *(resolved(spec, b) for b in schema.get("anyOf", []))]
        if any("enum" in branch for branch in branches):
            (enum,) = [branch["enum"] for branch in branches if "enum" in branch]
            assert set(values) - {None} == set(enum), name
        if any("additionalProperties" in branch for branch in branches):
            assert any(values), name  # some non-empty maps of URLs
            for record in records:
                for url in (record[name] or {}).values():
                    assert url.startswith(record[own_url] + "/")
    untyped = [n for n, p in properties.items() if not {"type", "anyOf", "enum"} & set(p)]
    for name in untyped:
        shapes = collections.Counter(map(json_shape, columns[name]))
        assert len(shapes) >= 4, name


def json_shape(value: Any) -> str:
    """A JSON value's type and keys, with those of a ``trigger`` (Studio's message/call/request)."""
    if not isinstance(value, dict) or not value:
        return type(value).__name__
    return str(sorted(value)) + json_shape(value.get("trigger"))


def test_any_json_examples_are_what_the_records_hold(spec: dict[str, Any]) -> None:
    """Untyped properties with documented examples (Studio's ``context``) hold those examples,
    their strings varied and their shape kept; every example is used."""
    records = MockStudio({FLOW: 300}, seed=2).engagements(FLOW)
    documented = {
        name: p["examples"]
        for name, p in record_properties(spec).items()
        if "examples" in p and not {"type", "anyOf", "enum"} & set(p)
    }
    assert documented
    for name, examples in documented.items():
        values = [json.dumps(r[name], sort_keys=True) for r in records]
        skeletons = {re.sub(r"\d", "0", json.dumps(e, sort_keys=True)) for e in examples}
        assert {re.sub(r"\d", "0", v) for v in values} == skeletons, name
        assert len(set(values)) > 20, name  # varied, not the examples verbatim


def test_every_documented_example_shape_occurs(spec: dict[str, Any]) -> None:
    records = MockStudio({FLOW: 300}, seed=2).engagements(FLOW)
    documented = {
        n: p["examples"]
        for n, p in record_properties(spec).items()
        if all(isinstance(e, str) for e in p.get("examples", [None]))
    }
    assert documented
    for name, examples in documented.items():
        values = [r[name] for r in records if r[name] is not None]
        shapes = [example_shape(example) for example in examples]
        for shape in shapes:
            assert any(shape.fullmatch(v) for v in values), (name, shape.pattern)
        assert all(any(shape.fullmatch(v) for shape in shapes) for v in values), name
        assert len(set(values) - set(examples)) > 20  # varied, not the examples verbatim


def modified_spec(
    spec: dict[str, Any], tmp_path: Path, schema: str | None = None, **added: dict[str, Any]
) -> Path:
    """The spec with ``added`` properties on ``schema`` (the list's records), in a file."""
    changed = copy.deepcopy(spec)
    changed["components"]["schemas"][schema or record_schema_name(spec)]["properties"].update(added)
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    return path


NEW_STRING = {"type": ["string", "null"], "description": "A field the API added later."}
NEW_SID = {
    "type": ["string", "null"],
    "minLength": 34,
    "maxLength": 34,
    "pattern": "^XY[0-9a-fA-F]{32}$",
    "description": "The SID of something the API added later.",
}


def test_properties_added_to_the_spec_appear_in_every_served_record(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    path = modified_spec(spec, tmp_path, later_note=NEW_STRING, later_sid=NEW_SID)
    changed: dict[str, Any] = yaml.safe_load(path.read_text(encoding="utf-8"))
    mock = MockStudio({FLOW: 300}, seed=4, spec_path=path)
    page_schema = validator(changed, "ListEngagementResponse")
    validators = property_validators(changed, record_schema_name(changed))
    with client(mock) as http:
        pages = list(walk(http, FLOW, PageSize=100))
    records = [record for body in pages for record in body["engagements"]]
    assert len(records) == 300
    for body in pages:
        page_schema.validate(body)
    for record in records:
        assert list(record) == list(validators)
        for name in ("later_note", "later_sid"):
            validators[name].validate(record[name])
    for name in ("later_note", "later_sid"):
        values = [r[name] for r in records]
        assert None in values, name
        present = [v for v in values if v is not None]
        assert len(set(present)) == len(present) > 200, name
    assert all(v.startswith("XY") for v in (r["later_sid"] for r in records) if v)
    # The properties the spec had keep their values: adding one changes no other.
    before = MockStudio({FLOW: 300}, seed=4).engagements(FLOW)
    assert [{k: r[k] for k in before[0]} for r in records] == before


@pytest.mark.parametrize(
    "pattern", ["^XY[0-9a-f]+$", "^(XY|XZ)[0-9a-f]{32}$", "^XY[^0-9]{32}$", "^XY\\d{32}$"]
)
def test_a_pattern_the_mock_cannot_generate_from_is_refused_at_construction(
    spec: dict[str, Any], tmp_path: Path, pattern: str
) -> None:
    path = modified_spec(spec, tmp_path, later_sid={**NEW_SID, "pattern": pattern})
    with pytest.raises(ValueError, match=r"property 'later_sid'.*pattern") as refused:
        MockStudio({FLOW: 1}, spec_path=path)
    assert pattern in str(refused.value)


def test_a_ref_cycle_in_the_record_schema_is_refused_at_construction(
    spec: dict[str, Any], tmp_path: Path
) -> None:
    path = modified_spec(spec, tmp_path, later_loop={"$ref": "#/components/schemas/Loop"})
    changed = yaml.safe_load(path.read_text(encoding="utf-8"))
    changed["components"]["schemas"]["Loop"] = {"$ref": "#/components/schemas/Loop"}
    path.write_text(yaml.safe_dump(changed, sort_keys=False), encoding="utf-8")
    with pytest.raises(ValueError, match=r"a \$ref cycle"):
        MockStudio({FLOW: 1}, spec_path=path)
