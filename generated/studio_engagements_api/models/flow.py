from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

import attrs

from ..models.flow_status import FlowStatus
from ..types import (
    AwareDateTime,
    ExtraFields,
    LazyExtra,
    Model,
    OpenEnum,
    format_datetime,
    not_an_object,
    parse_datetime,
    read_json,
    sent_json,
    wrong_type,
)

_FLOWSTATUS_MEMBERS: dict[str, FlowStatus] = {
    member.value: member for member in FlowStatus
}
_new = object.__new__
_set = object.__setattr__


@attrs.frozen(slots=True)
class Flow(Model):
    """A Studio Flow. No field is required: any field may be null or absent, and fields Twilio adds later are allowed.

    Attributes:
        sid: The unique string that we created to identify the Flow resource.
        account_sid: The SID of the Account that created the Flow resource.
        friendly_name: The string that you assigned to describe the Flow.
        status: The status of the Flow. Can be: draft or published. Any other string is accepted, so that a status Twilio
            adds later does not break parsing.
        version: The latest version number of the Flow's definition.
        date_created: The date and time in GMT when the resource was created, in ISO 8601 format.
        date_updated: The date and time in GMT when the resource was last updated, in ISO 8601 format.
        url: The absolute URL of the resource.
        links: URLs of the Flow's nested resources, such as its `engagements`; null or absent when there are none.
        extra: Keys the API sent that this version does not know, as they came.
    """

    sid: str | None = None
    account_sid: str | None = None
    friendly_name: str | None = None
    status: OpenEnum[FlowStatus] | None = None
    version: int | None = None
    date_created: AwareDateTime | None = None
    date_updated: AwareDateTime | None = None
    url: str | None = None
    links: Mapping[str, Any] | None = None
    extra: ExtraFields = attrs.field(factory=dict)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "sid",
        "account_sid",
        "friendly_name",
        "status",
        "version",
        "date_created",
        "date_updated",
        "url",
        "links",
    )
    """ The JSON names of the fields, in the spec's order (what to_dict writes besides extra) """
    SUMMARY_FIELDS: ClassVar[tuple[str, ...]] = (
        "sid",
        "friendly_name",
        "status",
        "version",
    )
    """ The fields the spec marks ``x-summary``: a short view of a record """

    @classmethod
    def from_dict(cls, src_dict: object) -> Self:
        """Read one decoded JSON object; raises ParseError naming the first bad field"""

        if type(src_dict) is not dict:
            raise not_an_object("Flow", src_dict)
        get = src_dict.get
        sid = get("sid")
        if type(sid) is not str and sid is not None:
            raise wrong_type("Flow", "sid", sid, "a string or null")
        account_sid = get("account_sid")
        if type(account_sid) is not str and account_sid is not None:
            raise wrong_type("Flow", "account_sid", account_sid, "a string or null")
        friendly_name = get("friendly_name")
        if type(friendly_name) is not str and friendly_name is not None:
            raise wrong_type("Flow", "friendly_name", friendly_name, "a string or null")
        status = get("status")
        if type(status) is str:
            status = _FLOWSTATUS_MEMBERS.get(status, status)
        elif status is not None:
            raise wrong_type("Flow", "status", status, "a string or null")
        version = get("version")
        if type(version) is not int and version is not None:
            raise wrong_type("Flow", "version", version, "an integer or null")
        date_created = get("date_created")
        if date_created is not None:
            date_created = parse_datetime(date_created, "Flow", "date_created")
        date_updated = get("date_updated")
        if date_updated is not None:
            date_updated = parse_datetime(date_updated, "Flow", "date_updated")
        url = get("url")
        if type(url) is not str and url is not None:
            raise wrong_type("Flow", "url", url, "a string or null")
        links = get("links")
        if links is not None:
            if type(links) is not dict:
                raise wrong_type("Flow", "links", links, "an object or null")

        instance = _new(cls)
        _set(instance, "sid", sid)
        _set(instance, "account_sid", account_sid)
        _set(instance, "friendly_name", friendly_name)
        _set(instance, "status", status)
        _set(instance, "version", version)
        _set(instance, "date_created", date_created)
        _set(instance, "date_updated", date_updated)
        _set(instance, "url", url)
        _set(instance, "links", links)
        if len(src_dict) == _FIELD_COUNT and _FIELDS.issuperset(src_dict):
            _set(instance, "extra", {})  # every field and nothing new
        else:
            _set(
                instance,
                "extra",
                {
                    name_: value_
                    for name_, value_ in src_dict.items()
                    if name_ not in _FIELDS
                },
            )
        return instance

    def __attrs_post_init__(self) -> None:
        # Called by __init__ only: from_dict converts as it reads, and msgspec decodes the wire class.
        status = self.status
        if status.__class__ is str:
            _set(self, "status", _FLOWSTATUS_MEMBERS.get(status, status))

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickled as its JSON object: what an instance keeps undecoded refers to its page.
        return (self.from_dict, (self.to_dict(),))

    @classmethod
    def from_json(cls, content: bytes) -> Self:
        """Read one JSON document; ParseError naming the first bad field, ValueError if not JSON

        msgspec decodes it straight into the class where it can, else from_dict reads it: the
        values are the same (see types.read_json).
        """
        return read_json(cls, content)

    def sent_json(self) -> bytes | None:
        """This object's JSON, byte for byte as the API sent it

        Known for a model read by from_json from a strict JSON document (one msgspec reads), and
        for each model in it; None otherwise.
        """
        return sent_json(self)

    def to_dict(self) -> dict[str, Any]:
        """The JSON object: unknown keys as they came, then every field (None as null)"""
        return {
            **self.extra,
            "sid": self.sid,
            "account_sid": self.account_sid,
            "friendly_name": self.friendly_name,
            "status": self.status.value
            if isinstance(self.status, FlowStatus)
            else self.status,
            "version": self.version,
            "date_created": format_datetime(self.date_created),
            "date_updated": format_datetime(self.date_updated),
            "url": self.url,
            "links": None if self.links is None else dict(self.links),
        }


_FIELDS = frozenset(Flow.FIELDS)
_FIELD_COUNT = len(_FIELDS)
Flow.extra = LazyExtra(_FIELDS)
