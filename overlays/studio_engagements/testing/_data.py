"""Seeded identities: stable hashes, SIDs, the mock's credentials and its default flows."""

from __future__ import annotations

import base64
import hashlib

import attrs

from ._patterns import PatternShape


def digest(*parts: object, size: int = 64) -> bytes:
    """A stable hash of ``parts`` (unlike ``hash()``, the same in every process)."""
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=size).digest()


def entropy(*parts: object, size: int) -> bytes:
    """``size`` stable bytes from ``parts``: whole :func:`digest` blocks, cut to ``size``.

    The first bytes do not depend on ``size``: asking for more (a record schema that grew)
    changes none of the bytes asked for before.
    """
    data = digest(*parts)
    for block in range(1, -(-size // 64)):
        data += digest(*parts, block)
    return data[:size]


def sid(prefix: str, *parts: object) -> str:
    """A Twilio SID: two letters and 32 hex digits, derived from ``parts``."""
    return prefix + digest(prefix, *parts, size=16).hex()


@attrs.frozen
class MockCredentials:
    """The account SID / auth token pair and the API key SID / secret pair the mock accepts."""

    account_sid: str
    auth_token: str = attrs.field(repr=False)
    api_key_sid: str
    api_key_secret: str = attrs.field(repr=False)

    @classmethod
    def for_seed(cls, seed: int) -> MockCredentials:
        """Credentials derived from the seed: stable across runs, distinct across seeds."""
        return cls(
            account_sid=sid("AC", "account", seed),
            auth_token=digest("auth-token", seed, size=16).hex(),
            api_key_sid=sid("SK", "api-key", seed),
            api_key_secret=base64.urlsafe_b64encode(digest("api-secret", seed, size=24)).decode(),
        )

    def pairs(self) -> tuple[tuple[bytes, bytes], ...]:
        """Every accepted (user, password), as bytes for a constant-time comparison."""
        return (
            (self.account_sid.encode(), self.auth_token.encode()),
            (self.api_key_sid.encode(), self.api_key_secret.encode()),
        )


def seeded_sid(pattern: str | None, *parts: object) -> str:
    """A value of the SID ``pattern`` (``^FW[0-9a-fA-F]{32}$``) derived from ``parts``.

    For a literal prefix and hex digits, the same as :func:`sid` with that prefix.
    """
    if pattern is None:
        raise ValueError("the flow SID parameter needs a pattern for the mock to seed flow SIDs")
    shape = PatternShape.parse(pattern)
    return shape.generator(0)(digest(shape.prefix, *parts, size=shape.size))


def default_flows(
    seed: int, example_flow_sid: str | None, flow_sid_pattern: str | None
) -> dict[str, int]:
    """A few flows: the spec's example flow, a large one, a short one and an empty one."""
    flows = {} if example_flow_sid is None else {example_flow_sid: 120}
    for name, count in (("large", 2500), ("short", 7), ("empty", 0)):
        flows[seeded_sid(flow_sid_pattern, "flow", name, seed)] = count
    return flows
