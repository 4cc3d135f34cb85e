"""The package's internal contracts: typed values between its modules, names from the spec."""

from __future__ import annotations

import asyncio
import inspect
import subprocess
import sys
from typing import Any

import httpx
import pytest

from studio_engagements import ResponseTooLargeError, StudioClient, _bounded
from studio_engagements._config import Limits, Settings
from studio_engagements._request import operation_url
from studio_engagements._resources import AsyncEngagements, AsyncSteps, Engagements, Steps
from studio_engagements._response import models
from studio_engagements.rules import argument_name
from studio_engagements_api._parameters import OPERATIONS

from .helpers import BASE, FLOW, SID, TOKEN, answer, page_body, transport_driver


def test_settings_are_resolved_from_keywords_only() -> None:
    parameters = inspect.signature(Settings.resolve).parameters.values()
    assert {parameter.kind for parameter in parameters} == {inspect.Parameter.KEYWORD_ONLY}
    with pytest.raises(TypeError):
        Settings.resolve(SID, TOKEN)  # type: ignore[misc]


def test_argument_names_are_the_spec_parameters_in_snake_case() -> None:
    assert argument_name("FlowSid") == "flow_sid"
    assert argument_name("EngagementSid") == "engagement_sid"
    assert argument_name("PageToken") == "page_token"
    # Every query parameter of every list is a keyword of page(): the client's names are the spec's.
    for operation in OPERATIONS.values():
        for parameter in operation["parameters"]:
            if parameter["in"] == "query":
                assert argument_name(parameter["name"]) in inspect.signature(Steps.page).parameters


def test_operation_urls_follow_the_spec_paths_in_order() -> None:
    step = "FT" + "2" * 32
    url = operation_url(
        httpx.URL(BASE + "/prefix"),
        "FetchStepContext",
        {"flow_sid": FLOW, "engagement_sid": "FN" + "1" * 32, "step_sid": step},
    )
    assert url.path == f"/prefix/v1/Flows/{FLOW}/Engagements/FN{'1' * 32}/Steps/{step}/Context"


@pytest.mark.parametrize(
    ("resource", "call", "model", "path"),
    [
        (Engagements, lambda r: r.page(FLOW, page_size=5), "Page", "/Engagements?PageSize=5"),
        (
            AsyncEngagements,
            lambda r: r.fetch(FLOW, "FN" + "0" * 32),
            "Engagement",
            "/Engagements/FN",
        ),
        (
            Steps,
            lambda r: r.context(FLOW, "FN" + "0" * 32, "FT" + "0" * 32),
            "StepContext",
            "/Context",
        ),
        (AsyncSteps, lambda r: r.page(FLOW, "FN" + "0" * 32), "StepPage", "/Steps"),
    ],
)
def test_resources_get_what_they_need_passed_in(
    resource: type[Engagements], call: Any, model: str, path: str
) -> None:
    asked: list[tuple[httpx.URL, str]] = []
    keys = {"Page": "engagements", "StepPage": "steps"}
    body = {keys[model]: [], "meta": {"next_page_url": None}} if model in keys else {}
    answered = getattr(models(), model).from_dict(body)

    def get(url: httpx.URL, name: str) -> Any:
        asked.append((url, name))
        return answered

    async def get_async(url: httpx.URL, name: str) -> Any:
        return get(url, name)

    is_async = resource.__name__.startswith("Async")
    result = call(resource(get_async if is_async else get, httpx.URL(BASE)))
    assert (asyncio.run(result) if is_async else result) is answered  # the model, as read
    ((url, name),) = asked
    assert name == model
    assert str(url).startswith(f"{BASE}/v1/Flows/{FLOW}/Engagements")
    assert path in str(url)


def test_every_response_is_read_within_the_clients_typed_limits() -> None:
    assert list(inspect.signature(_bounded.send).parameters) == ["http", "request", "limits"]
    assert list(inspect.signature(_bounded.send_async).parameters) == ["http", "request", "limits"]
    client = StudioClient(SID, TOKEN, base_url=BASE, max_response_bytes=4096, timeout=3)
    limits = client._limits
    assert isinstance(limits, Limits)
    assert (limits.max_bytes, limits.timeout) == (4096, httpx.Timeout(3))
    with pytest.raises(AttributeError):
        limits.max_bytes = 1  # type: ignore[misc]
    clone = client.with_options(max_response_bytes=8192)
    assert clone._limits.max_bytes == 8192
    assert client._limits.max_bytes == 4096


def test_a_body_over_the_limits_cap_is_refused_through_both_twins(kind: str) -> None:
    handler = answer(200, page_body(BASE, [{"sid": "FN" + "0" * 32, "context": "x" * 5000}]))
    driver = transport_driver(kind, handler, max_response_bytes=1024, max_retries=0)
    with pytest.raises(ResponseTooLargeError):
        driver.page(FLOW)


def test_importing_the_package_loads_the_generated_models_only_when_first_used() -> None:
    # attrs and msgspec come with the models: the client's own value objects are dataclasses.
    loaded = (
        "print(','.join(m for m in ('attr', 'msgspec', 'studio_engagements_api.models')"
        " if m in sys.modules) or '-');"
    )
    code = f"import sys, studio_engagements; {loaded} studio_engagements.Engagement; {loaded}"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["-", "attr,msgspec,studio_engagements_api.models"]


def test_the_package_imports_httpx_with_its_clients_and_httpcore_with_the_first_client() -> None:
    loaded = "print(','.join(m for m in ('httpx', 'httpcore') if m in sys.modules) or '-');"
    code = (
        f"import sys, studio_engagements; {loaded}"
        f"from studio_engagements import StudioClient; {loaded}"
        f"StudioClient('AC' + '0' * 32, 'token').close(); {loaded}"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["-", "httpx", "httpx,httpcore"]


@pytest.mark.parametrize("flag", ["--help", "--version"])
def test_the_cli_says_its_help_and_version_without_httpx_or_the_archive(flag: str) -> None:
    code = (
        "import runpy, sys\n"
        f"sys.argv = ['studio-engagements', {flag!r}]\n"
        "try:\n"
        "    runpy.run_module('studio_engagements', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert done.code in (0, None), done.code\n"
        "names = ('httpx', 'httpcore', 'sqlite3', 'studio_engagements.testing')\n"
        "print(','.join(m for m in names if m in sys.modules) or '-', file=sys.stderr)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip()  # the help or the version was said
    assert result.stderr.split()[-1] == "-"
