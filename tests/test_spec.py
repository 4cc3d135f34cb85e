"""The OpenAPI document is valid and states every fact of the seed and of Twilio's contract."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from .spec_nodes import resolve
from .test_spec_family import FACTS as FAMILY_FACTS
from .test_spec_family import SOURCES as FAMILY_SOURCES

OPERATION = ("paths", "/v1/Flows/{FlowSid}/Engagements", "get")
ENGAGEMENT = ("components", "schemas", "Engagement", "properties")
META = ("components", "schemas", "PageMeta", "properties")
ERROR = ("components", "schemas", "TwilioError", "properties")
NULLABLE_STRING = ["string", "null"]


def param(name: str) -> tuple[Any, ...]:
    return (*OPERATION, "parameters", ("name", name))


# (where, expected value): one row per fact, so that losing one fails by name.
FACTS: list[tuple[tuple[Any, ...], Any]] = [
    (("openapi",), "3.1.0"),
    (("servers", 0, "url"), "https://studio.twilio.com"),
    ((*OPERATION, "operationId"), "ListEngagement"),
    ((*OPERATION, "summary"), "Retrieve a list of all Engagements for the Flow."),
    ((*OPERATION, "deprecated"), True),
    (("components", "securitySchemes", "accountSid_authToken", "type"), "http"),
    (("components", "securitySchemes", "accountSid_authToken", "scheme"), "basic"),
    (("security", 0), {"accountSid_authToken": []}),
    # FlowSid
    ((*param("FlowSid"), "in"), "path"),
    ((*param("FlowSid"), "required"), True),
    ((*param("FlowSid"), "schema", "type"), "string"),
    ((*param("FlowSid"), "schema", "minLength"), 34),
    ((*param("FlowSid"), "schema", "maxLength"), 34),
    ((*param("FlowSid"), "schema", "pattern"), "^FW[0-9a-fA-F]{32}$"),
    # PageSize
    ((*param("PageSize"), "in"), "query"),
    ((*param("PageSize"), "schema", "type"), "integer"),
    ((*param("PageSize"), "schema", "format"), "int64"),
    ((*param("PageSize"), "schema", "minimum"), 1),
    ((*param("PageSize"), "schema", "maximum"), 1000),
    ((*param("PageSize"), "schema", "default"), 50),
    # Page, PageToken
    ((*param("Page"), "in"), "query"),
    ((*param("Page"), "schema", "type"), "integer"),
    ((*param("Page"), "schema", "minimum"), 0),
    ((*param("PageToken"), "in"), "query"),
    ((*param("PageToken"), "schema", "type"), "string"),
    # the 200 response: CORS headers and body
    *[
        ((*OPERATION, "responses", "200", "headers", header, "schema", "type"), kind)
        for header, kind in [
            ("Access-Control-Allow-Origin", "string"),
            ("Access-Control-Allow-Methods", "string"),
            ("Access-Control-Allow-Headers", "string"),
            ("Access-Control-Allow-Credentials", "boolean"),
            ("Access-Control-Expose-Headers", "string"),
        ]
    ],
    (
        (*OPERATION, "responses", "200", "content", "application/json", "schema", "required"),
        ["engagements", "meta"],
    ),
    (
        ("components", "schemas", "ListEngagementResponse", "properties", "engagements", "items"),
        {"$ref": "#/components/schemas/Engagement"},
    ),
    # meta: paging needs next_page_url; Twilio's contract requires no key
    (("components", "schemas", "PageMeta", "required"), ["next_page_url"]),
    # null where the client accepts null: the contract allows it and the mock serves it
    ((*META, "first_page_url", "type"), NULLABLE_STRING),
    ((*META, "first_page_url", "format"), "uri"),
    ((*META, "key", "type"), NULLABLE_STRING),
    ((*META, "next_page_url", "type"), NULLABLE_STRING),
    ((*META, "next_page_url", "format"), "uri"),
    ((*META, "page", "type"), ["integer", "null"]),
    ((*META, "page_size", "type"), ["integer", "null"]),
    ((*META, "previous_page_url", "type"), NULLABLE_STRING),
    ((*META, "previous_page_url", "format"), "uri"),
    ((*META, "url", "type"), NULLABLE_STRING),
    ((*META, "url", "format"), "uri"),
    # Engagement
    *[
        row
        for field, prefix in [
            ("sid", "FN"),
            ("account_sid", "AC"),
            ("flow_sid", "FW"),
            ("contact_sid", "FC"),
        ]
        for row in [
            ((*ENGAGEMENT, field, "type"), NULLABLE_STRING),
            ((*ENGAGEMENT, field, "minLength"), 34),
            ((*ENGAGEMENT, field, "maxLength"), 34),
            ((*ENGAGEMENT, field, "pattern"), f"^{prefix}[0-9a-fA-F]{{32}}$"),
        ]
    ],
    ((*ENGAGEMENT, "contact_channel_address", "type"), NULLABLE_STRING),
    (
        (*ENGAGEMENT, "status", "anyOf"),
        [
            {"$ref": "#/components/schemas/EngagementStatus"},
            {"type": "string"},
            {"type": "null"},
        ],
    ),
    (("components", "schemas", "EngagementStatus", "enum"), ["active", "ended"]),
    ((*ENGAGEMENT, "date_created", "type"), NULLABLE_STRING),
    ((*ENGAGEMENT, "date_created", "format"), "date-time"),
    ((*ENGAGEMENT, "date_updated", "type"), NULLABLE_STRING),
    ((*ENGAGEMENT, "date_updated", "format"), "date-time"),
    ((*ENGAGEMENT, "url", "type"), NULLABLE_STRING),
    ((*ENGAGEMENT, "url", "format"), "uri"),
    (
        (*ENGAGEMENT, "links", "anyOf"),
        [{"$ref": "#/components/schemas/Links"}, {"type": "null"}],
    ),
    (
        # Twilio's uri-map leaves the values unconstrained: any JSON value (a URL if a string)
        ("components", "schemas", "Links", "additionalProperties"),
        {"format": "uri"},
    ),
    # errors as the live API sends them
    *[
        (
            (*OPERATION, "responses", status, "content", "application/json", "schema", "$ref"),
            "#/components/schemas/TwilioError",
        )
        for status in ["400", "401", "404", "405", "429", "default"]
    ],
    ((*ERROR, "code", "type"), "integer"),
    ((*ERROR, "message", "type"), "string"),
    ((*ERROR, "more_info", "type"), "string"),
    ((*ERROR, "status", "type"), "integer"),
    ((*OPERATION, "responses", "429", "headers", "Retry-After", "schema", "type"), "string"),
    ((*OPERATION, "responses", "405", "headers", "Allow", "schema", "type"), "string"),
]


# Where each documented element comes from: Twilio's published reference ("seed") or what the
# live service does beyond it ("live-api"). Kept in `x-source`, out of user-facing text.
SOURCES: list[tuple[tuple[Any, ...], str]] = [
    (("info",), "seed"),
    (("servers", 0), "seed"),
    (OPERATION, "seed"),
    *[(param(name), "seed") for name in ("FlowSid", "PageSize", "Page", "PageToken")],
    ((*OPERATION, "responses", "200"), "seed"),
    *[
        (("components", "schemas", name), "seed")
        for name in ("ListEngagementResponse", "PageMeta", "Engagement")
    ],
    *[
        ((*ENGAGEMENT, field), "seed")
        for field in (
            "sid",
            "account_sid",
            "flow_sid",
            "contact_sid",
            "contact_channel_address",
            "context",
            "status",
            "date_created",
            "date_updated",
            "url",
        )
    ],
    ((*ENGAGEMENT, "links"), "live-api"),
    (("components", "schemas", "Links"), "live-api"),
    (("components", "schemas", "TwilioError"), "live-api"),
    (("components", "securitySchemes", "accountSid_authToken"), "live-api"),
    *[
        (("components", "responses", name), "live-api")
        for name in (
            "BadRequest",
            "Unauthorized",
            "NotFound",
            "MethodNotAllowed",
            "TooManyRequests",
            "ServerError",
        )
    ],
]


@pytest.mark.parametrize(
    ("where", "source"),
    SOURCES + FAMILY_SOURCES,
    ids=lambda v: "/".join(map(str, v)) if isinstance(v, tuple) else v,
)
def test_provenance_is_recorded(spec: dict[str, Any], where: tuple[Any, ...], source: str) -> None:
    assert resolve(spec, where)["x-source"] == source


def test_descriptions_are_free_of_provenance_tags(spec: dict[str, Any]) -> None:
    """Descriptions end up in docstrings users read: provenance lives in x-source only."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            text = node.get("description")
            if isinstance(text, str) and any(
                tag in text.lower() for tag in ("(seed", "seed:", "live api")
            ):
                found.append(text)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec)
    assert found == []


