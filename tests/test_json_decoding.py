"""Pages are decoded by msgspec (a dependency) with json's results; json where it is missing."""

from __future__ import annotations

import contextlib
import json
import math
from collections.abc import Iterator

import pytest

from studio_engagements import Page
from studio_engagements_api import types


@contextlib.contextmanager
def json_decoder(name: str) -> Iterator[None]:
    """Pages read with the ``name`` decoder inside the block (the public setting)."""
    types.set_json_decoder(name)
    try:
        yield
    finally:
        types.set_json_decoder("msgspec")


# What json accepts and a fast decoder may refuse or read otherwise: json's result must win.
EDGE_CASES = [
    b'{"a": NaN, "b": Infinity}',
    b'{"big": 123456789012345678901234567890, "neg": -9223372036854775809}',
    b'{"u64": 18446744073709551615, "next": 18446744073709551616}',
    b'{"lone": "\\ud800"}',
    b'\xef\xbb\xbf{"bom": 1}',
    b'{"float": 1e400, "tiny": 0.1e-400, "exp": 1E2, "zero": -0.0}',
    b"[" * 100 + b"]" * 100,
    b'{"dup": 1, "dup": 2}',
    '{"utf16": 1}'.encode("utf-16"),
]


@pytest.mark.parametrize("content", EDGE_CASES)
def test_decoding_gives_json_s_result(content: bytes) -> None:
    decoded, _ = types.loads(content)
    assert json.dumps(decoded) == json.dumps(json.loads(content))


@pytest.mark.parametrize("content", [b"", b"{", b'{"a": 1} x', b"\xff"])
def test_what_json_refuses_is_refused(content: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (json's own errors, whichever decoder ran)
        types.loads(content)


def test_what_only_json_reads_is_json_s_value_and_has_no_sent_json() -> None:
    body = (
        b'{"engagements": [{"sid": null, "context": {"a": NaN}}], "meta": {"next_page_url": null}}'
    )
    (engagement,) = Page.from_json(body).engagements
    assert math.isnan(engagement.context["a"])  # json's reading of NaN, which only json gives
    assert engagement.sent_json() is None  # never passed on as JSON: it is not


def test_a_number_msgspec_refuses_reads_as_json_reads_it() -> None:
    body = b'{"engagements": [{"context": [1e400]}], "meta": {"next_page_url": null}}'
    (engagement,) = Page.from_json(body).engagements
    assert engagement.context == [math.inf]
    assert engagement.sent_json() == b'{"context": [1e400]}'


def test_the_json_decoder_is_a_public_setting() -> None:
    assert types.json_decoder() == "msgspec"
    with pytest.raises(ValueError, match="'msgspec' or 'json'"):
        types.set_json_decoder("orjson")
    with json_decoder("json"):
        assert types.json_decoder() == "json"
    assert types.json_decoder() == "msgspec"


def test_without_msgspec_pages_are_read_by_json_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pure-Python fallback: what a platform without msgspec wheels gets."""
    from studio_engagements.testing import MockStudio

    flow = "FW" + "d" * 32
    mock = MockStudio(flows={flow: 120}, seed=3)
    with mock.client() as client:
        fast = [engagement.to_dict() for engagement in client.engagements.stream(flow)]
    calls: list[bytes] = []
    loads = json.loads
    monkeypatch.setattr(
        types.json, "loads", lambda content: calls.append(content) or loads(content)
    )
    with json_decoder("json"), mock.client(max_response_bytes=4 * 1024 * 1024) as client:
        plain = [engagement.to_dict() for engagement in client.engagements.stream(flow)]
    assert plain == fast
    assert len(calls) == 1  # the json module read the page
