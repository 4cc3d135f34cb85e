"""Reading the OpenAPI document: the operation (route, rules, headers, record schema) and schemas.

:class:`SchemaReader` is the one ``$ref`` resolver (with a cycle guard); the operation's pieces
and the record compiler's questions (branches, nulls, types) all go through it.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import yaml

from studio_engagements._rules import ParameterRule, rules_from_parameters

OPERATION_ID = "ListEngagement"
PACKAGED_SPEC = "openapi/studio_v1_engagements.yaml"
MAX_REF_HOPS = 32  # more $refs in a row than any spec needs: a cycle


class UnsupportedSchemaError(ValueError):
    """The spec has a schema the mock cannot make values for (or a ``$ref`` cycle)."""


@attrs.frozen
class SchemaReader:
    """Answers questions about the schemas of one OpenAPI ``document``."""

    document: Mapping[str, Any] = attrs.field(repr=False)

    def resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        """Follow local ``$ref``s (``#/components/...``) until a plain object."""
        for _ in range(MAX_REF_HOPS):
            if "$ref" not in node:
                return dict(node)
            target: Any = self.document
            for key in str(node["$ref"]).removeprefix("#/").split("/"):
                target = target[key]
            node = target
        raise UnsupportedSchemaError(f"a $ref cycle (more than {MAX_REF_HOPS} in a row)")

    def branches(self, schema: Mapping[str, Any]) -> list[dict[str, Any]]:
        """The ``anyOf`` and ``oneOf`` branches of ``schema``, resolved."""
        return [self.resolve(b) for b in (*schema.get("anyOf", ()), *schema.get("oneOf", ()))]

    def nullable(self, schema: Mapping[str, Any]) -> bool:
        """Whether ``schema`` allows null (``type: [X, 'null']`` or a ``null`` branch)."""
        kind = schema.get("type")
        if kind == "null" or (isinstance(kind, list) and "null" in kind):
            return True
        return any(self.nullable(branch) for branch in self.branches(schema))

    def kind(self, schema: Mapping[str, Any]) -> str | None:
        """The one non-null type ``schema`` allows, ``null`` if only null, None if any JSON."""
        kind = schema.get("type")
        if isinstance(kind, list):
            kinds = [k for k in kind if k != "null"]
            if len(kinds) > 1:
                raise UnsupportedSchemaError(f"several types {kinds}")
            return kinds[0] if kinds else "null"
        if kind is not None:
            return str(kind)
        branches = self.branches(schema)
        if branches and all(b.get("type") == "null" for b in branches):
            return "null"
        return self.kind(self.non_null_branch(schema)) if branches else None

    def non_null_branch(self, schema: Mapping[str, Any]) -> dict[str, Any]:
        """The first ``anyOf``/``oneOf`` branch that is not ``type: null`` (``{}`` if none)."""
        for branch in self.branches(schema):
            if branch.get("type") != "null":
                return branch
        return {}


@attrs.frozen
class OperationSpec:
    """The List Engagements operation as one spec document states it."""

    path: str
    """The route template, e.g. ``/v1/Flows/{FlowSid}/Engagements``."""
    rules: Mapping[str, ParameterRule]
    """Every parameter's rule, keyed by its API name (path and query alike)."""
    list_key: str
    """The page's array property, which ``meta.key`` names too (``engagements``)."""
    cors_headers: Mapping[str, str]
    """The 200 response's documented headers, with their schema type."""
    canonical_origin: str
    """The first server URL: where engagement ``url``s point, as on the live API."""
    example_flow_sid: str | None
    """The path parameter's ``example``, seeded by default so examples hit real data."""
    default_page_size: int
    """``PageSize``'s default (else its maximum): the page size when a request names none."""
    record_schema: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    """The schema of the list's items (``$ref: Engagement``), as the spec writes it."""
    document: Mapping[str, Any] = attrs.field(eq=False, repr=False)
    """The whole parsed document, for following the record schema's ``$ref``s."""
    _route: re.Pattern[str] = attrs.field(init=False)

    @_route.default
    def _compile_route(self) -> re.Pattern[str]:
        parts = re.split(r"\{([^}]+)\}", self.path)
        # split() alternates literal text and parameter names: even indexes are literals.
        pattern = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]*)" for i, part in enumerate(parts)
        )
        return re.compile(pattern)

    def match(self, path: str) -> dict[str, str] | None:
        """The path parameters if ``path`` is this operation's route, else None."""
        found = self._route.fullmatch(path)
        return None if found is None else found.groupdict()

    def query_rules(self) -> list[ParameterRule]:
        """Query parameter rules in the spec's order (the order they are checked)."""
        return [rule for rule in self.rules.values() if rule.location == "query"]

    def path_rules(self) -> list[ParameterRule]:
        """Path parameter rules in the spec's order."""
        return [rule for rule in self.rules.values() if rule.location == "path"]

    @property
    def flow_sid_pattern(self) -> str | None:
        """The pattern of the route's one path parameter (``^FW[0-9a-fA-F]{32}$``)."""
        (flow_rule,) = self.path_rules()
        return flow_rule.pattern


def load(spec_path: str | Path | None = None) -> OperationSpec:
    """Read the operation from ``spec_path``, or from the spec packaged with the client."""
    if spec_path is None:
        text = resources.files("studio_engagements").joinpath(PACKAGED_SPEC).read_text("utf-8")
    else:
        text = Path(spec_path).read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return from_document(document)


def from_document(document: Mapping[str, Any]) -> OperationSpec:
    """The operation named ``ListEngagement`` in a parsed OpenAPI document."""
    for path, item in document["paths"].items():
        for method, operation in item.items():
            if isinstance(operation, dict) and operation.get("operationId") == OPERATION_ID:
                if method != "get":
                    raise ValueError(f"{OPERATION_ID} must be a GET, not {method.upper()}")
                return _operation(document, path, operation)
    raise ValueError(f"the spec has no operation {OPERATION_ID!r}")


def _operation(
    document: Mapping[str, Any], path: str, operation: Mapping[str, Any]
) -> OperationSpec:
    resolve = SchemaReader(document).resolve
    parameters = [resolve(p) for p in operation.get("parameters", [])]
    ok = resolve(operation["responses"]["200"])
    body = resolve(ok["content"]["application/json"]["schema"])
    (list_key,) = [
        name for name, prop in body["properties"].items() if resolve(prop).get("type") == "array"
    ]
    record_schema = resolve(body["properties"][list_key])["items"]
    headers = {
        name: str(resolve(header).get("schema", {}).get("type", "string"))
        for name, header in ok.get("headers", {}).items()
    }
    path_examples = [p.get("example") for p in parameters if p["in"] == "path"]
    rules = rules_from_parameters(parameters)
    page_size = rules["PageSize"].default or rules["PageSize"].maximum
    if not isinstance(page_size, int):
        raise ValueError("PageSize needs a default or a maximum in the spec")
    return OperationSpec(
        path=path,
        rules=rules,
        list_key=list_key,
        cors_headers=headers,
        canonical_origin=str(document["servers"][0]["url"]).rstrip("/"),
        example_flow_sid=path_examples[0] if path_examples else None,
        default_page_size=page_size,
        record_schema=record_schema,
        document=document,
    )