def test_tags_used_are_declared(spec: dict[str, Any]) -> None:
    declared = {tag["name"] for tag in spec["tags"]}
    used = {tag for item in spec["paths"].values() for op in item.values() for tag in op["tags"]}
    assert used <= declared
    assert spec["info"]["contact"]


def test_method_not_allowed_does_not_claim_get_only(spec: dict[str, Any]) -> None:
    text = spec["components"]["responses"]["MethodNotAllowed"]["description"]
    assert "Only GET is allowed" not in text
    assert "POST" in text


def test_document_is_valid_openapi(spec: dict[str, Any]) -> None:
    validate(spec)


@pytest.mark.parametrize(
    ("where", "expected"),
    FACTS + FAMILY_FACTS,
    ids=lambda v: "/".join(map(str, v)) if isinstance(v, tuple) else None,
)
def test_fact_is_stated(spec: dict[str, Any], where: tuple[Any, ...], expected: Any) -> None:
    assert resolve(spec, where) == expected


def test_the_short_view_is_twilio_clis_default_columns(spec: dict[str, Any]) -> None:
    """twilio-cli's defaultOutputProperties for Engagements: the fields marked x-summary."""
    properties = resolve(spec, ENGAGEMENT)
    marked = [name for name, schema in properties.items() if schema.get("x-summary")]
    assert marked == ["sid", "contact_sid", "status", "date_created"]


def test_engagement_context_accepts_any_json(spec: dict[str, Any]) -> None:
    context = resolve(spec, (*ENGAGEMENT, "context"))
    assert not {"type", "enum", "const", "anyOf", "oneOf", "$ref"} & context.keys()


def test_deprecation_names_the_successor(spec: dict[str, Any]) -> None:
    assert "Executions" in resolve(spec, (*OPERATION, "description"))


def test_seed_example_is_the_200_example(spec: dict[str, Any]) -> None:
    example = resolve(
        spec, (*OPERATION, "responses", "200", "content", "application/json", "example")
    )
    assert example["engagements"] == []
    assert example["meta"]["key"] == "engagements"
    assert example["meta"]["next_page_url"] is None
