from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

T = TypeVar("T", bound="ListEngagementResponseMeta")


@_attrs_define
class ListEngagementResponseMeta:
    """Paging information (seed). The live API always sends every key; the nullable ones are null on the first or the last
    page.

        Attributes:
            first_page_url (str):
            key (str):
            next_page_url (None | str):
            page (int):
            page_size (int):
            previous_page_url (None | str):
            url (str):
    """

    first_page_url: str
    key: str
    next_page_url: None | str
    page: int
    page_size: int
    previous_page_url: None | str
    url: str
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        first_page_url = self.first_page_url

        key = self.key

        next_page_url: None | str
        next_page_url = self.next_page_url

        page = self.page

        page_size = self.page_size

        previous_page_url: None | str
        previous_page_url = self.previous_page_url

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "first_page_url": first_page_url,
                "key": key,
                "next_page_url": next_page_url,
                "page": page,
                "page_size": page_size,
                "previous_page_url": previous_page_url,
                "url": url,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        first_page_url = d.pop("first_page_url")

        key = d.pop("key")

        def _parse_next_page_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_page_url = _parse_next_page_url(d.pop("next_page_url"))

        page = d.pop("page")

        page_size = d.pop("page_size")

        def _parse_previous_page_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        previous_page_url = _parse_previous_page_url(d.pop("previous_page_url"))

        url = d.pop("url")

        list_engagement_response_meta = cls(
            first_page_url=first_page_url,
            key=key,
            next_page_url=next_page_url,
            page=page,
            page_size=page_size,
            previous_page_url=previous_page_url,
            url=url,
        )

        list_engagement_response_meta.additional_properties = d
        return list_engagement_response_meta

    @property
    def additional_keys(self) -> list[str]:
        return list(self.additional_properties.keys())

    def __getitem__(self, key: str) -> Any:
        return self.additional_properties[key]

    def __setitem__(self, key: str, value: Any) -> None:
        self.additional_properties[key] = value

    def __delitem__(self, key: str) -> None:
        del self.additional_properties[key]

    def __contains__(self, key: str) -> bool:
        return key in self.additional_properties
