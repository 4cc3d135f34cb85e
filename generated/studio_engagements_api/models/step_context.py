from __future__ import annotations

from typing import Any, ClassVar, Self

import attrs

from ..types import (
    ExtraFields,
    JsonValue,
    LazyExtra,
    LazyJson,
    Model,
    not_an_object,
    read_json,
    sent_json,
    wrong_type,
)

_new = object.__new__
_set = object.__setattr__


@attrs.frozen(slots=True)
class StepContext(Model):
    """The context of a Step. No field is required: any field may be null or absent, and fields Twilio adds later are
    allowed.

        Attributes:
            account_sid: The SID of the Account that created the StepContext resource.
            context: The state of the Flow's Execution at this Step, any JSON value.
            engagement_sid: The SID of the Engagement.
            flow_sid: The SID of the Flow.
            step_sid: The SID of the Step the context is associated with.
            url: The absolute URL of the resource.
            extra: Keys the API sent that this version does not know, as they came.
    """

    account_sid: str | None = None
    context: JsonValue = None
    engagement_sid: str | None = None
    flow_sid: str | None = None
    step_sid: str | None = None
    url: str | None = None
    extra: ExtraFields = attrs.field(factory=dict)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "account_sid",
        "context",
        "engagement_sid",
        "flow_sid",
        "step_sid",
        "url",
    )
    """ The JSON names of the fields, in the spec's order (what to_dict writes besides extra) """
    SUMMARY_FIELDS: ClassVar[tuple[str, ...]] = ()
    """ The fields the spec marks ``x-summary``: a short view of a record """

    @classmethod
    def from_dict(cls, src_dict: object) -> Self:
        """Read one decoded JSON object; raises ParseError naming the first bad field"""

        if type(src_dict) is not dict:
            raise not_an_object("StepContext", src_dict)
        get = src_dict.get
        account_sid = get("account_sid")
        if type(account_sid) is not str and account_sid is not None:
            raise wrong_type(
                "StepContext", "account_sid", account_sid, "a string or null"
            )
        context = get("context")
        engagement_sid = get("engagement_sid")
        if type(engagement_sid) is not str and engagement_sid is not None:
            raise wrong_type(
                "StepContext", "engagement_sid", engagement_sid, "a string or null"
            )
        flow_sid = get("flow_sid")
        if type(flow_sid) is not str and flow_sid is not None:
            raise wrong_type("StepContext", "flow_sid", flow_sid, "a string or null")
        step_sid = get("step_sid")
        if type(step_sid) is not str and step_sid is not None:
            raise wrong_type("StepContext", "step_sid", step_sid, "a string or null")
        url = get("url")
        if type(url) is not str and url is not None:
            raise wrong_type("StepContext", "url", url, "a string or null")
        instance = _new(cls)
        _set(instance, "account_sid", account_sid)
        _set(instance, "context", context)
        _set(instance, "engagement_sid", engagement_sid)
        _set(instance, "flow_sid", flow_sid)
        _set(instance, "step_sid", step_sid)
        _set(instance, "url", url)
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
            "account_sid": self.account_sid,
            "context": self.context,
            "engagement_sid": self.engagement_sid,
            "flow_sid": self.flow_sid,
            "step_sid": self.step_sid,
            "url": self.url,
        }


_FIELDS = frozenset(StepContext.FIELDS)
_FIELD_COUNT = len(_FIELDS)
StepContext.extra = LazyExtra(_FIELDS)
StepContext.context = LazyJson(StepContext, "context")
