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
_KNOWN_COUNT = len(_KNOWN)
_fromisoformat = datetime.fromisoformat
_new = object.__new__
_set = object.__setattr__


class ParseError(ValueError):
    """A record or page does not have the shape the spec promises (turned into an API error)."""


_LINKS = "engagement field 'links' must be an object of URL strings or null"


# Not slotted: from_dict sets an instance's __dict__ in one step; with slots it took 12 frozen
# setattr calls, 1.2 of the 3.4 us a record cost to parse (issue 6's profile).
@attrs.frozen(slots=False)
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
        # The hot path of every page: one pass of cheap identity checks; the name of a problem
        # is worked out only once there is one.
        if type(record) is not dict:
            raise ParseError(f"an engagement must be a JSON object, not {_json_type(record)}")
        get = record.get
        sid = get("sid")
        account_sid = get("account_sid")
        flow_sid = get("flow_sid")
        contact_sid = get("contact_sid")
        address = get("contact_channel_address")
        url = get("url")
        if not (
            (type(sid) is str or sid is None)
            and (type(account_sid) is str or account_sid is None)
            and (type(flow_sid) is str or flow_sid is None)
            and (type(contact_sid) is str or contact_sid is None)
            and (type(address) is str or address is None)
            and (type(url) is str or url is None)
        ):
            raise _string_field_error(record)
        status = get("status")
        if type(status) is str:
            status = _STATUSES.get(status, status)
        elif status is not None:
            raise ParseError(
                f"engagement field 'status' must be a string, not {_json_type(status)}"
            )
        links = get("links")
        if links is not None:
            if type(links) is not dict:
                raise ParseError(_LINKS)
            for link in links.values():
                if type(link) is not str:
                    raise ParseError(_LINKS)
        created = get("date_created")
        if created is not None:
            created = _datetime(created, "date_created")
        updated = get("date_updated")
        if updated is not None:
            updated = _datetime(updated, "date_updated")
        if len(record) == _KNOWN_COUNT and _KNOWN.issuperset(record):
            # The usual record, every field and nothing new: copying it is the cheapest way
            # to build the instance's fields.
            fields = record.copy()
            fields["status"] = status
            fields["date_created"] = created
            fields["date_updated"] = updated
            fields["extra"] = {}
        else:
            fields = {
                "sid": sid,
                "account_sid": account_sid,
                "flow_sid": flow_sid,
                "contact_sid": contact_sid,
                "contact_channel_address": address,
                "context": get("context"),
                "status": status,
                "date_created": created,
                "date_updated": updated,
                "url": url,
                "links": links,
                "extra": {k: v for k, v in record.items() if k not in _KNOWN},
            }
        engagement = _new(cls)
        _set(engagement, "__dict__", fields)
        return engagement

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
    """A page's ``meta``: where it is and where the next and previous pages are.

    Only ``next_page_url`` is required (paging needs it); any other key may be absent (None).
    """

    next_page_url: str | None
    page: int | None = None
    page_size: int | None = None
    key: str | None = None
    url: str | None = None
    first_page_url: str | None = None
    previous_page_url: str | None = None

    @classmethod
    def from_dict(cls, meta: object) -> PageMeta:
        """Parse ``meta``; raises :class:`ParseError` naming the first missing or bad key."""
        if type(meta) is not dict:
            raise ParseError(f"'meta' must be a JSON object, not {_json_type(meta)}")
        if "next_page_url" not in meta:
            raise ParseError("'meta' has no 'next_page_url' (null on the last page)")
        values: dict[str, Any] = {}
        for name, kinds in _META_KINDS.items():
            value = meta.get(name)
            if value is not None and type(value) not in kinds:
                wanted = _META_WORDS[name]
                raise ParseError(f"meta {name!r} must be {wanted}, not {_json_type(value)}")
            values[name] = value
        return cls(**values)


_META_KINDS: dict[str, tuple[type, ...]] = {
    "page": (int,),
    "page_size": (int,),
    "key": (str,),
    "url": (str,),
    "first_page_url": (str,),
    "next_page_url": (str,),
    "previous_page_url": (str,),
}
_META_WORDS = {
    name: " or ".join({int: "an integer", str: "a string"}[kind] for kind in kinds) + " (or null)"
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


def _string_field_error(record: dict[str, Any]) -> ParseError:
    """The error for the first of the string fields that holds something else."""
    for name in _STRING_FIELDS:
        value = record.get(name)
        if value is not None and type(value) is not str:
            return ParseError(
                f"engagement field {name!r} must be a string or null, not {_json_type(value)}"
            )
    raise AssertionError("called only when a string field is wrong")


def _datetime(value: object, name: str) -> datetime:
    if type(value) is not str:
        raise ParseError(
            f"engagement field {name!r} must be an ISO 8601 string or null, not {_json_type(value)}"
        )
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        try:
            # RFC 3339 allows a lower-case "t" and "z", which datetime does not read.
            parsed = _fromisoformat(value.upper())
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
