"""Seeded engagements, made one at a time from (seed, flow, index), so a flow costs no memory."""

from __future__ import annotations

import base64
import hashlib
import hmac
from datetime import UTC, datetime, timedelta
from typing import Any

import attrs

# The newest engagement of every flow; older ones step back a minute or so each.
NEWEST = datetime(2024, 6, 1, 12, 0, 0, tzinfo=UTC)
FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Linus")
TOKEN_PREFIX = "PT"  # noqa: S105 (a marker, not a secret)
MAC_SIZE = 10  # with the 8-byte position, 18 bytes: 24 base64 characters, no padding


def digest(*parts: object, size: int = 64) -> bytes:
    """A stable hash of ``parts`` (unlike ``hash()``, the same in every process)."""
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=size).digest()


def sid(prefix: str, *parts: object) -> str:
    """A Twilio SID: two letters and 32 hex digits, derived from ``parts``."""
    return prefix + digest(prefix, *parts, size=16).hex()


@attrs.frozen
class Credentials:
    """The account SID / auth token pair and the API key SID / secret pair the mock accepts."""

    account_sid: str
    auth_token: str = attrs.field(repr=False)
    api_key_sid: str
    api_key_secret: str = attrs.field(repr=False)

    @classmethod
    def for_seed(cls, seed: int) -> Credentials:
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


def engagement(
    seed: int, account_sid: str, flow_sid: str, index: int, origin: str
) -> dict[str, Any]:
    """Engagement ``index`` of a flow, as the API serializes it.

    ``origin`` is where its ``url`` and ``links`` point: the live API's canonical host, not the
    mock's, so a record is the same however the mock is reached.
    """
    d = digest(seed, flow_sid, index)
    engagement_sid = "FN" + d[:16].hex()
    created = NEWEST - timedelta(seconds=61 * index + d[32] % 60)
    status = "active" if d[33] % 3 == 0 else "ended"
    # Active engagements are often untouched since creation: date_updated is then null.
    updated = None if d[34] % 4 == 0 else created + timedelta(seconds=d[35] * 7)
    url = f"{origin}/v1/Flows/{flow_sid}/Engagements/{engagement_sid}"
    return {
        "sid": engagement_sid,
        "account_sid": account_sid,
        "flow_sid": flow_sid,
        "contact_sid": None if d[36] % 10 == 0 else "FC" + d[16:32].hex(),
        "contact_channel_address": _address(d),
        "context": _context(d),
        "status": status,
        "date_created": _iso(created),
        "date_updated": None if updated is None else _iso(updated),
        "url": url,
        "links": {"steps": f"{url}/Steps", "engagement_context": f"{url}/Context"},
    }


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _address(d: bytes) -> str | None:
    name = FIRST_NAMES[d[38] % len(FIRST_NAMES)].lower()
    match d[37] % 8:
        case 0:
            return None
        case 1:
            return f"{name}@company.com"
        case 2:
            return f"client:{name}"
        case _:
            return "+1" + str(2_000_000_000 + int.from_bytes(d[40:44]) % 8_000_000_000)


def _context(d: bytes) -> Any:
    # Twilio stores whatever the flow's widgets put there: the shapes vary a lot.
    name = FIRST_NAMES[d[39] % len(FIRST_NAMES)]
    match d[44] % 6:
        case 0:
            return {}
        case 1:
            return {"flow": {"first_name": name}}
        case 2:
            return {
                "trigger": {"message": {"Body": f"Hi, I'm {name}", "NumMedia": "0"}},
                "widgets": {"send_reply": {"status": "delivered"}},
            }
        case 3:
            return {"flow": {"data": {"items": [1, 2.5, "three", None, True], "count": d[45]}}}
        case 4:
            return {
                "flow": {"variables": {"unicode": "Grüße, 世界", "nested": {"deep": [{"a": []}]}}}
            }
        case _:
            return None


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
