"""A page of steps is decoded by msgspec straight into the models, as a page of engagements is,
although the JSON ``type`` is the attribute ``type_``: from_dict's values, the same tolerance."""

from __future__ import annotations

import datetime
import json
from typing import Any

import httpx
import pytest

from studio_engagements import Step, StepPage, StudioClient, UnexpectedResponseError
from studio_engagements.testing import MockStudio
from studio_engagements_api.types import ParseError

from .helpers import BASE, FLOW, SID, TOKEN, page_body

ENGAGEMENT = "FN" + "d" * 32


def studio_steps() -> list[dict[str, Any]]:
    """Studio-shaped steps from the mock: type, name, transitioned_from/to, context."""
    mock = MockStudio({FLOW: 40}, seed=3)
    steps = [step for e in mock.engagements(FLOW) for step in mock.steps(FLOW, e["sid"])]
    assert {"say-play", "split-based-on"} & {step["type"] for step in steps}
    return steps


def step_page(steps: list[dict[str, Any]]) -> bytes:
    return json.dumps({"steps": steps, "meta": page_body(f"{BASE}/x", [])["meta"]}).encode()


def step_pages(steps: list[dict[str, Any]], monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any]:
    """The page as msgspec decodes it (from_dict refused meanwhile), and as from_dict reads it."""
    content = step_page(steps)
    with monkeypatch.context() as patch:
        for model in (Step, StepPage):
            patch.setattr(model, "from_dict", classmethod(lambda cls, _: pytest.fail("from_dict")))
        fast = StepPage.from_json(content)
    return fast, StepPage.from_dict(json.loads(content))


def test_a_step_page_is_decoded_by_msgspec_with_from_dict_s_values(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    steps = studio_steps()
    fast, plain = step_pages(steps, monkeypatch)
    assert fast == plain
    assert [step.to_dict() for step in fast.steps] == steps
    assert [step.type_ for step in fast.steps] == [step["type"] for step in steps]
    assert [(s.name, s.transitioned_from, s.transitioned_to, s.context) for s in fast.steps] == [
        (s["name"], s["transitioned_from"], s["transitioned_to"], s["context"]) for s in steps
    ]
    assert all(type(step) is Step for step in fast.steps)
    assert [step.sent_json() for step in fast.steps] == [json.dumps(s).encode() for s in steps]


@pytest.mark.parametrize(
    "change",
    [
        {"type": None},
        {"brand_new": {"a": 1}, "type_": "not the type"},
        {"name": None, "links": None, "context": None},
    ],
    ids=["null type", "unknown keys", "nulls"],
)
def test_tolerated_steps_are_decoded_by_msgspec(
    change: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    (step,) = studio_steps()[:1]
    fast, plain = step_pages([step, {**step, **change}], monkeypatch)
    assert fast == plain
    assert fast.steps[1].to_dict() == {**step, **change}
    assert fast.steps[1].extra == {k: v for k, v in change.items() if k not in Step.FIELDS}


def test_a_step_without_type_or_anything_else_is_decoded_by_msgspec(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast, plain = step_pages([{}, {"sid": "FT" + "e" * 32}], monkeypatch)
    assert fast == plain
    assert [step.type_ for step in fast.steps] == [None, None]
    assert fast.steps[0].to_dict()["type"] is None


def test_a_step_date_without_offset_is_read_as_utc() -> None:
    (step,) = studio_steps()[:1]
    page = StepPage.from_json(step_page([{**step, "date_created": "2024-01-02T03:04:05"}]))
    assert page.steps[0].date_created is not None
    assert page.steps[0].date_created.utcoffset() == datetime.timedelta(0)
    assert page.steps[0].type_ == step["type"]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"type": 7}, "type"), ({"type": ["say-play"]}, "type"), ({"name": {}}, "name")],
)
def test_a_step_field_of_the_wrong_type_is_an_unexpected_response(
    change: dict[str, Any], field: str
) -> None:
    (step,) = studio_steps()[:1]
    content = step_page([step, {**step, **change}])
    with pytest.raises(ParseError, match=f"Step field '{field}' must be a string or null"):
        StepPage.from_json(content)

    def handler(request: httpx.Request) -> httpx.Response:
        return httpx.Response(200, content=content)

    transport = httpx.MockTransport(handler)
    with (
        StudioClient(SID, TOKEN, base_url=BASE, http_client=httpx.Client(transport=transport)) as c,
        pytest.raises(UnexpectedResponseError, match=f"'{field}'"),
    ):
        list(c.steps.stream(FLOW, ENGAGEMENT))


def test_to_dict_gives_type_back_by_its_json_name() -> None:
    step = Step(type_="send-message", name="sent")
    assert step.to_dict()["type"] == "send-message"
    assert "type_" not in step.to_dict()
    assert Step.from_dict(step.to_dict()) == step
    (decoded,) = StepPage.from_json(step_page([step.to_dict()])).steps
    assert decoded == step
