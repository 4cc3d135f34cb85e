"""Parameter rules as the OpenAPI document states them, and the one check that applies them.

The client checks user arguments with the rules ``scripts/generate.py`` copied into
``studio_engagements_api._parameters``; the mock checks requests with the rules of whatever
spec it loaded. Both go through :class:`ParameterRule`, so no rule is typed twice.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any

import attrs


@attrs.frozen
class ParameterRule:
    """One operation parameter: where it goes and what values the spec allows."""

    name: str
    location: str
    required: bool
    kind: str
    min_length: int | None = None
    max_length: int | None = None
    pattern: str | None = None
    minimum: int | None = None
    maximum: int | None = None
    default: Any = None

    @classmethod
    def from_parameter(cls, parameter: Mapping[str, Any]) -> ParameterRule:
        """Build a rule from an OpenAPI parameter object (``name``, ``in``, ``schema``...)."""
        schema = parameter.get("schema", {})
        return cls(
            name=parameter["name"],
            location=parameter["in"],
            required=bool(parameter.get("required", False)),
            kind=schema.get("type", "string"),
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            pattern=schema.get("pattern"),
            minimum=schema.get("minimum"),
            maximum=schema.get("maximum"),
            default=schema.get("default"),
        )

    def describe(self) -> str:
        """The rule in words, e.g. ``an integer from 1 to 1000``."""
        if self.kind == "integer":
            if self.minimum is not None and self.maximum is not None:
                return f"an integer from {self.minimum} to {self.maximum}"
            if self.minimum is not None:
                return f"an integer >= {self.minimum}"
            if self.maximum is not None:
                return f"an integer <= {self.maximum}"
            return "an integer"
        parts = ["a string"]
        if self.min_length is not None and self.min_length == self.max_length:
            parts.append(f"of exactly {self.min_length} characters")
        else:
            if self.min_length is not None:
                parts.append(f"of at least {self.min_length} characters")
            if self.max_length is not None:
                parts.append(f"of at most {self.max_length} characters")
        if self.pattern is not None:
            parts.append(f"matching {self.pattern}")
        return " ".join(parts)

    def allows(self, value: object) -> bool:
        """Whether ``value`` (a Python value, not its text) satisfies the rule."""
        if self.kind == "integer":
            if not isinstance(value, int) or isinstance(value, bool):
                return False
            if self.minimum is not None and value < self.minimum:
                return False
            return self.maximum is None or value <= self.maximum
        if not isinstance(value, str):
            return False
        if self.min_length is not None and len(value) < self.min_length:
            return False
        if self.max_length is not None and len(value) > self.max_length:
            return False
        return self.pattern is None or _compiled(self.pattern).search(value) is not None

    def parse(self, text: str) -> object:
        """A query or path string as the typed value this rule checks (the mock's side)."""
        if self.kind == "integer":
            # Sign and ASCII digits only: int() would also take "1_0", " 1" and non-ASCII digits.
            if re.fullmatch(r"[+-]?[0-9]+", text) is None:
                raise ValueError(text)
            return int(text)
        return text


@cache
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


def rules_from_parameters(parameters: Iterable[Mapping[str, Any]]) -> dict[str, ParameterRule]:
    """Rules keyed by the parameter's API name (``FlowSid``, ``PageSize``...)."""
    return {rule.name: rule for rule in map(ParameterRule.from_parameter, parameters)}


@cache
def packaged_rules() -> dict[str, ParameterRule]:
    """The rules of the spec the client was generated from (no YAML parsing)."""
    from studio_engagements_api._parameters import PARAMETERS

    return rules_from_parameters(PARAMETERS)
