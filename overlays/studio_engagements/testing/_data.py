"""Seeded identities: hashes, SIDs, the mock's credentials, default flows and page tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac

import attrs

TOKEN_PREFIX = "PT"  # noqa: S105 (a marker, not a secret)
MAC_SIZE = 10  # with the 8-byte position, 18 bytes: 24 base64 characters, no padding


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


def default_flows(seed: int, example_flow_sid: str | None) -> dict[str, int]:
    """A few flows: the spec's example flow, a large one, a short one and an empty one."""
    flows = {} if example_flow_sid is None else {example_flow_sid: 120}
    for name, count in (("large", 2500), ("short", 7), ("empty", 0)):
        flows[sid("FW", "flow", name, seed)] = count
    return flows


@attrs.frozen
class PageTokens:
    """Opaque page tokens: a flow position signed so that a forged or edited token is refused."""

    key: bytes = attrs.field(repr=False)

    def issue(self, flow_sid: str, offset: int) -> str:
        """The token for the page of ``flow_sid`` that starts at engagement ``offset``."""
        position = offset.to_bytes(8, "big")
        return TOKEN_PREFIX + _b64(position + self._mac(flow_sid, position))

    def offset(self, flow_sid: str, token: str) -> int | None:
        """Where ``token`` starts in ``flow_sid``, or None if this mock did not issue it for it."""
        if not token.startswith(TOKEN_PREFIX):
            return None
        text = token[len(TOKEN_PREFIX) :]
        try:
            raw = base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
        except ValueError:
            return None
        # The decoder skips stray characters and spare bits: only the canonical spelling counts.
        if _b64(raw) != text or len(raw) != 8 + MAC_SIZE:
            return None
        position, mac = raw[:8], raw[8:]
        if not hmac.compare_digest(mac, self._mac(flow_sid, position)):
            return None
        return int.from_bytes(position, "big")

    def _mac(self, flow_sid: str, position: bytes) -> bytes:
        return hmac.digest(self.key, flow_sid.encode() + position, "sha256")[:MAC_SIZE]


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")
