"""The mock's clock: lists newest first, engagements arrive, end and expire after 30 days as
``advance`` moves the clock, walks stay exact across a move, deleted engagements are 404."""

from __future__ import annotations

import itertools
import signal
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from studio_engagements import StudioClient
from studio_engagements.errors import NotFoundError
from studio_engagements.testing import MockStudio

from .helpers import FLOW, OTHER, serving, walk

PER_DAY = 10
COUNT = 30 * PER_DAY  # a flow's engagements per 30 days: ten a day, one slot every 2.4 hours
DAY = timedelta(days=1)


def parse(text: str) -> datetime:
    return datetime.fromisoformat(text)


def sids(records: list[dict[str, Any]]) -> list[str]:
    return [record["sid"] for record in records]


def status_values(spec: dict[str, Any]) -> list[str]:
    """The engagement statuses the spec documents (the enum the status property refers to)."""
    status = spec["components"]["schemas"]["Engagement"]["properties"]["status"]
    (ref,) = [branch["$ref"] for branch in status["anyOf"] if "$ref" in branch]
    return list(spec["components"]["schemas"][ref.rsplit("/", 1)[1]]["enum"])


def test_the_clock_starts_at_a_fixed_moment_or_the_one_given() -> None:
    assert MockStudio({FLOW: 1}).now == MockStudio.START
    assert MockStudio.START.tzinfo is not None
    given = datetime(2025, 3, 4, 5, 6, 7, tzinfo=UTC)
    mock = MockStudio({FLOW: COUNT}, now=given)
    assert mock.now == given
    created = [parse(e["date_created"]) for e in mock.engagements(FLOW)]
    assert len(created) == COUNT
    assert given - MockStudio.RETENTION < min(created) <= max(created) <= given
    with pytest.raises(ValueError, match="timezone"):
        MockStudio({FLOW: 1}, now=datetime(2025, 1, 1))  # naive: refused
    with pytest.raises(ValueError, match="forward"):
        mock.advance(-DAY)


def test_lists_are_newest_first_with_count_visible(spec: dict[str, Any]) -> None:
    mock = MockStudio({FLOW: COUNT, OTHER: 0}, seed=3)
    with mock.client() as client:
        listed = client.engagements.list(FLOW, page_size=37)
        assert client.engagements.list(OTHER) == []
    assert len(listed) == COUNT
    created = [e.date_created for e in listed]
    assert created == sorted(created, reverse=True)
    assert [e.sid for e in listed] == sids(mock.engagements(FLOW))
    assert all(e.date_created is not None and e.date_created <= mock.now for e in listed)
    # Statuses are the spec's: the first value while active, the second once ended; both occur,
    # and null (as the contract allows) for some, whatever the clock says.
    statuses = {e["status"] for e in mock.engagements(FLOW)}
    documented = status_values(spec)
    assert statuses == {documented[0], documented[1], None}


def test_a_day_brings_a_days_engagements_at_the_head_and_retires_the_oldest() -> None:
    mock = MockStudio({FLOW: COUNT}, seed=1)
    before = mock.engagements(FLOW)
    assert mock.advance(DAY) == MockStudio.START + DAY == mock.now
    with mock.client() as client:
        after = [e.to_dict() for e in client.engagements.list(FLOW)]
    assert len(after) == COUNT  # as many arrived as expired
    new, kept = after[:PER_DAY], after[PER_DAY:]
    assert sids(kept) == sids(before[: COUNT - PER_DAY])
    assert not set(sids(new)) & set(sids(before))
    newest_before = parse(before[0]["date_created"])
    assert all(newest_before <= parse(e["date_created"]) <= mock.now for e in new)
    assert all(e["status"] in ("active", "ended", None) for e in after)


def ending_engagement(mock: MockStudio, delta: timedelta) -> tuple[dict[str, Any], int]:
    """An engagement active now with some of its steps, that has ended ``delta`` later."""
    later = MockStudio(mock.flows, seed=mock.seed, now=mock.now)
    later.advance(delta)
    ended = {e["sid"]: e for e in later.engagements(FLOW) if e["status"] == "ended"}
    for engagement in mock.engagements(FLOW):
        if engagement["status"] == "active" and engagement["sid"] in ended:
            steps = len(mock.steps(FLOW, engagement["sid"]))
            if 0 < steps < len(later.steps(FLOW, engagement["sid"])):
                return engagement, steps
    raise AssertionError("no engagement ends with more steps within the day")


