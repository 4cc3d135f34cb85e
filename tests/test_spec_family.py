"""The rest of the Engagement family in the OpenAPI document: Twilio's contract, fact by fact.

``FACTS`` and ``SOURCES`` are checked row by row with the seed's, by ``test_spec``.
"""

from __future__ import annotations

from typing import Any

import pytest

from .spec_nodes import follow, resolve

SCHEMA = ("components", "schemas")
# Every operation: (operationId, path, path parameters in order, the 200 body's schema).
OPERATIONS = [
    ("ListFlow", "/v1/Flows", [], "ListFlowResponse"),
    ("ListEngagement", "/v1/Flows/{FlowSid}/Engagements", ["FlowSid"], "ListEngagementResponse"),
    ("FetchEngagement", "/v1/Flows/{FlowSid}/Engagements/{Sid}", ["FlowSid", "Sid"], "Engagement"),
    (
        "FetchEngagementContext",
        "/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Context",
        ["FlowSid", "EngagementSid"],
        "EngagementContext",
    ),
    (
        "ListStep",
        "/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps",
        ["FlowSid", "EngagementSid"],
        "ListStepResponse",
    ),
    (
        "FetchStep",
        "/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps/{Sid}",
        ["FlowSid", "EngagementSid", "Sid"],
        "Step",
    ),
    (
        "FetchStepContext",
        "/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps/{StepSid}/Context",
        ["FlowSid", "EngagementSid", "StepSid"],
        "StepContext",
    ),
]
# The pattern of each SID prefix (path parameters and record fields alike).
SID_PREFIX = {"FlowSid": "FW", "EngagementSid": "FN", "StepSid": "FT"}
# (schema, field, SID prefix or None for a nullable string) of the contract's records.
RECORD_FIELDS = [
    *[
        ("Flow", field, prefix)
        for field, prefix in [("sid", "FW"), ("account_sid", "AC"), ("friendly_name", None)]
    ],
    *[
        ("Step", field, prefix)
        for field, prefix in [
            ("sid", "FT"),
            ("account_sid", "AC"),
            ("flow_sid", "FW"),
            ("engagement_sid", "FN"),
            ("name", None),
            ("parent_step_sid", "FT"),
            ("transitioned_from", None),
            ("transitioned_to", None),
            ("type", None),
        ]
    ],
    *[
        ("EngagementContext", field, prefix)
        for field, prefix in [("account_sid", "AC"), ("engagement_sid", "FN"), ("flow_sid", "FW")]
    ],
    *[
        ("StepContext", field, prefix)
        for field, prefix in [
            ("account_sid", "AC"),
            ("engagement_sid", "FN"),
            ("flow_sid", "FW"),
            ("step_sid", "FT"),
        ]
    ],
]
NULLABLE_STRING = ["string", "null"]

# (where, expected value): one row per fact, so that losing one fails by name.
FACTS: list[tuple[tuple[Any, ...], Any]] = [
    # the rest of the family, from Twilio's contract
    *[
        row
        for operation_id, path, _, body in OPERATIONS
        for row in [
            (("paths", path, "get", "operationId"), operation_id),
            (
                ("paths", path, "get", "responses", "200", "content", "application/json", "schema"),
                {"$ref": f"#/components/schemas/{body}"},
            ),
        ]
    ],
    *[
        row
        for schema, field, prefix in RECORD_FIELDS
        for row in [
            ((*SCHEMA, schema, "properties", field, "type"), NULLABLE_STRING),
            *(
                []
                if prefix is None
                else [
                    ((*SCHEMA, schema, "properties", field, "minLength"), 34),
                    ((*SCHEMA, schema, "properties", field, "maxLength"), 34),
                    (
                        (*SCHEMA, schema, "properties", field, "pattern"),
                        f"^{prefix}[0-9a-fA-F]{{32}}$",
                    ),
                ]
            ),
        ]
    ],
    (
        (*SCHEMA, "Flow", "properties", "status", "anyOf"),
        [{"$ref": "#/components/schemas/FlowStatus"}, {"type": "string"}, {"type": "null"}],
    ),
    ((*SCHEMA, "FlowStatus", "enum"), ["draft", "published"]),
    ((*SCHEMA, "Flow", "properties", "version", "type"), ["integer", "null"]),
    ((*SCHEMA, "ListFlowResponse", "required"), ["flows", "meta"]),
    ((*SCHEMA, "ListStepResponse", "required"), ["steps", "meta"]),
    *[
        ((*SCHEMA, page, "properties", "meta"), {"$ref": "#/components/schemas/PageMeta"})
        for page in ("ListFlowResponse", "ListEngagementResponse", "ListStepResponse")
    ],
]

