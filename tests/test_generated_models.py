"""The generated models are the models users get, and parse what the API sends, or may later."""

from __future__ import annotations

import datetime
import importlib
from typing import Any

import pytest

from studio_engagements_api.models import Engagement, EngagementStatus, ListEngagementResponse


def test_engagement_parses_the_spec_example(spec: dict[str, Any]) -> None:
    example = spec["components"]["schemas"]["Engagement"]["example"]
    engagement = Engagement.from_dict(example)
    assert engagement.sid == example["sid"]
    assert engagement.status is EngagementStatus.ACTIVE
    assert engagement.date_created == datetime.datetime(2017, 11, 6, 12, tzinfo=datetime.UTC)
    assert engagement.context == {"flow": {"first_name": "Foo"}}
    assert engagement.to_dict()["links"] == example["links"]


def test_seed_page_example_parses(spec: dict[str, Any]) -> None:
    operation = spec["paths"]["/v1/Flows/{FlowSid}/Engagements"]["get"]
    example = operation["responses"]["200"]["content"]["application/json"]["example"]
    page = ListEngagementResponse.from_dict(example)
    assert page.engagements == []
    assert page.meta.next_page_url is None
    assert page.meta.page_size == 50


def test_unknown_status_is_kept_as_its_string(spec: dict[str, Any]) -> None:
    record = dict(spec["components"]["schemas"]["Engagement"]["example"], status="paused")
    engagement = Engagement.from_dict(record)
    assert engagement.status == "paused"
    assert not isinstance(engagement.status, EngagementStatus)


def test_unknown_fields_are_kept(spec: dict[str, Any]) -> None:
    record = dict(spec["components"]["schemas"]["Engagement"]["example"], brand_new={"a": 1})
    engagement = Engagement.from_dict(record)
    assert engagement.extra == {"brand_new": {"a": 1}}
    assert engagement.to_dict()["brand_new"] == {"a": 1}


def test_the_public_models_are_the_generated_classes() -> None:
    import studio_engagements
    from studio_engagements_api import models

    assert studio_engagements.Engagement is models.Engagement
    assert studio_engagements.EngagementStatus is models.EngagementStatus
    assert studio_engagements.Page is models.ListEngagementResponse
    assert studio_engagements.PageMeta is models.PageMeta


@pytest.mark.parametrize("module", ["api", "client", "errors", "models.twilio_error"])
def test_the_generated_package_holds_no_second_way_to_call_the_api(module: str) -> None:
    # Requests go through studio_engagements (origin checks, bounds, retries) and nothing else.
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module(f"studio_engagements_api.{module}")


def test_the_generated_package_exports_nothing_but_its_modules() -> None:
    import studio_engagements_api
    from studio_engagements_api import models, types

    public = {name for name in vars(studio_engagements_api) if not name.startswith("_")}
    assert public <= {"models", "types"}
    assert set(models.__all__) == {
        "Engagement",
        "EngagementContext",
        "EngagementStatus",
        "Flow",
        "FlowStatus",
        "Links",
        "ListEngagementResponse",
        "ListFlowResponse",
        "ListStepResponse",
        "PageMeta",
        "Step",
        "StepContext",
    }
    assert not {"UNSET", "Unset", "File", "Response"} & set(types.__all__)
