"""Parameter rules as the OpenAPI document states them, and the one check that applies them.

The client checks user arguments with the rules ``scripts/generate.py`` copied into
``studio_engagements_api._parameters`` (``_request.packaged_rules``); the mock checks requests
with the rules of whatever spec it loaded. Both go through :class:`ParameterRule`, so no rule is
typed twice.

A rule implements every schema keyword in :data:`IMPLEMENTED` and refuses any other (``enum``,
``exclusiveMinimum``, a nullable type...) with :class:`UnsupportedRuleError`: at generation time
for the client, when the mock loads a spec. A spec change can therefore never silently weaken a
check. This module imports nothing of the package, so that ``scripts/generate.py`` can load it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from functools import cache
from typing import Any, NamedTuple

# The schema keywords a rule checks, with the values of `type` and `format` it knows.
IMPLEMENTED = frozenset(
    {"type", "format", "minLength", "maxLength", "pattern", "minimum", "maximum"}
)
TYPES = frozenset({"string", "integer"})
FORMATS: dict[str, frozenset[str | None]] = {
    "integer": frozenset({None, "int32", "int64"}),
    "string": frozenset({None}),
}
# Keywords that describe a value without constraining it.
ANNOTATIONS = frozenset({"default", "description", "title", "example", "examples", "deprecated"})
_INTEGER_BITS = {"int32": 32, "int64": 64}


class UnsupportedRuleError(ValueError):
    """A parameter's schema uses a keyword or value that ParameterRule does not check."""


class ParameterRule(NamedTuple):
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
    bits: int | None = None
    """For ``format: int32``/``int64``: the signed width the value must fit."""
    default: Any = None

    @classmethod
    def from_parameter(cls, parameter: Mapping[str, Any]) -> ParameterRule:
        """Build a rule from an OpenAPI parameter object (``name``, ``in``, ``schema``...)."""
        name = parameter["name"]
        schema: Mapping[str, Any] = parameter.get("schema", {})
        unknown = sorted(
            key
            for key in schema
            if key not in IMPLEMENTED and key not in ANNOTATIONS and not key.startswith("x-")
        )
        if unknown:
            raise UnsupportedRuleError(
                f"parameter {name}: schema keyword(s) {', '.join(unknown)} are not implemented "
                f"by ParameterRule (it checks {', '.join(sorted(IMPLEMENTED))})"
            )
        kind = schema.get("type", "string")
        if not isinstance(kind, str) or kind not in TYPES:
            raise UnsupportedRuleError(f"parameter {name}: type {kind!r} is not implemented")
        fmt = schema.get("format")
        if not isinstance(fmt, str | None) or fmt not in FORMATS[kind]:
            raise UnsupportedRuleError(
                f"parameter {name}: format {fmt!r} of a {kind} is not implemented"
            )
        return cls(
            name=name,
            location=parameter["in"],
            required=bool(parameter.get("required", False)),
            kind=kind,
            min_length=schema.get("minLength"),
            max_length=schema.get("maxLength"),
            pattern=schema.get("pattern"),
            minimum=schema.get("minimum"),
            maximum=schema.get("maximum"),
            bits=_INTEGER_BITS.get(fmt) if fmt is not None else None,
            default=schema.get("default"),
        )

    @property
    def lowest(self) -> int | None:
        """The smallest integer allowed, by ``minimum`` or by the format's width."""
        floor = None if self.bits is None else -(1 << (self.bits - 1))
        if self.minimum is None or floor is None:
            return self.minimum if floor is None else floor
        return max(self.minimum, floor)

    @property
    def highest(self) -> int | None:
        """The largest integer allowed, by ``maximum`` or by the format's width."""
        ceiling = None if self.bits is None else (1 << (self.bits - 1)) - 1
        if self.maximum is None or ceiling is None:
            return self.maximum if ceiling is None else ceiling
        return min(self.maximum, ceiling)

    def describe(self) -> str:
        """The rule in words, e.g. ``an integer from 1 to 1000``."""
        if self.kind == "integer":
            low, high = self.lowest, self.highest
            if low is not None and high is not None:
                return f"an integer from {low} to {high}"
            if low is not None:
                return f"an integer >= {low}"
            if high is not None:
                return f"an integer <= {high}"
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
            low, high = self.lowest, self.highest
            if low is not None and value < low:
                return False
            return high is None or value <= high
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
