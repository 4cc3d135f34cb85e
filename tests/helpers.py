"""Helpers the test modules share: the mock's raw HTTP side, schema validators, served banners."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from typing import Any

import httpx
from jsonschema import Draft202012Validator
from referencing import Registry, Resource

from studio_engagements.testing import MockStudio

FLOW = "FW" + "0123456789abcdef" * 2
OTHER = "FW" + "fedcba9876543210" * 2


def validator(spec: dict[str, Any], name: str) -> Draft202012Validator:
    """A validator for one of the spec's schemas, formats checked (as tests/test_spec.py does)."""
    registry = Registry().with_resource("urn:spec", Resource.opaque(spec))
    return Draft202012Validator(
        {"$ref": f"urn:spec#/components/schemas/{name}"},
        registry=registry,
        format_checker=Draft202012Validator.FORMAT_CHECKER,
    )


def client(mock: MockStudio, user: str | None = None, password: str | None = None) -> httpx.Client:
    """A raw httpx client on the mock's in-process transport, with its account credentials."""
    return httpx.Client(
        transport=mock.transport(),
        base_url=mock.IN_PROCESS_URL,
        auth=(user or mock.account_sid, password or mock.auth_token),
    )


def walk(http: httpx.Client, flow_sid: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every page body of a flow, following next_page_url from the first page."""
    url: str | None = f"/v1/Flows/{flow_sid}/Engagements"
    query: dict[str, Any] | None = params
    while url is not None:
        response = http.get(url, params=query)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        yield body
        url, query = body["meta"]["next_page_url"], None


def read_banner(process: subprocess.Popen[str]) -> tuple[list[str], dict[str, str], str]:
    """The lines a served mock prints up to "Press Ctrl-C", its export variables and its URL."""
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.strip())
        if line.startswith("Press Ctrl-C"):
            break
    exports = dict(
        line.removeprefix("export ").split("=", 1) for line in lines if line.startswith("export ")
    )
    (url,) = [line.rsplit(" ", 1)[1] for line in lines if "listening on" in line]
    return lines, exports, url


def cli_env(mock: MockStudio) -> dict[str, str]:
    """The environment for a CLI run against ``mock``: its credentials, no other TWILIO_ ones."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("TWILIO_")}
    env.update(TWILIO_ACCOUNT_SID=mock.account_sid, TWILIO_AUTH_TOKEN=mock.auth_token)
    return env
