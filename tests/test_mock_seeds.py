"""The mock's seeds: the same seed gives the same data in any process; records made on demand;
well-formed credentials; flows it refuses."""

from __future__ import annotations

import json
import re
import subprocess
import sys

import pytest

from studio_engagements.testing import MockStudio

from .helpers import FLOW, OTHER, client, walk


def test_records_are_the_same_in_another_process() -> None:
    code = (
        "import json; from studio_engagements.testing import MockStudio;"
        f"print(json.dumps(MockStudio({{{FLOW!r}: 25}}, seed=9).engagements({FLOW!r})))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(out.stdout) == MockStudio({FLOW: 25}, seed=9).engagements(FLOW)


def test_same_seed_same_data_other_seed_other_data() -> None:
    first = MockStudio({FLOW: 60}, seed=7)
    again = MockStudio({FLOW: 60}, seed=7)
    other = MockStudio({FLOW: 60}, seed=8)
    assert first.engagements(FLOW) == again.engagements(FLOW)
    differing = [
        name
        for name in first.engagements(FLOW)[0]
        if [r[name] for r in first.engagements(FLOW)] != [r[name] for r in other.engagements(FLOW)]
    ]
    assert len(differing) >= len(first.engagements(FLOW)[0]) - 1  # all but the flow SID
    assert (first.account_sid, first.auth_token) == (again.account_sid, again.auth_token)
    assert not {r["sid"] for r in first.engagements(FLOW)} & {
        r["sid"] for r in other.engagements(FLOW)
    }
    assert first.account_sid != other.account_sid
    with client(first) as a, client(again) as b:
        assert [p["engagements"] for p in walk(a, FLOW)] == [
            p["engagements"] for p in walk(b, FLOW)
        ]


def test_served_order_is_engagements_order() -> None:
    mock = MockStudio({FLOW: 123}, seed=1)
    with client(mock) as http:
        served = [e for page in walk(http, FLOW, PageSize=10) for e in page["engagements"]]
    assert served == mock.engagements(FLOW)


def test_a_million_engagement_flow_is_served_without_materialising_it() -> None:
    mock = MockStudio({FLOW: 1_000_000}, seed=0)
    with client(mock) as http:
        last = http.get(f"/v1/Flows/{FLOW}/Engagements", params={"PageSize": 1000, "Page": 999})
    body = last.json()
    assert len(body["engagements"]) == 1000
    assert body["meta"]["next_page_url"] is None
    # Records are a pure function of (seed, flow, creation index, clock): the last one, the
    # oldest (creation index 0), equals a fresh mock's.
    fresh = MockStudio({FLOW: 1_000_000}, seed=0)
    oldest = fresh._endpoint.family.engagement(FLOW, 0, fresh._clock.world())
    assert body["engagements"][-1] == oldest


def test_credentials_are_well_formed_and_not_in_repr() -> None:
    mock = MockStudio(seed=5)
    assert re.fullmatch(r"AC[0-9a-f]{32}", mock.account_sid)
    assert re.fullmatch(r"SK[0-9a-f]{32}", mock.api_key_sid)
    assert mock.auth_token
    assert mock.api_key_secret
    assert mock.auth_token not in repr(mock)
    assert mock.api_key_secret not in repr(mock)


@pytest.mark.parametrize(
    "flows", [{"FWnot-a-sid": 1}, {FLOW: -1}], ids=["bad-sid", "negative-count"]
)
def test_bad_flows_are_refused_at_construction(flows: dict[str, int]) -> None:
    with pytest.raises(ValueError, match=r"FW|count"):
        MockStudio(flows)


def test_engagements_of_an_unknown_flow_is_a_key_error() -> None:
    with pytest.raises(KeyError, match=OTHER):
        MockStudio({FLOW: 1}).engagements(OTHER)


def test_importing_the_client_does_not_import_the_mock_or_yaml() -> None:
    code = (
        "import sys, studio_engagements;"
        "print(sorted(m for m in sys.modules"
        " if m.startswith(('studio_engagements.testing', 'yaml'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