def test_an_active_engagement_ends_with_more_steps_and_a_later_update() -> None:
    mock = MockStudio({FLOW: 3000}, seed=2)
    engagement, steps_before = ending_engagement(mock, DAY)
    sid = engagement["sid"]
    with mock.client() as client:
        first_steps = [s.to_dict() for s in client.steps.list(FLOW, sid)]
        mock.advance(DAY)
        fetched = client.engagements.fetch(FLOW, sid).to_dict()
        all_steps = [s.to_dict() for s in client.steps.list(FLOW, sid)]
        listed = {e.sid: e.to_dict() for e in client.engagements.list(FLOW)}
    assert len(first_steps) == steps_before
    assert (engagement["status"], fetched["status"]) == ("active", "ended")
    assert listed[sid] == fetched
    assert parse(fetched["date_updated"]) > parse(engagement["date_updated"])
    assert parse(fetched["date_updated"]) <= mock.now
    assert fetched["date_created"] == engagement["date_created"]
    assert len(all_steps) > steps_before
    assert all_steps[:steps_before] == first_steps  # steps only ever appear after the last
    step_times = [parse(s["date_created"]) for s in all_steps]
    assert step_times == sorted(step_times)
    assert parse(engagement["date_created"]) <= step_times[0]
    assert step_times[-1] <= parse(fetched["date_updated"])
    # While active, its update time is its latest step's.
    assert engagement["date_updated"] == first_steps[-1]["date_created"]


def test_after_31_days_the_first_days_engagements_are_gone_everywhere() -> None:
    mock = MockStudio({FLOW: COUNT}, seed=4)
    start = mock.now
    first_day = [e for e in mock.engagements(FLOW) if parse(e["date_created"]) <= start - 29 * DAY]
    assert len(first_day) == PER_DAY
    (engagement, *_) = [e for e in first_day if mock.steps(FLOW, e["sid"])]
    step = mock.steps(FLOW, engagement["sid"])[0]["sid"]
    with mock.client() as client:
        assert client.steps.fetch(FLOW, engagement["sid"], step).sid == step
        mock.advance(31 * DAY)
        listed = client.engagements.list(FLOW)
        for gone in first_day:
            for call in (client.engagements.fetch, client.engagements.context, client.steps.list):
                with pytest.raises(NotFoundError):
                    call(FLOW, gone["sid"])
        for step_call in (client.steps.fetch, client.steps.context):
            with pytest.raises(NotFoundError):
                step_call(FLOW, engagement["sid"], step)
    assert len(listed) == COUNT
    assert not {e.sid for e in listed} & set(sids(first_day))
    assert all(e.date_created is not None and e.date_created > start for e in listed)
    with pytest.raises(KeyError):
        mock.engagement_context(FLOW, first_day[0]["sid"])


def test_an_engagement_is_kept_until_30_days_after_it_started() -> None:
    mock = MockStudio({FLOW: COUNT}, seed=5)
    oldest = mock.engagements(FLOW)[-1]
    started = parse(oldest["date_created"])
    mock.advance(started + MockStudio.RETENTION - mock.now - timedelta(seconds=1))
    assert mock.engagements(FLOW)[-1]["sid"] == oldest["sid"]
    mock.advance(timedelta(seconds=1))
    assert oldest["sid"] not in sids(mock.engagements(FLOW))


def test_a_walk_interrupted_by_advance_sees_no_duplicate_and_skips_nothing_older() -> None:
    mock = MockStudio({FLOW: COUNT}, seed=6)
    before = mock.engagements(FLOW)
    with mock.client() as client:
        pages = client.engagements.pages(FLOW, page_size=40)
        served = [e.sid for page in itertools.islice(pages, 2) for e in page.engagements]
        mock.advance(2 * DAY)  # twenty arrive at the head, the twenty oldest expire
        served += [e.sid for page in pages for e in page.engagements]
    assert len(served) == len(set(served))
    # Everything older than where the walk stood and still kept, in order; nothing new.
    assert served == sids(before[: COUNT - 2 * PER_DAY])


def test_the_clock_is_a_pure_function_of_seed_flow_and_time() -> None:
    one = MockStudio({FLOW: COUNT, OTHER: 40}, seed=7)
    two = MockStudio({FLOW: COUNT, OTHER: 40}, seed=7)
    assert one.engagements(FLOW) == two.engagements(FLOW)
    one.advance(DAY)
    for _ in range(4):
        two.advance(DAY / 4)
    assert one.now == two.now
    assert one.engagements(FLOW) == two.engagements(FLOW)
    head = one.engagements(FLOW)[0]["sid"]
    assert one.steps(FLOW, head) == two.steps(FLOW, head)
    built_later = MockStudio({FLOW: COUNT, OTHER: 40}, seed=7, now=one.now)
    assert built_later.engagements(OTHER)[:5] != one.engagements(OTHER)[:5]  # its own window
    assert MockStudio({FLOW: COUNT}, seed=8).engagements(FLOW) != two.engagements(FLOW)


