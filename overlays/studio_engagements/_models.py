"""The typed values users get: Engagement, a page of them, and its paging metadata.

Parsing is strict about types (a wrong type is an error, never a silent ``None``) and tolerant
about evolution (an unknown ``status`` keeps its string, unknown fields are kept in ``extra``).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

import attrs

from studio_engagements_api.models.engagement_status import EngagementStatus

__all__ = ["Engagement", "EngagementStatus", "Page", "PageMeta", "ParseError"]

_STATUSES: dict[str, EngagementStatus] = {member.value: member for member in EngagementStatus}
_STRING_FIELDS = ("sid", "account_sid", "flow_sid", "contact_sid", "contact_channel_address", "url")
_KNOWN = frozenset((*_STRING_FIELDS, "context", "status", "date_created", "date_updated", "links"))
_fromisoformat = datetime.fromisoformat


class ParseError(ValueError):
    """A record or page does not have the shape the spec promises (turned into an API error)."""


@attrs.frozen
class Engagement:
    """One Engagement of a Studio Flow. Absent and null fields are both ``None``."""

    sid: str | None
    account_sid: str | None
    flow_sid: str | None
    contact_sid: str | None
    contact_channel_address: str | None
    context: Any
    status: EngagementStatus | str | None
    date_created: datetime | None
    date_updated: datetime | None
    url: str | None
    links: Mapping[str, str] | None = None
    extra: Mapping[str, Any] = attrs.field(factory=dict)
    """Fields the API sent that this version does not know, as they came."""

    @classmethod
    def from_dict(cls, record: object) -> Engagement:
        """Parse one JSON record; raises :class:`ParseError` naming the first bad field."""
        if type(record) is not dict:
            raise ParseError(f"an engagement must be a JSON object, not {_json_type(record)}")
        get = record.get
        for name in _STRING_FIELDS:
            value = get(name)
            if value is not None and type(value) is not str:
                raise ParseError(
                    f"engagement field {name!r} must be a string or null, not {_json_type(value)}"
                )
        status = get("status")
        if status is not None:
            if type(status) is not str:
                raise ParseError(
                    f"engagement field 'status' must be a string, not {_json_type(status)}"
                )
            status = _STATUSES.get(status, status)
        links = get("links")
        if links is not None and (
            type(links) is not dict or not all(type(v) is str for v in links.values())
        ):
            raise ParseError("engagement field 'links' must be an object of URL strings or null")
        return cls(
            get("sid"),
            get("account_sid"),
            get("flow_sid"),
            get("contact_sid"),
            get("contact_channel_address"),
            get("context"),
            status,
            _datetime(get("date_created"), "date_created"),
            _datetime(get("date_updated"), "date_updated"),
            get("url"),
            links,
            {}
            if _KNOWN.issuperset(record)
            else {k: v for k, v in record.items() if k not in _KNOWN},
        )

    def to_dict(self) -> dict[str, Any]:
        """The engagement as the API's JSON object (dates as ISO 8601, UTC as ``Z``)."""
        return {
            **self.extra,
            "sid": self.sid,
            "account_sid": self.account_sid,
            "flow_sid": self.flow_sid,
            "contact_sid": self.contact_sid,
            "contact_channel_address": self.contact_channel_address,
            "context": self.context,
            "status": self.status.value
            if isinstance(self.status, EngagementStatus)
            else self.status,
            "date_created": _iso(self.date_created),
            "date_updated": _iso(self.date_updated),
            "url": self.url,
            "links": None if self.links is None else dict(self.links),
        }


@attrs.frozen
class PageMeta:
    """A page's ``meta``: where it is and where the next and previous pages are."""

    page: int
    page_size: int
    key: str
    url: str
    first_page_url: str
    next_page_url: str | None
    previous_page_url: str | None

    @classmethod
    def from_dict(cls, meta: object) -> PageMeta:
        """Parse ``meta``; raises :class:`ParseError` naming the first missing or bad key."""
        if type(meta) is not dict:
            raise ParseError(f"'meta' must be a JSON object, not {_json_type(meta)}")
        values: dict[str, Any] = {}
        for field in attrs.fields(cls):
            kinds = _META_KINDS[field.name]
            if field.name not in meta:
                raise ParseError(f"'meta' has no {field.name!r}")
            value = meta[field.name]
            if type(value) not in kinds:
                wanted = _META_WORDS[field.name]
                raise ParseError(f"meta {field.name!r} must be {wanted}, not {_json_type(value)}")
            values[field.name] = value
        return cls(**values)


_META_KINDS: dict[str, tuple[type, ...]] = {
    "page": (int,),
    "page_size": (int,),
    "key": (str,),
    "url": (str,),
    "first_page_url": (str,),
    "next_page_url": (str, type(None)),
    "previous_page_url": (str, type(None)),
}
_META_WORDS = {
    name: " or ".join(
        {int: "an integer", str: "a string", type(None): "null"}[kind] for kind in kinds
    )
    for name, kinds in _META_KINDS.items()
}


@attrs.frozen
class Page:
    """One page of engagements, as the API returned it."""

    engagements: list[Engagement]
    meta: PageMeta

    @classmethod
    def from_dict(cls, body: object) -> Page:
        """Parse a decoded response body; raises :class:`ParseError` on any deviation."""
        if type(body) is not dict:
            raise ParseError(f"the body must be a JSON object, not {_json_type(body)}")
        if "meta" not in body:
            raise ParseError("the body has no 'meta'")
        records = body.get("engagements")
        if type(records) is not list:
            raise ParseError(f"'engagements' must be a JSON array, not {_json_type(records)}")
        meta = PageMeta.from_dict(body["meta"])
        parse = Engagement.from_dict
        return cls([parse(record) for record in records], meta)


def _datetime(value: object, name: str) -> datetime | None:
    if value is None:
        return None
    if type(value) is not str:
        raise ParseError(
            f"engagement field {name!r} must be an ISO 8601 string or null, not {_json_type(value)}"
        )
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        raise ParseError(
            f"engagement field {name!r} is not an ISO 8601 date-time: {value[:40]!r}"
        ) from None
    # Twilio's dates are in GMT; a date without an offset is read as UTC, never left naive.
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=UTC)


def _iso(value: datetime | None) -> str | None:
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def _json_type(value: object) -> str:
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)
