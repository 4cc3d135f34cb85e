"""Every operation of the family answers like Twilio: 404 for what does not exist, 400 for bad
input by the spec's rules, 401, 405 with ``Allow``, injected faults, requests counted."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from studio_engagements.testing import Fault, MockStudio

from .helpers import FLOW, client, validator


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio({FLOW: 20}, seed=1)


def sids(mock: MockStudio) -> tuple[str, str]:
    """An engagement with steps and its first step."""
    for engagement in mock.engagements(FLOW):
        steps = mock.steps(FLOW, engagement["sid"])
        if steps:
            return engagement["sid"], steps[0]["sid"]
    raise AssertionError("no engagement with steps")


def paths(mock: MockStudio) -> dict[str, str]:
    """A served path of every operation, by operationId."""
    engagement, step = sids(mock)
    base = f"/v1/Flows/{FLOW}/Engagements/{engagement}"
    return {
        "ListFlow": "/v1/Flows",
        "ListEngagement": f"/v1/Flows/{FLOW}/Engagements",
        "FetchEngagement": base,
        "FetchEngagementContext": f"{base}/Context",
        "ListStep": f"{base}/Steps",
        "FetchStep": f"{base}/Steps/{step}",
        "FetchStepContext": f"{base}/Steps/{step}/Context",
    }


OPERATIONS = [
    "ListFlow",
    "ListEngagement",
    "FetchEngagement",
    "FetchEngagementContext",
    "ListStep",
    "FetchStep",
    "FetchStepContext",
]


def twilio_error(response: httpx.Response, status: int, code: int, spec: dict[str, Any]) -> str:
    assert response.status_code == status, response.text
    body = response.json()
    validator(spec, "TwilioError").validate(body)
    assert (body["code"], body["status"]) == (code, status)
    return str(body["message"])


def test_every_operation_is_served_and_counted(mock: MockStudio) -> None:
    mock.reset_requests()
    with client(mock) as http:
        for operation, path in paths(mock).items():
            assert http.get(path).status_code == 200, operation
            assert http.get(path).status_code == 200, operation
    assert mock.requests().count_by_operation() == dict.fromkeys(OPERATIONS, 2)
    assert len(mock.requests) == 14


@pytest.mark.parametrize("level", [0, 1, 2], ids=["flow", "engagement", "step"])
def test_what_does_not_exist_is_404_on_every_operation_below_it(
    mock: MockStudio, spec: dict[str, Any], level: int
) -> None:
    present = (FLOW, *sids(mock))[level]
    absent = present[:2] + "0" * 32  # well-formed, not there
    below = {op: path for op, path in paths(mock).items() if present in path}
    assert len(below) >= 2
    with client(mock) as http:
        for operation, path in below.items():
            missing = path.replace(present, absent)
            message = twilio_error(http.get(missing), 404, 20404, spec)
            assert missing in message, operation


@pytest.mark.parametrize(
    ("bad", "named"),
    [
        ("FN" + "z" * 32, "EngagementSid"),
        ("FT" + "0" * 31, "StepSid"),
        ("XX" + "0" * 32, "StepSid"),
    ],
)
def test_a_malformed_sid_is_400_naming_the_parameter(
    mock: MockStudio, spec: dict[str, Any], bad: str, named: str
) -> None:
    engagement, _ = sids(mock)
    path = (
        f"/v1/Flows/{FLOW}/Engagements/{bad}/Context"
        if named == "EngagementSid"
        else f"/v1/Flows/{FLOW}/Engagements/{engagement}/Steps/{bad}/Context"
    )
    with client(mock) as http:
        message = twilio_error(http.get(path), 400, 20001, spec)
    assert message.startswith(f"Invalid {named}:")


@pytest.mark.parametrize("operation", ["ListFlow", "ListStep"])
@pytest.mark.parametrize(("query", "named"), [("PageSize=0", "PageSize"), ("Page=-1", "Page")])
def test_paging_parameters_are_checked_on_every_list(
    mock: MockStudio, spec: dict[str, Any], operation: str, query: str, named: str
) -> None:
    with client(mock) as http:
        message = twilio_error(http.get(f"{paths(mock)[operation]}?{query}"), 400, 20001, spec)
    assert message.startswith(f"Invalid {named}:")


@pytest.mark.parametrize("operation", OPERATIONS)
def test_every_operation_needs_credentials_and_serves_get_only(
    mock: MockStudio, spec: dict[str, Any], operation: str
) -> None:
    path = paths(mock)[operation]
    with httpx.Client(transport=mock.transport(), base_url=mock.IN_PROCESS_URL) as anonymous:
        twilio_error(anonymous.get(path), 401, 20003, spec)
    with client(mock) as http:
        refused = http.post(path)
    twilio_error(refused, 405, 20004, spec)
    assert refused.headers["allow"] == "GET"


@pytest.mark.parametrize("operation", OPERATIONS)
def test_faults_apply_to_every_operation(mock: MockStudio, operation: str) -> None:
    path = paths(mock)[operation]
    mock.inject(Fault.server_error(503))
    mock.inject(Fault.rate_limit(2))
    mock.inject(Fault.not_json())
    mock.inject(Fault.drop_connection())
    with client(mock) as http:
        statuses = [http.get(path).status_code for _ in range(2)]
        assert http.get(path).headers["content-type"].startswith("text/html")
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(path)
        recovered = http.get(path)
    assert statuses == [503, 429]
    assert recovered.status_code == 200
    assert recovered.json() == http_body(mock, path)


def http_body(mock: MockStudio, path: str) -> Any:
    with client(mock) as http:
        return http.get(path).json()


def test_truncated_and_null_meta_on_a_step_page(mock: MockStudio) -> None:
    path = paths(mock)["ListStep"] + "?PageSize=1"
    mock.inject(Fault.null_meta())
    mock.inject(Fault.truncated_body())
    with client(mock) as http:
        meta = http.get(path).json()["meta"]
        with pytest.raises(httpx.RemoteProtocolError):
            http.get(path)
    assert meta["key"] is None
    assert meta["next_page_url"] is not None
