"""Schemathesis against the mock, in-process over WSGI, with every check on.

The spec is loaded from the file and the settings from ``schemathesis.toml``, with the mock's Basic
credentials added. ``test_fuzz_suite_can_fail`` breaks the mock on purpose and runs this very
suite again: it must then fail.
"""

from __future__ import annotations

import json
import os
from types import SimpleNamespace
from typing import Any

import hypothesis
import pytest
import schemathesis
from hypothesis import HealthCheck
from schemathesis.config import SchemathesisConfig
from schemathesis.openapi.checks import RejectedPositiveData

from studio_engagements.testing import MockStudio, _endpoint, _exchange

from . import fuzz_hooks  # registers the hook that drops made-up PageToken refusals
from .helpers import ROOT, SPEC_PATH

pytest_plugins = ["pytester"]

# Per operation and phase: bounded so that the default run stays under a minute for the seven
# operations (nox -s fuzz goes further). The reruns that check the suite itself need fewer.
MAX_EXAMPLES = int(os.environ.get("STUDIO_ENGAGEMENTS_FUZZ_EXAMPLES", "100"))
RERUN_EXAMPLES = "20"


def load_schema(mock: MockStudio) -> Any:
    """The spec from the file, the shared settings, the mock's credentials and WSGI app."""
    config = SchemathesisConfig.from_path(ROOT / "schemathesis.toml")
    config.projects.override.update(basic_auth=(mock.account_sid, mock.auth_token))
    schema = schemathesis.openapi.from_path(SPEC_PATH, config=config)
    schema.app = mock.app
    return schema


MOCK = MockStudio(seed=0)
schema = load_schema(MOCK)
OPERATIONS = [item["get"]["operationId"] for item in schema.raw_schema["paths"].values()]
RERUN = "from tests.test_fuzz_mock import test_mock_passes_every_check  # noqa: F401\n"


@schema.parametrize()
@hypothesis.settings(
    max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck)
)
def test_mock_passes_every_check(case: schemathesis.Case) -> None:
    case.call_and_validate()


def rerun(pytester: pytest.Pytester) -> pytest.HookRecorder:
    """This module's fuzz test run again, in this process (its ``MOCK`` is this module's)."""
    pytester.makepyfile(test_rerun=RERUN)
    return pytester.inline_run("-q", "-p", "no:cacheprovider")


REACHED = """
from tests.test_fuzz_mock import MOCK, OPERATIONS, schema
from tests.test_fuzz_mock import test_mock_passes_every_check  # noqa: F401


def test_then_the_requests_reached_real_pages_with_and_without_credentials():
    example_flow = next(iter(MOCK.flows))
    assert any(r.path.endswith(f"{example_flow}/Engagements") for r in MOCK.requests)
    assert {r.user for r in MOCK.requests} >= {MOCK.account_sid, None}
    assert {r.method for r in MOCK.requests} > {"GET"}
    # Every operation, with credentials, on the spec's example SIDs: records the mock serves.
    parameters = schema.raw_schema["components"]["parameters"]
    examples = {p["example"] for p in parameters.values() if p["in"] == "path"}
    reached = {
        r.operation
        for r in MOCK.requests
        if r.user == MOCK.account_sid
        and set(r.path.split("/")[3::2]) <= examples  # /v1/Flows/{FlowSid}/Engagements/...
    }
    assert reached >= set(OPERATIONS)
"""


def test_the_suite_reaches_real_pages_with_and_without_credentials(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Guards the suite itself: if generation never reached a seeded flow with valid credentials,
    # the checks above would prove little. A fresh process runs the fuzz test, then the check.
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    monkeypatch.setenv("STUDIO_ENGAGEMENTS_FUZZ_EXAMPLES", RERUN_EXAMPLES)
    pytester.makepyfile(test_reached=REACHED)
    result = pytester.runpytest_subprocess("-q", "-p", "no:cacheprovider", "-p", "no:randomly")
    result.assert_outcomes(passed=len(OPERATIONS) + 1)


def _skip_auth(self: _endpoint.Endpoint, request: _exchange.Request) -> None:
    return None


def _accept_any_value(rule: Any, text: str) -> object:
    try:
        return rule.parse(text)
    except ValueError:
        return text


@pytest.mark.parametrize(
    ("target", "replacement", "expected"),
    [
        pytest.param(
            _endpoint.Endpoint,
            ("_authenticate", _skip_auth),
            "accepts requests without authentication",
            id="no-auth",
        ),
        pytest.param(
            _endpoint,
            ("_checked", _accept_any_value),
            "Schema-violating request accepted",
            id="no-validation",
        ),
    ],
)
def test_fuzz_suite_can_fail(
    pytester: pytest.Pytester,
    monkeypatch: pytest.MonkeyPatch,
    target: Any,
    replacement: tuple[str, Any],
    expected: str,
) -> None:
    monkeypatch.setattr(target, *replacement)
    recorder = rerun(pytester)
    failures = recorder.getfailures()
    assert failures
    for failure in failures:
        assert expected in str(failure.longrepr)


def _answer(code: int, message: str) -> Any:
    body = json.dumps({"code": code, "message": message, "status": 400}).encode()
    return SimpleNamespace(status_code=400, content=body)


@pytest.mark.parametrize(
    ("query", "response", "kept"),
    [
        ({"PageToken": "x"}, _answer(20001, "Invalid PageToken: 'x' was not issued"), False),
        ({"PageToken": "x"}, _answer(20001, "Invalid PageSize: '0' is not ..."), True),
        ({"PageSize": "5"}, _answer(20001, "Invalid PageToken: 'x' was not issued"), True),
        ({"PageToken": "x"}, _answer(20003, "Invalid PageToken: 'x' was not issued"), True),
    ],
    ids=["made-up-token", "other-parameter", "no-token-sent", "other-code"],
)
def test_the_hook_drops_only_made_up_page_token_refusals(
    query: dict[str, str], response: Any, kept: bool
) -> None:
    failure = RejectedPositiveData(
        operation="GET /", message="", status_code=400, allowed_statuses=["2xx"]
    )
    case = SimpleNamespace(query=query)
    assert fuzz_hooks.issued_by_the_api_only(failure, case, response) is kept
