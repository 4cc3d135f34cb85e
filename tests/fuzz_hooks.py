"""Schemathesis hooks for fuzzing the mock: loaded by tests/test_fuzz_mock.py and scripts/fuzz.py.

One failure is not the mock's fault. The spec types ``PageToken`` as any string, but a page token
is only valid if the API issued it, so Twilio (and the mock) refuse a made-up one with a 400.
Schemathesis generates such tokens in "positive" cases and would report the 400 as valid data
rejected. The hook drops exactly that failure, when the 400 names ``PageToken``, and nothing else:
a 400 naming any other parameter still fails the run.
"""

from __future__ import annotations

import json
from typing import Any

import schemathesis
from schemathesis.core.failures import Failure
from schemathesis.openapi.checks import RejectedPositiveData


def issued_by_the_api_only(failure: Failure, case: Any, response: Any) -> bool:
    """Whether ``failure`` stands (False: it is the made-up ``PageToken`` refusal)."""
    if not isinstance(failure, RejectedPositiveData) or response.status_code != 400:
        return True
    if "PageToken" not in (case.query or {}):
        return True
    try:
        body = json.loads(response.content)
    except ValueError:
        return True
    message = body.get("message", "") if isinstance(body, dict) else ""
    return not (body.get("code") == 20001 and message.startswith("Invalid PageToken:"))


@schemathesis.hook
def filter_failure(context: Any, failure: Failure, case: Any, response: Any) -> bool:
    """Keep every failure but a refused made-up ``PageToken`` (see the module docstring)."""
    return issued_by_the_api_only(failure, case, response)