def test_deleted_engagements_are_404_and_gone_from_lists() -> None:
    mock = MockStudio({FLOW: 30}, seed=8)
    listed = mock.engagements(FLOW)
    gone = listed[3]["sid"]
    mock.delete_engagement(FLOW, gone)
    assert sids(mock.engagements(FLOW)) == [s for s in sids(listed) if s != gone]
    with mock.client() as client:
        assert [e.sid for e in client.engagements.list(FLOW, page_size=2)] == sids(
            mock.engagements(FLOW)
        )
        for call in (
            lambda: client.engagements.fetch(FLOW, gone),
            lambda: client.engagements.context(FLOW, gone),
            lambda: client.steps.list(FLOW, gone),
        ):
            with pytest.raises(NotFoundError):
                call()
        page = client.engagements.page(FLOW, page_size=5, page=1)
    assert [e.sid for e in page.engagements] == sids(mock.engagements(FLOW))[5:10]
    with pytest.raises(KeyError):
        mock.delete_engagement(FLOW, gone)
    with pytest.raises(KeyError):
        mock.delete_engagement(OTHER, listed[0]["sid"])


def test_a_deleted_flow_is_404_and_not_listed() -> None:
    mock = MockStudio({FLOW: 3, OTHER: 3}, seed=9)
    engagement = mock.engagements(FLOW)[0]["sid"]
    mock.delete_flow(FLOW)
    with mock.client() as client:
        assert [f.sid for f in client.flows.list()] == [OTHER]
        with pytest.raises(NotFoundError):
            client.engagements.list(FLOW)
        with pytest.raises(NotFoundError):
            client.engagements.fetch(FLOW, engagement)
    with pytest.raises(KeyError):
        mock.delete_flow(FLOW)


def test_over_real_http_the_clock_moves_between_pages() -> None:
    mock = MockStudio({FLOW: COUNT}, seed=10)
    before = mock.engagements(FLOW)
    with mock.serve() as base_url:
        with httpx.Client(base_url=base_url, auth=(mock.account_sid, mock.auth_token)) as http:
            pages = walk(http, FLOW, PageSize=50)
            served = [e["sid"] for e in next(pages)["engagements"]]
            mock.advance(DAY)
            served += [e["sid"] for page in pages for e in page["engagements"]]
            head = walk(http, FLOW, PageSize=PER_DAY)
            arrived = next(head)["engagements"]
        with StudioClient(mock.account_sid, mock.auth_token, base_url=base_url) as client:
            gone = before[-1]["sid"]
            with pytest.raises(NotFoundError):
                client.engagements.fetch(FLOW, gone)
    assert served == sids(before[: COUNT - PER_DAY])
    assert sids(arrived) == sids(mock.engagements(FLOW)[:PER_DAY])
    assert not set(sids(arrived)) & set(sids(before))


def test_the_clock_can_move_while_threads_are_served() -> None:
    mock = MockStudio({FLOW: COUNT}, seed=11)
    stop = threading.Event()

    def tick() -> None:
        while not stop.is_set():
            mock.advance(timedelta(hours=1))

    ticker = threading.Thread(target=tick)
    ticker.start()
    try:
        with (
            mock.serve() as base_url,
            StudioClient(mock.account_sid, mock.auth_token, base_url=base_url) as client,
        ):
            walks = [
                [e.sid for e in client.engagements.stream(FLOW, page_size=7)] for _ in range(3)
            ]
    finally:
        stop.set()
        ticker.join()
    for served in walks:
        assert len(served) == len(set(served))


def test_the_served_mock_runs_its_clock_at_the_speed_asked() -> None:
    command = [sys.executable, "-m", "studio_engagements.testing", "--port", "0"]
    # 43,200 days a minute: a month a second, so the whole window turns over at once.
    command += ["--flow", f"{FLOW}=5", "--days-per-minute", "43200"]
    with serving(command, signal.SIGTERM) as (lines, exports, url):
        assert any(line.startswith("clock ") and "43200 days a minute" in line for line in lines)
        auth = (exports["TWILIO_ACCOUNT_SID"], exports["TWILIO_AUTH_TOKEN"])
        path = f"{url}/v1/Flows/{FLOW}/Engagements"
        first = sids(httpx.get(path, auth=auth).json()["engagements"])
        for _ in range(600):  # until the clock has moved: a tick a second
            now = sids(httpx.get(path, auth=auth).json()["engagements"])
            if not set(now) & set(first):
                break
            time.sleep(0.05)
    assert len(first) == 5
    assert 4 <= len(now) <= 6  # one a slot: at a time between slots, one more or less
    assert not set(now) & set(first)
