"""``python -m studio_engagements.testing`` and ``studio-engagements mock`` serve the mock and print
how to reach it."""

from __future__ import annotations

import signal
import subprocess
import sys

import httpx

from .helpers import CLI, FLOW, serving


def test_module_serves_and_prints_credentials_and_flows() -> None:
    command = [sys.executable, "-m", "studio_engagements.testing", "--port", "0", "--seed", "3"]
    with serving([*command, "--flow", f"{FLOW}=5"], signal.SIGTERM) as (lines, printed, url):
        assert url.startswith("http://127.0.0.1:")
        assert printed["STUDIO_ENGAGEMENTS_BASE_URL"] == url
        assert f"flow {FLOW} 5 engagements" in lines
        (key_line,) = [line for line in lines if "TWILIO_API_KEY=" in line]
        key = dict(word.split("=", 1) for word in key_line.split() if "=" in word)
        for user, password in [
            (printed["TWILIO_ACCOUNT_SID"], printed["TWILIO_AUTH_TOKEN"]),
            (key["TWILIO_API_KEY"], key["TWILIO_API_SECRET"]),
        ]:
            response = httpx.get(f"{url}/v1/Flows/{FLOW}/Engagements", auth=(user, password))
            assert response.status_code == 200
            assert len(response.json()["engagements"]) == 5


def test_the_cli_mock_command_serves_and_prints_exports() -> None:
    command = [*CLI, "mock", "--port", "0", "--flows", "2", "--engagements", "5", "--seed", "3"]
    with serving(command) as (lines, exports, url):
        flows = [line.split()[1] for line in lines if line.startswith("flow ")]
        assert len(flows) == 2
        assert exports["STUDIO_ENGAGEMENTS_BASE_URL"] == url
        response = httpx.get(
            f"{url}/v1/Flows/{flows[1]}/Engagements",
            auth=(exports["TWILIO_ACCOUNT_SID"], exports["TWILIO_AUTH_TOKEN"]),
        )
        assert response.status_code == 200
        assert len(response.json()["engagements"]) == 5


def test_module_rejects_a_bad_flow() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "studio_engagements.testing", "--flow", "FWbad=1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "FWbad" in result.stderr
