from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

import attrs

from ..models.engagement_status import EngagementStatus
from ..types import (
    AwareDateTime,
    ExtraFields,
    JsonValue,
    LazyExtra,
    LazyJson,
    Model,
    OpenEnum,
    format_datetime,
    not_an_object,
    parse_datetime,
    read_json,
    sent_json,
    wrong_type,
)

_ENGAGEMENTSTATUS_MEMBERS: dict[str, EngagementStatus] = {
    member.value: member for member in EngagementStatus
}
_new = object.__new__
_set = object.__setattr__


@attrs.frozen(slots=True)
class Engagement(Model):
    """An Engagement of a Studio Flow. No field is required: any field may be null or absent, and fields Twilio adds later
    are allowed.

        Attributes:
            sid: The unique string that we created to identify the Engagement resource.
            account_sid: The SID of the Account that created the Engagement resource.
            flow_sid: The SID of the Flow.
            contact_sid: The SID of the Contact.
            contact_channel_address: The phone number, SIP address or Client identifier that triggered this Engagement. Phone numbers are in
                E.164 format (+16175551212). SIP addresses are formatted as name@company.com. Client identifiers are
                formatted client:name.
            context: The current state of the execution flow, any JSON value. As your flow executes, we save the state in a flow
                context.
            status: The status of the Engagement. Can be: active or ended. Any other string is accepted, so that a status Twilio
                adds later does not break parsing.
            date_created: The date and time in GMT when the Engagement was created in ISO 8601 format.
            date_updated: The date and time in GMT when the Engagement was updated in ISO 8601 format.
            url: The absolute URL of the resource.
            links: URLs of related resources, such as `steps` and `engagement_context`; null or absent when there are none.
            extra: Keys the API sent that this version does not know, as they came.
    """

    sid: str | None = None
    account_sid: str | None = None
    flow_sid: str | None = None
    contact_sid: str | None = None
    contact_channel_address: str | None = None
    context: JsonValue = None
    status: OpenEnum[EngagementStatus] | None = None
    date_created: AwareDateTime | None = None
    date_updated: AwareDateTime | None = None
    url: str | None = None
    links: Mapping[str, Any] | None = None
    extra: ExtraFields = attrs.field(factory=dict)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "sid",
        "account_sid",
        "flow_sid",
        "contact_sid",
        "contact_channel_address",
        "context",
        "status",
        "date_created",
        "date_updated",
        "url",
        "links",
    )
    """ The JSON names of the fields, in the spec's order (what to_dict writes besides extra) """
    SUMMARY_FIELDS: ClassVar[tuple[str, ...]] = (
        "sid",
        "contact_sid",
        "status",
        "date_created",
    )
    """ The fields the spec marks ``x-summary``: a short view of a record """

    @classmethod
    def from_dict(cls, src_dict: object) -> Self:
        """Read one decoded JSON object; raises ParseError naming the first bad field"""

        if type(src_dict) is not dict:
            raise not_an_object("Engagement", src_dict)
        get = src_dict.get
        sid = get("sid")
        if type(sid) is not str and sid is not None:
            raise wrong_type("Engagement", "sid", sid, "a string or null")
        account_sid = get("account_sid")
        if type(account_sid) is not str and account_sid is not None:
            raise wrong_type(
                "Engagement", "account_sid", account_sid, "a string or null"
            )
        flow_sid = get("flow_sid")
        if type(flow_sid) is not str and flow_sid is not None:
            raise wrong_type("Engagement", "flow_sid", flow_sid, "a string or null")
        contact_sid = get("contact_sid")
        if type(contact_sid) is not str and contact_sid is not None:
            raise wrong_type(
                "Engagement", "contact_sid", contact_sid, "a string or null"
            )
        contact_channel_address = get("contact_channel_address")
        if (
            type(contact_channel_address) is not str
            and contact_channel_address is not None
        ):
            raise wrong_type(
                "Engagement",
                "contact_channel_address",
                contact_channel_address,
                "a string or null",
            )
        context = get("context")
        status = get("status")
        if type(status) is str:
            status = _ENGAGEMENTSTATUS_MEMBERS.get(status, status)
        elif status is not None:
            raise wrong_type("Engagement", "status", status, "a string or null")
        date_created = get("date_created")
        if date_created is not None:
            date_created = parse_datetime(date_created, "Engagement", "date_created")
        date_updated = get("date_updated")
        if date_updated is not None:
            date_updated = parse_datetime(date_updated, "Engagement", "date_updated")
        url = get("url")
        if type(url) is not str and url is not None:
            raise wrong_type("Engagement", "url", url, "a string or null")
        links = get("links")
        if links is not None:
            if type(links) is not dict:
                raise wrong_type("Engagement", "links", links, "an object or null")

        instance = _new(cls)
        _set(instance, "sid", sid)
        _set(instance, "account_sid", account_sid)
        _set(instance, "flow_sid", flow_sid)
        _set(instance, "contact_sid", contact_sid)
        _set(instance, "contact_channel_address", contact_channel_address)
        _set(instance, "context", context)
        _set(instance, "status", status)
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
            _set(self, "status", _ENGAGEMENTSTATUS_MEMBERS.get(status, status))

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
            "flow_sid": self.flow_sid,
            "contact_sid": self.contact_sid,
            "contact_channel_address": self.contact_channel_address,
            "context": self.context,
            "status": self.status.value
            if isinstance(self.status, EngagementStatus)
            else self.status,
            "date_created": format_datetime(self.date_created),
            "date_updated": format_datetime(self.date_updated),
            "url": self.url,
            "links": None if self.links is None else dict(self.links),
        }


_FIELDS = frozenset(Engagement.FIELDS)
_FIELD_COUNT = len(_FIELDS)
Engagement.extra = LazyExtra(_FIELDS)
Engagement.context = LazyJson(Engagement, "context")
