"""Request URLs made without parsing them again: the URLs httpx's copy_with makes."""

from __future__ import annotations

from typing import Any

import httpx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from studio_engagements._request import operation_url, with_path

from .helpers import FLOW

BASES = [
    "https://studio.twilio.com",
    "https://studio.twilio.com/",
    "https://studio.us1.twilio.com",
    "http://127.0.0.1:4010/mock/",
    "http://127.0.0.1:4010/a/b",
    "http://[::1]:8080/x",
    "http://localhost/pre%20fix/",
    "http://localhost/p%2F/",
    "https://proxy.example:8443/p;x=1/",
    "http://localhost/é/",
]
ENGAGEMENT = "FN" + "0123456789abcdef" * 2
_tokens = st.text(max_size=20).filter(lambda text: text.isprintable())
_params = st.lists(
    st.tuples(
        st.sampled_from(["PageSize", "Page", "PageToken"]),
        st.integers(min_value=0, max_value=10**6) | _tokens | st.booleans(),
    ),
    max_size=3,
)


def _slow(base: httpx.URL, path: str, params: list[tuple[str, Any]]) -> httpx.URL:
    return base.copy_with(path=base.path.rstrip("/") + path, params=params)


@pytest.mark.parametrize("base", BASES)
@settings(max_examples=40, deadline=None)
@given(params=_params)
def test_a_request_url_is_the_one_copy_with_makes(base: str, params: list[tuple[str, Any]]) -> None:
    url = httpx.URL(base)
    path = f"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}/Steps"
    fast, slow = with_path(url, path, params), _slow(url, path, params)
    assert str(fast) == str(slow)
    assert (fast.scheme, fast.host, fast.port, fast.raw_path) == (
        slow.scheme, slow.host, slow.port, slow.raw_path,
    )  # fmt: skip
    assert (fast.path, fast.params) == (slow.path, slow.params)
    assert httpx.URL(str(fast)) == fast  # the text parses back to the same URL


@pytest.mark.parametrize("base", BASES)
def test_an_operation_url_is_checked_and_quoted_as_before(base: str) -> None:
    url = httpx.URL(base)
    arguments = {"flow_sid": FLOW, "engagement_sid": ENGAGEMENT}
    made = operation_url(url, "ListStep", arguments, page_size=50, page_token="a b%20/&=")
    path = f"/v1/Flows/{FLOW}/Engagements/{ENGAGEMENT}/Steps"
    assert made == _slow(url, path, [("PageSize", 50), ("PageToken", "a b%20/&=")])
    assert made.params["PageToken"] == "a b%20/&="
    fetched = operation_url(url, "FetchStep", {**arguments, "step_sid": "FT" + "1" * 32})
    assert fetched.query == b""
    assert str(fetched).endswith(f"/Steps/FT{'1' * 32}")
