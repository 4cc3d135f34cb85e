from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

if TYPE_CHECKING:
    from ..models.engagement import Engagement
    from ..models.list_engagement_response_meta import ListEngagementResponseMeta


T = TypeVar("T", bound="ListEngagementResponse")


@_attrs_define
class ListEngagementResponse:
    """One page of Engagements. Paging needs both keys; Twilio always sends them.

    Attributes:
        engagements (list[Engagement]):
        meta (ListEngagementResponseMeta): Paging information. Only `next_page_url` is required (null on the last page),
            because paging cannot work without it; Twilio's contract requires no key, and Twilio sends them all.
    """

    engagements: list[Engagement]
    meta: ListEngagementResponseMeta
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        engagements = []
        for engagements_item_data in self.engagements:
            engagements_item = engagements_item_data.to_dict()
            engagements.append(engagements_item)

        meta = self.meta.to_dict()

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "engagements": engagements,
                "meta": meta,
            }
        )

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.engagement import Engagement
        from ..models.list_engagement_response_meta import ListEngagementResponseMeta

        d = dict(src_dict)
        engagements = []
        _engagements = d.pop("engagements")
        for engagements_item_data in _engagements:
            engagements_item = Engagement.from_dict(engagements_item_data)

            engagements.append(engagements_item)

        meta = ListEngagementResponseMeta.from_dict(d.pop("meta"))

        list_engagement_response = cls(
            engagements=engagements,
            meta=meta,
        )

        list_engagement_response.additional_properties = d
        return list_engagement_response

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
