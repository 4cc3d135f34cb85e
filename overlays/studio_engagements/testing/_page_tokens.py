"""Opaque page tokens: a flow position, signed so that a forged or edited token is refused."""

from __future__ import annotations

import base64
import hmac

import attrs

TOKEN_PREFIX = "PT"  # noqa: S105 (a marker, not a secret)
MAC_SIZE = 10  # with the 8-byte position, 18 bytes: 24 base64 characters, no padding


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
