"""Pages are decoded by msgspec (a dependency) with json's results; json where it is missing."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest

from studio_engagements import _response

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
    decoded = _response.decode_json(content)
    assert json.dumps(decoded) == json.dumps(json.loads(content))


@pytest.mark.parametrize("content", [b"", b"{", b'{"a": 1} x', b"\xff"])
def test_what_json_refuses_is_refused(content: bytes) -> None:
    with pytest.raises(ValueError):  # noqa: PT011 (json's own errors, whichever decoder ran)
        _response.decode_json(content)


def test_a_fast_decoder_error_falls_back_to_json(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(content: bytes) -> Any:
        raise ValueError("the fast decoder refuses")

    monkeypatch.setattr(_response, "fast_loads", lambda: refuse)
    value = _response.decode_json(b'{"a": NaN}')["a"]
    assert isinstance(value, float)
    assert math.isnan(value)  # json's reading of NaN, which only json gives


def test_the_fast_decoder_is_used_when_there_is_one(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(_response, "fast_loads", lambda: lambda content: {"fast": True})
    assert _response.decode_json(b"{}") == {"fast": True}
    assert _response.json_decoder() == "msgspec"


def test_without_msgspec_pages_are_read_by_json_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pure-Python fallback: what a platform without msgspec wheels gets."""
    from studio_engagements.testing import MockStudio

    flow = "FW" + "d" * 32
    mock = MockStudio(flows={flow: 120}, seed=3)
    with mock.client() as client:
        fast = [engagement.to_dict() for engagement in client.engagements.stream(flow)]
    assert _response.json_decoder() == "msgspec"
    monkeypatch.setattr(_response, "fast_loads", lambda: None)
    assert _response.json_decoder() == "json"
    calls: list[bytes] = []
    loads = json.loads
    monkeypatch.setattr(
        _response.json, "loads", lambda content: calls.append(content) or loads(content)
    )
    with mock.client(max_response_bytes=1024 * 1024) as client:
        plain = [engagement.to_dict() for engagement in client.engagements.stream(flow)]
    assert plain == fast
    assert len(calls) == 1  # the json module read the page
