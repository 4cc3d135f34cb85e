"""Reading the OpenAPI document: its GET operations (route, rules, headers, body) and schemas.

:class:`SchemaReader` is the one ``$ref`` resolver (with a cycle guard); the operations' pieces
and the record compiler's questions (branches, nulls, types) all go through it.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from studio_engagements._rules import ParameterRule, rules_from_parameters

PACKAGED_SPEC = "openapi/studio_v1_engagements.yaml"
MAX_REF_HOPS = 32  # more $refs in a row than any spec needs: a cycle


class UnsupportedSchemaError(ValueError):
    """The spec has a schema the mock cannot make values for (or a ``$ref`` cycle)."""


@dataclasses.dataclass(frozen=True, slots=True)
class SchemaReader:
    """Answers questions about the schemas of one OpenAPI ``document``."""

    document: Mapping[str, Any] = dataclasses.field(repr=False)

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


@dataclasses.dataclass(frozen=True, slots=True)
class OperationSpec:
    """One GET operation as the spec states it: a list (``list_key``) or one resource."""

    operation_id: str
    path: str
    """The route template, e.g. ``/v1/Flows/{FlowSid}/Engagements``."""
    rules: Mapping[str, ParameterRule]
    """Every parameter's rule, keyed by its API name (path and query alike)."""
    list_key: str | None
    """A page's array property, which ``meta.key`` names too (``engagements``); None: a fetch."""
    cors_headers: Mapping[str, str]
    """The 200 response's documented headers, with their schema type."""
    default_page_size: int | None
    """``PageSize``'s default (else its maximum), for a list."""
    examples: Mapping[str, Any]
    """The parameters' documented ``example``s, by name."""
    record_schema: Mapping[str, Any] = dataclasses.field(compare=False, repr=False)
    """The schema of the list's items, or of the body of a fetch (``$ref: Engagement``)."""
    _route: re.Pattern[str] = dataclasses.field(init=False, compare=False, repr=False)

    def __post_init__(self) -> None:
        parts = re.split(r"\{([^}]+)\}", self.path)
        # split() alternates literal text and parameter names: even indexes are literals.
        pattern = "".join(
            re.escape(part) if i % 2 == 0 else f"(?P<{part}>[^/]*)" for i, part in enumerate(parts)
        )
        object.__setattr__(self, "_route", re.compile(pattern))  # frozen: set once, here

    @property
    def shape(self) -> str:
        """The route with its parameters unnamed (``/v1/Flows/{}/Engagements``): how routes of
        one resource family are compared, whatever each names its parameters."""
        return re.sub(r"\{[^}]+\}", "{}", self.path)

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


@dataclasses.dataclass(frozen=True, slots=True)
class ApiSpec:
    """Every GET operation of one spec document, and what they share."""

    operations: tuple[OperationSpec, ...]
    canonical_origin: str
    """The first server URL: where records' ``url``s point, as on the live API."""
    document: Mapping[str, Any] = dataclasses.field(compare=False, repr=False)
    """The whole parsed document, for following the record schemas' ``$ref``s."""

    def route(self, path: str) -> tuple[OperationSpec, dict[str, str]] | None:
        """The operation whose route ``path`` is, with its path parameters (None: no route)."""
        for operation in self.operations:
            params = operation.match(path)
            if params is not None:
                return operation, params
        return None

    def operation(self, operation_id: str) -> OperationSpec:
        """The operation named ``operation_id`` (KeyError if the spec has none)."""
        for operation in self.operations:
            if operation.operation_id == operation_id:
                return operation
        raise KeyError(f"the spec has no GET operation {operation_id!r}")

    def lists(self) -> list[OperationSpec]:
        """The list operations, shortest route first (parents before their children)."""
        found = [op for op in self.operations if op.list_key is not None]
        return sorted(found, key=lambda op: op.shape.count("/"))

    def flow_rule(self) -> tuple[ParameterRule, str | None]:
        """The first path parameter of the first nested list (``FlowSid``) and its example
        (seeded by default, so that the documented examples reach real data)."""
        for operation in self.lists():
            rules = operation.path_rules()
            if rules:
                example = operation.examples.get(rules[0].name)
                return rules[0], example if isinstance(example, str) else None
        raise ValueError("the spec has no list operation below another")


def load(spec_path: str | Path | None = None) -> ApiSpec:
    """Read the operations from ``spec_path``, or from the spec packaged with the client."""
    if spec_path is None:
        text = resources.files("studio_engagements").joinpath(PACKAGED_SPEC).read_text("utf-8")
    else:
        text = Path(spec_path).read_text(encoding="utf-8")
    document: dict[str, Any] = yaml.safe_load(text)
    return from_document(document)


def from_document(document: Mapping[str, Any]) -> ApiSpec:
    """Every GET operation of a parsed OpenAPI document, in the document's order."""
    operations = [
        _operation(document, path, item["get"])
        for path, item in document["paths"].items()
        if isinstance(item.get("get"), Mapping)
    ]
    if not operations:
        raise ValueError("the spec has no GET operation")
    origin = str(document["servers"][0]["url"]).rstrip("/")
    return ApiSpec(tuple(operations), origin, document)


def _operation(
    document: Mapping[str, Any], path: str, operation: Mapping[str, Any]
) -> OperationSpec:
    resolve = SchemaReader(document).resolve
    parameters = [resolve(p) for p in operation.get("parameters", [])]
    ok = resolve(operation["responses"]["200"])
    schema = ok["content"]["application/json"]["schema"]
    body = resolve(schema)
    arrays = [
        name
        for name, prop in body.get("properties", {}).items()
        if resolve(prop).get("type") == "array"
    ]
    list_key = arrays[0] if len(arrays) == 1 and "meta" in body["properties"] else None
    headers = {
        name: str(resolve(header).get("schema", {}).get("type", "string"))
        for name, header in ok.get("headers", {}).items()
    }
    rules = rules_from_parameters(parameters)
    items = None if list_key is None else resolve(body["properties"][list_key])["items"]
    page_size = None
    if list_key is not None:
        page_size = rules["PageSize"].default or rules["PageSize"].maximum
        if not isinstance(page_size, int):
            raise ValueError("PageSize needs a default or a maximum in the spec")
    return OperationSpec(
        operation_id=str(operation.get("operationId", path)),
        path=path,
        rules=rules,
        list_key=list_key,
        cors_headers=headers,
        default_page_size=page_size,
        examples={p["name"]: p["example"] for p in parameters if "example" in p},
        record_schema=schema if items is None else items,
    )
