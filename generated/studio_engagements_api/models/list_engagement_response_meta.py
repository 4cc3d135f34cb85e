from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="ListEngagementResponseMeta")


@_attrs_define
class ListEngagementResponseMeta:
    """Paging information. Only `next_page_url` is required (null on the last page), because paging cannot work without it;
    Twilio's contract requires no key, and Twilio sends them all.

        Attributes:
            next_page_url (None | str):
            first_page_url (str | Unset):
            key (str | Unset):
            page (int | Unset):
            page_size (int | Unset):
            previous_page_url (None | str | Unset):
            url (str | Unset):
    """

    next_page_url: None | str
    first_page_url: str | Unset = UNSET
    key: str | Unset = UNSET
    page: int | Unset = UNSET
    page_size: int | Unset = UNSET
    previous_page_url: None | str | Unset = UNSET
    url: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        next_page_url: None | str
        next_page_url = self.next_page_url

        first_page_url = self.first_page_url

        key = self.key

        page = self.page

        page_size = self.page_size

        previous_page_url: None | str | Unset
        if isinstance(self.previous_page_url, Unset):
            previous_page_url = UNSET
        else:
            previous_page_url = self.previous_page_url

        url = self.url

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "next_page_url": next_page_url,
            }
        )
        if first_page_url is not UNSET:
            field_dict["first_page_url"] = first_page_url
        if key is not UNSET:
            field_dict["key"] = key
        if page is not UNSET:
            field_dict["page"] = page
        if page_size is not UNSET:
            field_dict["page_size"] = page_size
        if previous_page_url is not UNSET:
            field_dict["previous_page_url"] = previous_page_url
        if url is not UNSET:
            field_dict["url"] = url

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)

        def _parse_next_page_url(data: object) -> None | str:
            if data is None:
                return data
            return cast(None | str, data)

        next_page_url = _parse_next_page_url(d.pop("next_page_url"))

        first_page_url = d.pop("first_page_url", UNSET)

        key = d.pop("key", UNSET)

        page = d.pop("page", UNSET)

        page_size = d.pop("page_size", UNSET)

        def _parse_previous_page_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        previous_page_url = _parse_previous_page_url(d.pop("previous_page_url", UNSET))

        url = d.pop("url", UNSET)

        list_engagement_response_meta = cls(
            next_page_url=next_page_url,
            first_page_url=first_page_url,
            key=key,
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
