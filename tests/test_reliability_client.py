"""The whole client against a hostile server: only ``StudioError``s escape, and loops end.

Hypothesis answers the sync and async clients (through ``httpx.MockTransport``) with any status,
any headers (``Retry-After``, ``Location``...) and any body. A server whose last page points back
to an earlier one (spelled as the page's own ``meta.url``, or exactly as the client asked) must
not make the client, or the CLI's export, fetch forever. The last test removes the loop
detection and sees the check fail.
"""

from __future__ import annotations

import contextlib
import json

import httpx
import hypothesis
import pytest
from hypothesis import given
from hypothesis import strategies as st

from studio_engagements import Page, _paging
from studio_engagements.errors import StudioError, UnexpectedResponseError

from .helpers import BASE, FLOW, RECORD, page_body
from .reliability import EXAMPLES, HOSTILE_BODIES, SETTINGS, json_values, list_all

URL = f"{BASE}/v1/Flows/{FLOW}/Engagements?PageSize=50&Page=0"


# -- any status, any headers ----------------------------------------------------------------------

answers = st.tuples(
    st.sampled_from([200, 200, 200, 204, 301, 302, 400, 401, 403, 404, 418, 429, 500, 503])
    | st.integers(200, 599),
    st.fixed_dictionaries(
        {},
        optional={
            "Retry-After": st.text(st.characters(min_codepoint=32, max_codepoint=126)),
            "Content-Type": st.sampled_from(["application/json", "text/html", "", "x/y"]),
            "Location": st.sampled_from(["https://evil.example.com/", "/v1/x", "javascript:1"]),
        },
    ),
    st.sampled_from(HOSTILE_BODIES[:5])
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.binary(max_size=200),
)


@hypothesis.settings(SETTINGS, max_examples=EXAMPLES // 2)
@given(sequence=st.lists(answers, min_size=1, max_size=4))
def test_the_client_lets_only_studio_errors_escape(
    kind: str, sequence: list[tuple[int, dict[str, str], bytes]]
) -> None:
    replies = iter(sequence)

    def handler(request: httpx.Request) -> httpx.Response:
        status, headers, body = next(replies, sequence[-1])
        return httpx.Response(status, headers=headers, content=body)

    with contextlib.suppress(StudioError):
        list_all(kind, handler)


# -- next_page_url loops -----------------------------------------------------------------------


class RunawayLoop(Exception):
    """The test's own bound: the client kept following a loop."""


def check_loop_detected(kind: str, pages: int, back_to: int, spelled_as_sent: bool) -> int:
    """Pages 0..pages-1, the last pointing back to ``back_to``: an error, within a bound.

    Returns the number of requests made. ``spelled_as_sent``: the loop URL is the page's own
    ``meta.url`` (as the server spells it) rather than exactly the URL the client asked for.
    """
    requests: list[str] = []

    def url_of(page: int) -> str:
        return f"{BASE}/v1/Flows/{FLOW}/Engagements?Page={page}&PageToken=T{page}"

    def handler(request: httpx.Request) -> httpx.Response:
        requests.append(str(request.url))
        if len(requests) > 3 * pages + 5:
            raise RunawayLoop(f"{len(requests)} requests for a loop of {pages} pages")
        page = int(request.url.params.get("Page", "0"))
        following = page + 1 if page + 1 < pages else back_to
        next_url = url_of(following)
        if following == 0 and not spelled_as_sent:
            next_url = requests[0]  # exactly the client's own first URL
        record = {**RECORD, "sid": f"FN{page:032x}"}
        return httpx.Response(200, json=page_body(url_of(page), [record], next_url))

    with pytest.raises(UnexpectedResponseError, match="already read"):
        list_all(kind, handler)
    assert len(requests) <= pages + 1
    return len(requests)


@hypothesis.settings(SETTINGS, max_examples=30)
@given(data=st.data())
def test_next_page_url_loops_are_detected(kind: str, data: st.DataObject) -> None:
    pages = data.draw(st.integers(1, 6))
    back_to = data.draw(st.integers(0, pages - 1))
    check_loop_detected(kind, pages, back_to, data.draw(st.booleans()))


# -- the suite can fail -------------------------------------------------------------------------


def test_without_loop_detection_the_loop_check_goes_red(monkeypatch: pytest.MonkeyPatch) -> None:
    def follow_blindly(self: _paging.Walk, page: Page) -> None:
        raw = page.meta.next_page_url
        self.next = None if raw is None else _paging.trusted_url(raw, self._base_url)

    monkeypatch.setattr(_paging.Walk, "follow", follow_blindly)
    # Nor the check of repeated first records, which would catch this loop too.
    monkeypatch.setattr(_paging.Walk, "accept", lambda self, page: page)
    with pytest.raises(RunawayLoop):
        check_loop_detected("sync", 3, 0, True)
