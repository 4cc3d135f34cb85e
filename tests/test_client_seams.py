"""The client's seams the CLI uses: a log record per retry, and STUDIO_ENGAGEMENTS_BASE_URL."""

from __future__ import annotations

import logging

import pytest

from studio_engagements import StudioClient
from studio_engagements.testing import Fault, MockStudio

from .helpers import FLOW


@pytest.mark.usefixtures("waits")
def test_each_retry_is_logged_with_its_reason_and_delay(caplog: pytest.LogCaptureFixture) -> None:
    mock = MockStudio(flows={FLOW: 3}, seed=1)
    mock.inject(Fault.rate_limit(retry_after=2), times=2)
    with caplog.at_level(logging.INFO, logger="studio_engagements"), mock.client() as client:
        assert len(client.engagements.list(FLOW)) == 3
    retries = [record for record in caplog.records if hasattr(record, "retry_url")]
    assert [(r.retry_reason, r.retry_number) for r in retries] == [("429", 1), ("429", 2)]
    assert retries[0].retry_delay == 2.0
    assert all(FLOW in record.retry_url for record in retries)
    assert all(record.levelno == logging.INFO for record in retries)
    assert mock.auth_token not in caplog.text


def test_the_base_url_variable_comes_after_base_url_region_and_edge(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("TWILIO_ACCOUNT_SID", "AC" + "0" * 32)
    monkeypatch.setenv("TWILIO_AUTH_TOKEN", "token")
    monkeypatch.setenv("STUDIO_ENGAGEMENTS_BASE_URL", "http://127.0.0.1:4010")
    assert StudioClient().base_url == "http://127.0.0.1:4010"
    assert StudioClient(base_url="http://localhost:1").base_url == "http://localhost:1"
    assert StudioClient(region="au1").base_url == "https://studio.au1.twilio.com"
    monkeypatch.setenv("STUDIO_ENGAGEMENTS_BASE_URL", "")
    assert StudioClient().base_url == "https://studio.twilio.com"
