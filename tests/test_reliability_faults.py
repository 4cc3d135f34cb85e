"""Faults: exports over real HTTP while MockStudio fails a seeded share of requests.

Every kind of fault is in the mix (tests/reliability.py ``FAULTS``): 429 with
``Retry-After`` 0 or 1 s, 500, 502, 503, dropped connections, truncated bodies and a delay past
the client's timeout. With retries the export is exact (same records, same order, none missing,
none twice); with retries exhausted it raises a typed error, never a short list; the CLI's resume
completes a failed export exactly. In-process runs make retry waits instant; the CLI runs in a
subprocess, with real waits, so it uses few faults. `nox -s soak` runs >= 100 exports at 20 %.

The last tests break the client on purpose (no retries, a record dropped, errors swallowed) and
show that the checks used above then fail.
"""

from __future__ import annotations

import json
import shlex
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from studio_engagements import Engagement, StudioClient, _paging, _retry
from studio_engagements._resources import Engagements
from studio_engagements.errors import RateLimitError, ServerError, StudioError, TransportError
from studio_engagements.testing import Fault, MockStudio

from .helpers import CLI, mock_driver
from .reliability import CLIENT_TIMEOUT, FAULTS, SOAK, figure, instant_sleeps

BIG = "FW" + "7" * 32  # 10,000 engagements
COUNT = 10_000
RATE = 0.2
EXPORTS = 120 if SOAK else 4
FAILING_SEEDS = 40 if SOAK else 6
CLI_SEEDS = (5, 9, 12) if SOAK else (5,)
# What an exhausted export may raise: the typed errors of the faults in the mix.
TYPED = (RateLimitError, ServerError, TransportError)


pytestmark = pytest.mark.usefixtures("fresh_mock")


@pytest.fixture(scope="module")
def mock() -> MockStudio:
    return MockStudio(flows={BIG: COUNT}, seed=3)


@pytest.fixture(scope="module")
def expected(mock: MockStudio) -> list[dict[str, Any]]:
    return mock.engagements(BIG)


def export(kind: str, mock: MockStudio, base_url: str, **options: Any) -> list[Engagement]:
    """The whole flow through the sync or async client over HTTP."""
    return mock_driver(kind, mock, base_url, **{"timeout": CLIENT_TIMEOUT, **options}).list(BIG)


def check_exact(got: list[Engagement], expected: list[dict[str, Any]]) -> None:
    """Same records, same order, none missing, none twice (AssertionError otherwise)."""
    sids = [engagement.sid for engagement in got]
    assert len(set(sids)) == len(sids), "an engagement came twice"
    assert len(sids) == len(expected), f"{len(sids)} engagements, not {len(expected)}"
    assert sids == [record["sid"] for record in expected], "engagements out of order"
    assert [engagement.to_dict() for engagement in got] == expected, "a record differs"


def check_exhausted(
    kind: str, mock: MockStudio, base_url: str, expected: list[Any], seed: int
) -> str:
    """With no retries, the export raises a typed error; never a short list. Returns its type.

    Run again as a stream under the same faults, it yields whole pages in order before the
    error: a prefix of the flow, never a gap.
    """
    mock.inject_rate(0.3, FAULTS, seed=seed)
    failure: StudioError | None = None
    try:
        got = export(kind, mock, base_url, max_retries=0)
    except TYPED as error:
        failure = error
    if failure is None:
        check_exact(got, expected)  # lucky: no request was faulted
        return "exact"
    assert str(failure), "an error without a message"
    mock.inject_rate(0.3, FAULTS, seed=seed)  # the same requests fail again
    streamed: list[str | None] = []
    with (
        StudioClient(
            mock.account_sid,
            mock.auth_token,
            base_url=base_url,
            max_retries=0,
            timeout=CLIENT_TIMEOUT,
        ) as c,
        pytest.raises(TYPED),
    ):
        streamed.extend(engagement.sid for engagement in c.engagements.stream(BIG, page_size=1000))
    assert streamed == [record["sid"] for record in expected[: len(streamed)]]
    assert len(streamed) % 1000 == 0
    return type(failure).__name__


def test_fault_injected_exports_are_exact(
    kind: str, mock: MockStudio, server: str, expected: list[dict[str, Any]]
) -> None:
    exports = EXPORTS // 2
    retries = requests = 0
    with instant_sleeps() as waits:
        for seed in range(exports):
            mock.inject_rate(RATE, FAULTS, seed=seed)
            mock.reset_requests()
            before = len(waits)
            check_exact(export(kind, mock, server, max_retries=10), expected)
            made = len(waits) - before
            # Every retry is one more request than the 10 pages need.
            assert len(mock.requests) == 10 + made
            retries += made
            requests += len(mock.requests)
    assert retries > 0, "no fault was injected: the test proves nothing"
    figure(
        f"faults ({kind}): {exports}/{exports} exports of {COUNT:,} ok at {RATE:.0%} faults; "
        f"{exports * COUNT:,} records checked; {retries} retries in {requests} requests"
    )


