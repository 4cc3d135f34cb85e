"""Errors as Twilio sends them, auth, methods, and rules that follow the spec the mock loads."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from studio_engagements.testing import MockStudio

from .helpers import FLOW, OTHER, SPEC_PATH, client, validator

PATH = f"/v1/Flows/{FLOW}/Engagements"


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio({FLOW: 12}, seed=0)


def assert_twilio_error(
    response: httpx.Response, status: int, code: int, spec: dict[str, Any]
) -> dict[str, Any]:
    assert response.status_code == status
    assert response.headers["content-type"] == "application/json"
    body: dict[str, Any] = response.json()
    validator(spec, "TwilioError").validate(body)
    assert body["code"] == code
    assert body["status"] == status
    assert body["more_info"] == f"https://www.twilio.com/docs/errors/{code}"
    assert response.headers["twilio-request-id"].startswith("RQ")
    return body


@pytest.mark.parametrize(
    ("path", "params", "named"),
    [
        ("/v1/Flows/FWshort/Engagements", {}, "FlowSid"),
        ("/v1/Flows/" + "XX" + "0" * 32 + "/Engagements", {}, "FlowSid"),
        (PATH, {"PageSize": "0"}, "PageSize"),
        (PATH, {"PageSize": "1001"}, "PageSize"),
        (PATH, {"PageSize": "ten"}, "PageSize"),
        (PATH, {"PageSize": "1_0"}, "PageSize"),
        (PATH, {"PageSize": ""}, "PageSize"),
        (PATH, {"Page": "-1"}, "Page"),
        (PATH, {"Page": "1.5"}, "Page"),
        (PATH, {"PageToken": "forged"}, "PageToken"),
    ],
)
def test_invalid_parameter_is_400_naming_it(
    mock: MockStudio, spec: dict[str, Any], path: str, params: dict[str, str], named: str
) -> None:
    with client(mock) as http:
        body = assert_twilio_error(http.get(path, params=params), 400, 20001, spec)
    assert body["message"].startswith(f"Invalid {named}:")


def test_unknown_query_parameters_are_ignored(mock: MockStudio) -> None:
    with client(mock) as http:
        response = http.get(PATH, params={"Foo": "bar", "pagesize": "0", "PageSize": "5"})
    assert response.status_code == 200
    assert len(response.json()["engagements"]) == 5


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Basic " + base64.b64encode(b"wrong:password").decode(),
        "Bearer abc",
        "Basic !!!not-base64",
        "Basic " + base64.b64encode(b"no-colon").decode(),
    ],
    ids=["missing", "unknown-user", "bearer", "garbage", "no-colon"],
)
def test_missing_or_malformed_credentials_are_401(
    mock: MockStudio, spec: dict[str, Any], authorization: str | None
) -> None:
    headers = {} if authorization is None else {"Authorization": authorization}
    with httpx.Client(transport=mock.transport(), base_url=mock.IN_PROCESS_URL) as http:
        response = http.get(PATH, headers=headers)
    assert_twilio_error(response, 401, 20003, spec)
    assert response.headers["www-authenticate"] == 'Basic realm="Twilio API"'


def test_right_user_wrong_password_and_crossed_pairs_are_401(
    mock: MockStudio, spec: dict[str, Any]
) -> None:
    for user, password in [
        (mock.account_sid, mock.auth_token + "x"),
        (mock.account_sid, mock.auth_token[:-1]),
        (mock.account_sid, mock.api_key_secret),
        (mock.api_key_sid, mock.auth_token),
        (mock.account_sid.lower(), mock.auth_token),
    ]:
        with client(mock, user, password) as http:
            assert_twilio_error(http.get(PATH), 401, 20003, spec)


def test_account_and_api_key_credentials_are_accepted(mock: MockStudio) -> None:
    mock.reset_requests()
    for user, password in [
        (mock.account_sid, mock.auth_token),
        (mock.api_key_sid, mock.api_key_secret),
    ]:
        with client(mock, user, password) as http:
            assert http.get(PATH).status_code == 200
    assert [r.user for r in mock.requests] == [mock.account_sid, mock.api_key_sid]


def test_unknown_flow_and_unknown_path_are_404(mock: MockStudio, spec: dict[str, Any]) -> None:
    with client(mock) as http:
        flow = assert_twilio_error(http.get(f"/v1/Flows/{OTHER}/Engagements"), 404, 20404, spec)
        path = assert_twilio_error(http.get("/v1/Flowz"), 404, 20404, spec)
    assert OTHER in flow["message"]
    assert "/v1/Flowz" in path["message"]


@pytest.mark.parametrize("method", ["POST", "PUT", "PATCH", "DELETE", "OPTIONS", "HEAD"])
def test_other_methods_are_405_with_allow(
    mock: MockStudio, spec: dict[str, Any], method: str
) -> None:
    with client(mock) as http:
        response = http.request(method, PATH)
    assert response.status_code == 405
    assert response.headers["allow"] == "GET"
    if method != "HEAD":  # no body to a HEAD
        assert_twilio_error(response, 405, 20004, spec)


def test_ok_responses_carry_the_specs_headers(mock: MockStudio, spec: dict[str, Any]) -> None:
    documented = spec["paths"]["/v1/Flows/{FlowSid}/Engagements"]["get"]["responses"]["200"]
    with client(mock) as http:
        response = http.get(PATH)
    assert response.headers["content-type"] == "application/json"
    for name in documented["headers"]:
        assert response.headers[name], name
    assert response.headers["access-control-allow-credentials"] == "true"
    request_id = response.headers["twilio-request-id"]
    assert len(request_id) == 34
    assert request_id.startswith("RQ")
    int(request_id[2:], 16)


def modified_spec(tmp_path: Path, edit: Any) -> Path:
    document = yaml.safe_load(SPEC_PATH.read_text(encoding="utf-8"))
    edit({p["name"]: p["schema"] for p in document["components"]["parameters"].values()})
    path = tmp_path / "spec.yaml"
    path.write_text(yaml.safe_dump(document), encoding="utf-8")
    return path


def test_the_mock_follows_a_changed_page_size_maximum(tmp_path: Path) -> None:
    def edit(schemas: dict[str, Any]) -> None:
        schemas["PageSize"].update(maximum=10, default=4)

    mock = MockStudio({FLOW: 30}, seed=0, spec_path=modified_spec(tmp_path, edit))
    with client(mock) as http:
        assert http.get(PATH, params={"PageSize": 10}).status_code == 200
        rejected = http.get(PATH, params={"PageSize": 11})
        default = http.get(PATH).json()
    assert rejected.status_code == 400
    assert "from 1 to 10" in rejected.json()["message"]
    assert len(default["engagements"]) == default["meta"]["page_size"] == 4
    with client(MockStudio({FLOW: 30}, seed=0)) as http:  # the packaged spec still says 1000
        assert http.get(PATH, params={"PageSize": 11}).status_code == 200


def test_the_mock_follows_a_changed_flow_sid_pattern(tmp_path: Path) -> None:
    def edit(schemas: dict[str, Any]) -> None:
        schemas["FlowSid"]["pattern"] = "^FW[0-9a-f]{32}$"  # lower-case hex only

    upper = "FW" + "ABCDEF0123456789" * 2
    with pytest.raises(ValueError, match=r"FlowSid|FW"):
        MockStudio({upper: 1}, spec_path=modified_spec(tmp_path, edit))
    mock = MockStudio({FLOW: 1}, spec_path=modified_spec(tmp_path, edit))
    with client(mock) as http:
        response = http.get(f"/v1/Flows/{upper}/Engagements")
    assert response.status_code == 400
    assert "^FW[0-9a-f]{32}$" in response.json()["message"]
    with client(MockStudio({FLOW: 1})) as http:  # the packaged spec accepts it (then: no flow)
        assert http.get(f"/v1/Flows/{upper}/Engagements").status_code == 404


def test_never_a_server_error_without_faults(mock: MockStudio) -> None:
    odd = ["/", "/v1", "/v1/Flows//Engagements", "/v1/Flows/%00/Engagements", PATH + "/x"]
    with client(mock) as http:
        for path in odd:
            assert http.get(path).status_code < 500, path
        for query in ["PageSize=%FF", "Page=" + "9" * 400, "PageToken=%F0%9F%92%A9", "&&=&"]:
            assert http.get(f"{PATH}?{query}").status_code < 500, query
