from __future__ import annotations

from typing import Any, ClassVar, Self

import attrs

from ..types import (
    ExtraFields,
    LazyExtra,
    Model,
    missing,
    not_an_object,
    read_json,
    sent_json,
    wrong_type,
)

_new = object.__new__
_set = object.__setattr__


@attrs.frozen(slots=True)
class PageMeta(Model):
    """Paging information, the same for every list. Only `next_page_url` is required (null on the last page), because
    paging cannot work without it; Twilio's contract requires no key, and Twilio sends them all.

        Attributes:
            next_page_url:
            first_page_url:
            key:
            page:
            page_size:
            previous_page_url:
            url:
            extra: Keys the API sent that this version does not know, as they came.
    """

    next_page_url: str | None
    first_page_url: str | None = None
    key: str | None = None
    page: int | None = None
    page_size: int | None = None
    previous_page_url: str | None = None
    url: str | None = None
    extra: ExtraFields = attrs.field(factory=dict)

    FIELDS: ClassVar[tuple[str, ...]] = (
        "next_page_url",
        "first_page_url",
        "key",
        "page",
        "page_size",
        "previous_page_url",
        "url",
    )
    """ The JSON names of the fields, in the spec's order (what to_dict writes besides extra) """
    SUMMARY_FIELDS: ClassVar[tuple[str, ...]] = ()
    """ The fields the spec marks ``x-summary``: a short view of a record """

    @classmethod
    def from_dict(cls, src_dict: object) -> Self:
        """Read one decoded JSON object; raises ParseError naming the first bad field"""

        if type(src_dict) is not dict:
            raise not_an_object("PageMeta", src_dict)
        if "next_page_url" not in src_dict:
            raise missing("PageMeta", "next_page_url")
        get = src_dict.get
        next_page_url = get("next_page_url")
        if type(next_page_url) is not str and next_page_url is not None:
            raise wrong_type(
                "PageMeta", "next_page_url", next_page_url, "a string or null"
            )
        first_page_url = get("first_page_url")
        if type(first_page_url) is not str and first_page_url is not None:
            raise wrong_type(
                "PageMeta", "first_page_url", first_page_url, "a string or null"
            )
        key = get("key")
        if type(key) is not str and key is not None:
            raise wrong_type("PageMeta", "key", key, "a string or null")
        page = get("page")
        if type(page) is not int and page is not None:
            raise wrong_type("PageMeta", "page", page, "an integer or null")
        page_size = get("page_size")
        if type(page_size) is not int and page_size is not None:
            raise wrong_type("PageMeta", "page_size", page_size, "an integer or null")
        previous_page_url = get("previous_page_url")
        if type(previous_page_url) is not str and previous_page_url is not None:
            raise wrong_type(
                "PageMeta", "previous_page_url", previous_page_url, "a string or null"
            )
        url = get("url")
        if type(url) is not str and url is not None:
            raise wrong_type("PageMeta", "url", url, "a string or null")
        instance = _new(cls)
        _set(instance, "next_page_url", next_page_url)
        _set(instance, "first_page_url", first_page_url)
        _set(instance, "key", key)
        _set(instance, "page", page)
        _set(instance, "page_size", page_size)
        _set(instance, "previous_page_url", previous_page_url)
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
            "next_page_url": self.next_page_url,
            "first_page_url": self.first_page_url,
            "key": self.key,
            "page": self.page,
            "page_size": self.page_size,
            "previous_page_url": self.previous_page_url,
            "url": self.url,
        }


_FIELDS = frozenset(PageMeta.FIELDS)
_FIELD_COUNT = len(_FIELDS)
PageMeta.extra = LazyExtra(_FIELDS)