def test_exhausted_retries_raise_a_typed_error_never_a_partial_list(
    kind: str, mock: MockStudio, server: str, expected: list[dict[str, Any]]
) -> None:
    outcomes: dict[str, int] = {}
    with instant_sleeps():
        for seed in range(FAILING_SEEDS):
            outcome = check_exhausted(kind, mock, server, expected, seed=100 + seed)
            outcomes[outcome] = outcomes.get(outcome, 0) + 1
    assert set(outcomes) - {"exact"}, "no export failed: the test proves nothing"
    figure(f"faults ({kind}), no retries, 30% faults: {dict(sorted(outcomes.items()))}")


# The CLI waits for real between retries and has the default 30 s timeout: no delay fault, and
# Retry-After 0, so that a run costs seconds. Half the requests fail, so that a page fails 3 times.
CLI_FAULTS = (
    Fault.rate_limit(retry_after=0),
    Fault.server_error(500),
    Fault.server_error(502),
    Fault.server_error(503),
    Fault.drop_connection(),
    Fault.truncated_body(),
)


@pytest.mark.parametrize("seed", CLI_SEEDS)
def test_the_cli_resumes_a_failed_export_exactly(
    mock: MockStudio,
    server: str,
    cli_env: dict[str, str],
    expected: list[dict[str, Any]],
    tmp_path: Path,
    seed: int,
) -> None:
    out = tmp_path / "export.jsonl"
    command = ["list", BIG, "--base-url", server, "--page-size", "1000", "--output", str(out)]
    mock.inject_rate(0.5, CLI_FAULTS, seed=seed)
    runs: list[int] = []
    for _ in range(12):  # bounded: at 50 % faults a run fails about one page in eight
        result = subprocess.run(
            [*CLI, *command],
            capture_output=True,
            text=True,
            env=cli_env,
            timeout=300,
        )
        runs.append(result.returncode)
        if result.returncode == 0:
            break
        assert result.returncode in (3, 4), result.stderr
        assert "Traceback" not in result.stderr
        assert not out.exists(), "a failed export left a final file"
        resume = [x for x in result.stderr.splitlines() if x.startswith("resume with: ")]
        if resume:  # resume from the next page
            command = shlex.split(resume[0].removeprefix("resume with: "))[1:]
            assert "--resume-from" in command
        else:  # a failure on the first page keeps nothing: the same command starts over
            assert "nothing was kept" in result.stderr
    assert runs[-1] == 0, f"exit codes {runs}"
    assert len(runs) > 1, "no run failed: the resume path was not exercised"
    assert [json.loads(line) for line in out.read_text().splitlines()] == expected
    figure(f"faults (CLI, seed {seed}): exact after {len(runs)} runs, exit codes {runs}")


# -- the suite can fail -----------------------------------------------------------------------


def test_without_retries_the_exactness_check_goes_red(
    monkeypatch: pytest.MonkeyPatch, mock: MockStudio, server: str, expected: list[Any]
) -> None:
    monkeypatch.setattr(_retry, "retry_delay", lambda *args, **kwargs: None)

    def the_suites_exports() -> None:
        for seed in range(EXPORTS // 2):
            mock.inject_rate(RATE, FAULTS, seed=seed)
            check_exact(export("sync", mock, server, max_retries=10), expected)

    with instant_sleeps(), pytest.raises(StudioError):
        the_suites_exports()


def test_a_dropped_record_turns_the_exactness_check_red(
    monkeypatch: pytest.MonkeyPatch, mock: MockStudio, server: str, expected: list[Any]
) -> None:
    original = _paging.Limit.take
    monkeypatch.setattr(_paging.Limit, "take", lambda self, page: original(self, page)[1:])
    with pytest.raises(AssertionError, match="engagements, not"):
        check_exact(export("sync", mock, server), expected)


def test_swallowed_errors_turn_the_exhaustion_check_red(
    monkeypatch: pytest.MonkeyPatch, mock: MockStudio, server: str, expected: list[Any]
) -> None:
    """A client that ends the stream quietly on an error returns a partial list: caught."""
    original = Engagements._walk

    def quiet(self: Engagements, walk: Any, model: str) -> Iterator[Any]:
        try:
            yield from original(self, walk, model)
        except StudioError:
            return

    monkeypatch.setattr(Engagements, "_walk", quiet)
    with instant_sleeps(), pytest.raises(AssertionError, match="engagements, not"):
        check_exhausted("sync", mock, server, expected, seed=100)
