"""``studio_engagements.rules``: the spec's argument rules and bounds, public for early checks."""

from __future__ import annotations

import pytest

from studio_engagements import InvalidParameterError, rules

from .helpers import FLOW


def test_check_passes_a_good_value_and_names_a_bad_one() -> None:
    rules.check("flow_sid", "FlowSid", FLOW)
    with pytest.raises(InvalidParameterError, match="flow_sid") as caught:
        rules.check("flow_sid", "FlowSid", "FW123")
    assert "FW123" in str(caught.value)
    with pytest.raises(InvalidParameterError, match="step_sid"):
        rules.check("step_sid", "Sid", "FN" + "0" * 32, operation_id="FetchStep")


def test_the_rule_of_a_parameter_gives_its_range(spec: dict[str, object]) -> None:
    page_size = rules.rule("PageSize")
    schema = spec["components"]["parameters"]["PageSize"]["schema"]  # type: ignore[index]
    assert (page_size.minimum, page_size.maximum) == (schema["minimum"], schema["maximum"])
    assert rules.rule("Page", "ListStep").maximum is None
    with pytest.raises(KeyError):
        rules.rule("Nope")


def test_the_steps_bound_comes_from_the_spec(spec: dict[str, object]) -> None:
    operation = spec["paths"]["/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps"]["get"]  # type: ignore[index]
    assert rules.max_records("ListStep") == operation["x-max-records"]["value"] == 1000
    assert "1,000 steps" in operation["x-max-records"]["description"]
    assert rules.max_records("ListEngagement") is None
    assert rules.max_records("ListFlow") is None