# Facts taken from Twilio's published contract carry `x-source: twilio-oai`.
SOURCES: list[tuple[tuple[Any, ...], str]] = [
    *[
        (("paths", path, "get"), "twilio-oai")
        for operation_id, path, _, _ in OPERATIONS
        if operation_id != "ListEngagement"
    ],
    *[
        (("components", "parameters", name), "twilio-oai")
        for name in ("EngagementSid", "EngagementSidAsSid", "StepSid", "StepSidAsSid")
    ],
    *[
        ((*SCHEMA, name), "twilio-oai")
        for name in (
            "ListFlowResponse",
            "Flow",
            "FlowStatus",
            "EngagementContext",
            "ListStepResponse",
            "Step",
            "StepContext",
        )
    ],
    *[((*SCHEMA, schema, "properties", field), "twilio-oai") for schema, field, _ in RECORD_FIELDS],
    *[
        ((*SCHEMA, schema, "properties", field), "twilio-oai")
        for schema, fields in [
            ("Flow", ("status", "version", "date_created", "date_updated", "url", "links")),
            ("Step", ("context", "date_created", "date_updated", "url", "links")),
            ("EngagementContext", ("context", "url")),
            ("StepContext", ("context", "url")),
        ]
        for field in fields
    ],
]


@pytest.mark.parametrize(
    ("operation_id", "path", "path_parameters"),
    [row[:3] for row in OPERATIONS],
    ids=[row[0] for row in OPERATIONS],
)
def test_path_parameters_are_the_contracts(
    spec: dict[str, Any], operation_id: str, path: str, path_parameters: list[str]
) -> None:
    """Each path parameter once, required, with the pattern of the SID it names."""
    found = [follow(spec, p) for p in spec["paths"][path]["get"]["parameters"]]
    in_path = [p for p in found if p["in"] == "path"]
    assert [p["name"] for p in in_path] == path_parameters
    for parameter in in_path:
        assert parameter["required"] is True
        expected = SID_PREFIX.get(parameter["name"]) or {"FetchEngagement": "FN"}.get(
            operation_id, "FT"
        )
        assert parameter["schema"]["pattern"] == f"^{expected}[0-9a-fA-F]{{32}}$"
        assert parameter["schema"]["minLength"] == parameter["schema"]["maxLength"] == 34
    lists = operation_id.startswith("List")
    assert [p["name"] for p in found if p["in"] == "query"] == (
        ["PageSize", "Page", "PageToken"] if lists else []
    )


def test_parameters_are_written_once(spec: dict[str, Any]) -> None:
    """Every operation refers to components/parameters: no parameter is spelled inline."""
    for item in spec["paths"].values():
        for parameter in item["get"]["parameters"]:
            assert set(parameter) == {"$ref"}
            assert parameter["$ref"].startswith("#/components/parameters/")


def test_examples_validate_against_their_schemas(spec: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator
    from referencing import Registry, Resource

    registry = Registry().with_resource("urn:spec", Resource.opaque(spec))

    def validator(name: str) -> Draft202012Validator:
        return Draft202012Validator(
            {"$ref": f"urn:spec#/components/schemas/{name}"},
            registry=registry,
            format_checker=Draft202012Validator.FORMAT_CHECKER,
        )

    for name in ("Engagement", "Flow", "Step", "EngagementContext", "StepContext"):
        validator(name).validate(spec["components"]["schemas"][name]["example"])
    for _, path, _, body in OPERATIONS:
        page = resolve(spec, ("paths", path, "get", "responses", "200", "content"))
        if "example" in page["application/json"]:
            validator(body).validate(page["application/json"]["example"])
