from __future__ import annotations

from typing import Any, ClassVar, Self

import attrs

from ..models.page_meta import PageMeta
from ..models.step import Step
from ..types import (
    ExtraFields,
    LazyExtra,
    PageModel,
    missing,
    not_an_object,
    read_json,
    sent_json,
    wrong_type,
)

_new = object.__new__
_set = object.__setattr__


@attrs.frozen(slots=True)
class ListStepResponse(PageModel):
    """One page of Steps. Paging needs both keys; Twilio always sends them.

    Attributes:
        steps:
        meta: Paging information, the same for every list. Only `next_page_url` is required (null on the last page),
            because paging cannot work without it; Twilio's contract requires no key, and Twilio sends them all.
        extra: Keys the API sent that this version does not know, as they came.
    """

    steps: list[Step]
    meta: PageMeta
    extra: ExtraFields = attrs.field(factory=dict)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "steps",
        "meta",
    )
    """ The JSON names of the fields, in the spec's order (what to_dict writes besides extra) """
    SUMMARY_FIELDS: ClassVar[tuple[str, ...]] = ()
    """ The fields the spec marks ``x-summary``: a short view of a record """

    @classmethod
    def from_dict(cls, src_dict: object) -> Self:
        """Read one decoded JSON object; raises ParseError naming the first bad field"""

        if type(src_dict) is not dict:
            raise not_an_object("ListStepResponse", src_dict)
        if "steps" not in src_dict:
            raise missing("ListStepResponse", "steps")
        if "meta" not in src_dict:
            raise missing("ListStepResponse", "meta")
        get = src_dict.get
        steps = get("steps")
        if type(steps) is not list:
            raise wrong_type("ListStepResponse", "steps", steps, "an array")
        steps = [Step.from_dict(item) for item in steps]
        meta = get("meta")
        if type(meta) is not dict:
            raise wrong_type("ListStepResponse", "meta", meta, "an object")
        meta = PageMeta.from_dict(meta)
        instance = _new(cls)
        _set(instance, "steps", steps)
        _set(instance, "meta", meta)
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
            "steps": [item.to_dict() for item in self.steps],
            "meta": self.meta.to_dict(),
        }


_FIELDS = frozenset(ListStepResponse.FIELDS)
_FIELD_COUNT = len(_FIELDS)
ListStepResponse.extra = LazyExtra(_FIELDS)
