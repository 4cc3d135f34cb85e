"""``python -m studio_engagements.testing`` serves the mock and prints how to reach it."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading

import httpx

from .helpers import FLOW, read_banner


def test_module_serves_and_prints_credentials_and_flows() -> None:
    command = [sys.executable, "-m", "studio_engagements.testing", "--port", "0", "--seed", "3"]
    process = subprocess.Popen([*command, "--flow", f"{FLOW}=5"], stdout=subprocess.PIPE, text=True)
    # Bounded: whatever happens, the child is gone after 30 s and the reads below end.
    watchdog = threading.Timer(30, process.kill)
    watchdog.start()
    try:
        lines, printed, url = read_banner(process)
        assert url.startswith("http://127.0.0.1:")
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
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=20) == 0
    finally:
        watchdog.cancel()
        if process.poll() is None:
            process.kill()
            process.wait()


def test_module_rejects_a_bad_flow() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "studio_engagements.testing", "--flow", "FWbad=1"],
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert result.returncode == 2
    assert "FWbad" in result.stderr
