from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Self

import attrs

from ..types import (
    AwareDateTime,
    ExtraFields,
    JsonValue,
    LazyExtra,
    LazyJson,
    Model,
    format_datetime,
    not_an_object,
    parse_datetime,
    read_json,
    sent_json,
    wrong_type,
)

_new = object.__new__
_set = object.__setattr__


@attrs.frozen(slots=True)
class Step(Model):
    """A Step of an Engagement: one widget it went through. No field is required: any field may be null or absent, and
    fields Twilio adds later are allowed.

        Attributes:
            sid: The unique string that we created to identify the Step resource.
            account_sid: The SID of the Account that created the Step resource.
            flow_sid: The SID of the Flow.
            engagement_sid: The SID of the Engagement.
            name: The event that caused the Flow to transition to the Step.
            context: The state of the Flow's Execution at this Step, any JSON value. As a flow executes, we save its state in
                this context.
            parent_step_sid: The SID of the parent Step.
            transitioned_from: The Widget that preceded the Widget for the Step.
            transitioned_to: The Widget that will follow the Widget for the Step.
            type_: The type of the widget that was executed.
            date_created: The date and time in GMT when the resource was created, in ISO 8601 format.
            date_updated: The date and time in GMT when the resource was last updated, in ISO 8601 format.
            url: The absolute URL of the resource.
            links: URLs of related resources, such as `step_context`; null or absent when there are none.
            extra: Keys the API sent that this version does not know, as they came.
    """

    sid: str | None = None
    account_sid: str | None = None
    flow_sid: str | None = None
    engagement_sid: str | None = None
    name: str | None = None
    context: JsonValue = None
    parent_step_sid: str | None = None
    transitioned_from: str | None = None
    transitioned_to: str | None = None
    type_: str | None = None
    date_created: AwareDateTime | None = None
    date_updated: AwareDateTime | None = None
    url: str | None = None
    links: Mapping[str, Any] | None = None
    extra: ExtraFields = attrs.field(factory=dict)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "sid",
        "account_sid",
        "flow_sid",
        "engagement_sid",
        "name",
        "context",
        "parent_step_sid",
        "transitioned_from",
        "transitioned_to",
        "type",
        "date_created",
        "date_updated",
        "url",
        "links",
    )
    """ The JSON names of the fields, in the spec's order (what to_dict writes besides extra) """
    SUMMARY_FIELDS: ClassVar[tuple[str, ...]] = (
        "sid",
        "name",
        "transitioned_from",
        "transitioned_to",
    )
    """ The fields the spec marks ``x-summary``: a short view of a record """

    @classmethod
    def from_dict(cls, src_dict: object) -> Self:
        """Read one decoded JSON object; raises ParseError naming the first bad field"""

        if type(src_dict) is not dict:
            raise not_an_object("Step", src_dict)
        get = src_dict.get
        sid = get("sid")
        if type(sid) is not str and sid is not None:
            raise wrong_type("Step", "sid", sid, "a string or null")
        account_sid = get("account_sid")
        if type(account_sid) is not str and account_sid is not None:
            raise wrong_type("Step", "account_sid", account_sid, "a string or null")
        flow_sid = get("flow_sid")
        if type(flow_sid) is not str and flow_sid is not None:
            raise wrong_type("Step", "flow_sid", flow_sid, "a string or null")
        engagement_sid = get("engagement_sid")
        if type(engagement_sid) is not str and engagement_sid is not None:
            raise wrong_type(
                "Step", "engagement_sid", engagement_sid, "a string or null"
            )
        name = get("name")
        if type(name) is not str and name is not None:
            raise wrong_type("Step", "name", name, "a string or null")
        context = get("context")
        parent_step_sid = get("parent_step_sid")
        if type(parent_step_sid) is not str and parent_step_sid is not None:
            raise wrong_type(
                "Step", "parent_step_sid", parent_step_sid, "a string or null"
            )
        transitioned_from = get("transitioned_from")
        if type(transitioned_from) is not str and transitioned_from is not None:
            raise wrong_type(
                "Step", "transitioned_from", transitioned_from, "a string or null"
            )
        transitioned_to = get("transitioned_to")
        if type(transitioned_to) is not str and transitioned_to is not None:
            raise wrong_type(
                "Step", "transitioned_to", transitioned_to, "a string or null"
            )
        type_ = get("type")
        if type(type_) is not str and type_ is not None:
            raise wrong_type("Step", "type", type_, "a string or null")
        date_created = get("date_created")
        if date_created is not None:
            date_created = parse_datetime(date_created, "Step", "date_created")
        date_updated = get("date_updated")
        if date_updated is not None:
            date_updated = parse_datetime(date_updated, "Step", "date_updated")
        url = get("url")
        if type(url) is not str and url is not None:
            raise wrong_type("Step", "url", url, "a string or null")
        links = get("links")
        if links is not None:
            if type(links) is not dict:
                raise wrong_type("Step", "links", links, "an object or null")

        instance = _new(cls)
        _set(instance, "sid", sid)
        _set(instance, "account_sid", account_sid)
        _set(instance, "flow_sid", flow_sid)
        _set(instance, "engagement_sid", engagement_sid)
        _set(instance, "name", name)
        _set(instance, "context", context)
        _set(instance, "parent_step_sid", parent_step_sid)
        _set(instance, "transitioned_from", transitioned_from)
        _set(instance, "transitioned_to", transitioned_to)
        _set(instance, "type_", type_)
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
            "engagement_sid": self.engagement_sid,
            "name": self.name,
            "context": self.context,
            "parent_step_sid": self.parent_step_sid,
            "transitioned_from": self.transitioned_from,
            "transitioned_to": self.transitioned_to,
            "type": self.type_,
            "date_created": format_datetime(self.date_created),
            "date_updated": format_datetime(self.date_updated),
            "url": self.url,
            "links": None if self.links is None else dict(self.links),
        }


_FIELDS = frozenset(Step.FIELDS)
_FIELD_COUNT = len(_FIELDS)
Step.extra = LazyExtra(_FIELDS)
Step.context = LazyJson(Step, "context")
