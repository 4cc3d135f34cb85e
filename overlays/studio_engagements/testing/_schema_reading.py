"""Reading the record schema: ``$ref``s followed, ``anyOf``/``oneOf`` branches, types, nulls."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs


class UnsupportedSchemaError(ValueError):
    """The record schema has a property the mock cannot make values for."""


@attrs.frozen
class SchemaReader:
    """Answers questions about the schemas of one OpenAPI ``document``."""

    document: Mapping[str, Any] = attrs.field(repr=False)

    def resolve(self, node: Mapping[str, Any]) -> dict[str, Any]:
        """Follow local ``$ref``s until a plain schema."""
        seen = 0
        while "$ref" in node:
            target: Any = self.document
            for key in str(node["$ref"]).removeprefix("#/").split("/"):
                target = target[key]
            node = target
            seen += 1
            if seen > 32:
                raise UnsupportedSchemaError("a $ref cycle")
        return dict(node)

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
