"""The records the page server serves, in both shapes, made from the mock's records."""

from __future__ import annotations

import random
from typing import Any

from studio_engagements.testing import MockStudio

from .common import ACCOUNT_SID

SEED = 20240601
RECORDS_FLOW = "FW" + "0" * 32
"""The flow the records are made for; the page server names the flow asked for instead."""


def records(shape: str, count: int) -> list[dict[str, Any]]:
    """``count`` records as the live API serializes them: the mock's (Studio-shaped, from the
    spec's examples), or for ``small`` the same with a context of a few hundred bytes."""
    made = MockStudio({RECORDS_FLOW: count}, seed=SEED).engagements(RECORDS_FLOW)
    if shape == "small":
        rng = random.Random(SEED)  # noqa: S311 (test data, not crypto)
        for record in made:
            record["context"] = small_context(rng)
    return made


def small_context(rng: random.Random) -> Any:
    """A small ``context``: absent, empty, one flow variable, or a trigger message."""
    shape = rng.random()
    if shape < 0.15:
        return None
    if shape < 0.3:
        return {}
    if shape < 0.55:
        return {"flow": {"first_name": rng.choice(["Ada", "Grace", "Alan", "Radia"])}}
    number = f"+1{rng.randrange(2_000_000_000, 9_999_999_999)}"
    message = {
        "Body": "Hi, I would like to check my order status. Grüße, 世界"[: rng.randrange(2, 60)],
        "From": number,
        "To": "+14155550123",
        "MessageSid": "SM" + f"{rng.getrandbits(128):032x}",
        "AccountSid": ACCOUNT_SID,
        "NumMedia": "0",
        "SmsStatus": "received",
    }
    return {"trigger": {"message": message}, "flow": {"flow_sid": "FW" + "1" * 32, "data": {}}}
