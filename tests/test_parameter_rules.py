"""ParameterRule checks every schema keyword the spec puts on a parameter, and refuses the rest."""

from __future__ import annotations

from pathlib import Path

import pytest

from studio_engagements._rules import ParameterRule, UnsupportedRuleError

from .helpers import SPEC_PATH


def rule(**schema: object) -> ParameterRule:
    return ParameterRule.from_parameter({"name": "P", "in": "query", "schema": schema})


def test_int64_is_a_range() -> None:
    unbounded = rule(type="integer", format="int64")
    assert unbounded.allows(2**63 - 1)
    assert not unbounded.allows(2**63)
    assert not unbounded.allows(-(2**63) - 1)
    assert rule(type="integer", format="int32").describe() == (
        f"an integer from {-(2**31)} to {2**31 - 1}"
    )
    assert rule(type="integer", format="int64", minimum=1, maximum=1000).describe() == (
        "an integer from 1 to 1000"
    )


def test_string_keywords_are_all_checked() -> None:
    checked = rule(type="string", minLength=3, maxLength=4, pattern="^a")
    assert checked.allows("abc")
    assert not checked.allows("ab")
    assert not checked.allows("abcde")
    assert not checked.allows("bcd")
    assert not checked.allows(123)


@pytest.mark.parametrize(
    "schema",
    [
        {"type": "integer", "enum": [1, 2]},
        {"type": "integer", "exclusiveMinimum": 0},
        {"type": "string", "format": "uuid"},
        {"type": "integer", "format": "int128"},
        {"type": "boolean"},
        {"type": ["string", "null"]},
        {"type": "string", "const": "x"},
    ],
    ids=lambda schema: ",".join(f"{k}={v}" for k, v in schema.items()),
)
def test_a_keyword_it_does_not_check_is_refused(schema: dict[str, object]) -> None:
    with pytest.raises(UnsupportedRuleError, match="parameter P"):
        rule(**schema)


def test_annotations_and_extensions_are_not_constraints() -> None:
    annotated = rule(type="integer", default=5, description="d", example=3, **{"x-source": "seed"})
    assert annotated.allows(-1)


def test_the_mock_refuses_a_spec_whose_parameter_it_could_not_check(tmp_path: Path) -> None:
    from studio_engagements.testing import MockStudio

    text = SPEC_PATH.read_text(encoding="utf-8")
    anchor = "        minimum: 1\n        maximum: 1000\n"
    assert anchor in text
    spec = tmp_path / "spec.yaml"
    spec.write_text(text.replace(anchor, anchor + "        multipleOf: 10\n", 1))
    with pytest.raises(UnsupportedRuleError, match="multipleOf"):
        MockStudio(spec_path=spec)
