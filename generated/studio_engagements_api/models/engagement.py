from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, TypeVar, cast

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..models.engagement_status import EngagementStatus
from ..types import UNSET, Unset

if TYPE_CHECKING:
    from ..models.engagement_links import EngagementLinks


T = TypeVar("T", bound="Engagement")


@_attrs_define
class Engagement:
    """An Engagement of a Studio Flow. No field is required: any field may be null or absent, and fields Twilio adds later
    are allowed.

        Example:
            {'sid': 'FNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'account_sid': 'ACaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'flow_sid':
                'FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'contact_sid': 'FCaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',
                'contact_channel_address': '+14155555555', 'context': {'flow': {'first_name': 'Foo'}}, 'status': 'active',
                'date_created': '2017-11-06T12:00:00Z', 'date_updated': None, 'url': 'https://studio.twilio.com/v1/Flows/FWaaaaa
                aaaaaaaaaaaaaaaaaaaaaaaaaaa/Engagements/FNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa', 'links': {'steps': 'https://studio.
                twilio.com/v1/Flows/FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Engagements/FNaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Steps',
                'engagement_context': 'https://studio.twilio.com/v1/Flows/FWaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/Engagements/FNaaaaa
                aaaaaaaaaaaaaaaaaaaaaaaaaaa/Context'}}

        Attributes:
            sid (None | str | Unset): The unique string that we created to identify the Engagement resource.
            account_sid (None | str | Unset): The SID of the Account that created the Engagement resource.
            flow_sid (None | str | Unset): The SID of the Flow.
            contact_sid (None | str | Unset): The SID of the Contact.
            contact_channel_address (None | str | Unset): The phone number, SIP address or Client identifier that triggered
                this Engagement. Phone numbers are in E.164 format (+16175551212). SIP addresses are formatted as
                name@company.com. Client identifiers are formatted client:name.
            context (Any | Unset): The current state of the execution flow, any JSON value. As your flow executes, we save
                the state in a flow context.
            status (EngagementStatus | str | Unset): The status of the Engagement. Can be: active or ended. Any other string
                is accepted, so that a status Twilio adds later does not break parsing.
            date_created (datetime.datetime | None | Unset): The date and time in GMT when the Engagement was created in ISO
                8601 format.
            date_updated (datetime.datetime | None | Unset): The date and time in GMT when the Engagement was updated in ISO
                8601 format.
            url (None | str | Unset): The absolute URL of the resource.
            links (EngagementLinks | None | Unset): URLs of related resources, such as `steps` and `engagement_context`;
                null or absent when there are none.
    """

    sid: None | str | Unset = UNSET
    account_sid: None | str | Unset = UNSET
    flow_sid: None | str | Unset = UNSET
    contact_sid: None | str | Unset = UNSET
    contact_channel_address: None | str | Unset = UNSET
    context: Any | Unset = UNSET
    status: EngagementStatus | str | Unset = UNSET
    date_created: datetime.datetime | None | Unset = UNSET
    date_updated: datetime.datetime | None | Unset = UNSET
    url: None | str | Unset = UNSET
    links: EngagementLinks | None | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        from ..models.engagement_links import EngagementLinks

        sid: None | str | Unset
        if isinstance(self.sid, Unset):
            sid = UNSET
        else:
            sid = self.sid

        account_sid: None | str | Unset
        if isinstance(self.account_sid, Unset):
            account_sid = UNSET
        else:
            account_sid = self.account_sid

        flow_sid: None | str | Unset
        if isinstance(self.flow_sid, Unset):
            flow_sid = UNSET
        else:
            flow_sid = self.flow_sid

        contact_sid: None | str | Unset
        if isinstance(self.contact_sid, Unset):
            contact_sid = UNSET
        else:
            contact_sid = self.contact_sid

        contact_channel_address: None | str | Unset
        if isinstance(self.contact_channel_address, Unset):
            contact_channel_address = UNSET
        else:
            contact_channel_address = self.contact_channel_address

        context = self.context

        status: str | Unset
        if isinstance(self.status, Unset):
            status = UNSET
        elif isinstance(self.status, EngagementStatus):
            status = self.status.value
        else:
            status = self.status

        date_created: None | str | Unset
        if isinstance(self.date_created, Unset):
            date_created = UNSET
        elif isinstance(self.date_created, datetime.datetime):
            date_created = self.date_created.isoformat()
        else:
            date_created = self.date_created

        date_updated: None | str | Unset
        if isinstance(self.date_updated, Unset):
            date_updated = UNSET
        elif isinstance(self.date_updated, datetime.datetime):
            date_updated = self.date_updated.isoformat()
        else:
            date_updated = self.date_updated

        url: None | str | Unset
        if isinstance(self.url, Unset):
            url = UNSET
        else:
            url = self.url

        links: dict[str, Any] | None | Unset
        if isinstance(self.links, Unset):
            links = UNSET
        elif isinstance(self.links, EngagementLinks):
            links = self.links.to_dict()
        else:
            links = self.links

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update({})
        if sid is not UNSET:
            field_dict["sid"] = sid
        if account_sid is not UNSET:
            field_dict["account_sid"] = account_sid
        if flow_sid is not UNSET:
            field_dict["flow_sid"] = flow_sid
        if contact_sid is not UNSET:
            field_dict["contact_sid"] = contact_sid
        if contact_channel_address is not UNSET:
            field_dict["contact_channel_address"] = contact_channel_address
        if context is not UNSET:
            field_dict["context"] = context
        if status is not UNSET:
            field_dict["status"] = status
        if date_created is not UNSET:
            field_dict["date_created"] = date_created
        if date_updated is not UNSET:
            field_dict["date_updated"] = date_updated
        if url is not UNSET:
            field_dict["url"] = url
        if links is not UNSET:
            field_dict["links"] = links

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        from ..models.engagement_links import EngagementLinks

        d = dict(src_dict)

        def _parse_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        sid = _parse_sid(d.pop("sid", UNSET))

        def _parse_account_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        account_sid = _parse_account_sid(d.pop("account_sid", UNSET))

        def _parse_flow_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        flow_sid = _parse_flow_sid(d.pop("flow_sid", UNSET))

        def _parse_contact_sid(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contact_sid = _parse_contact_sid(d.pop("contact_sid", UNSET))

        def _parse_contact_channel_address(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        contact_channel_address = _parse_contact_channel_address(
            d.pop("contact_channel_address", UNSET)
        )

        context = d.pop("context", UNSET)

        def _parse_status(data: object) -> EngagementStatus | str | Unset:
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                status_type_0 = EngagementStatus(data)

                return status_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EngagementStatus | str | Unset, data)

        status = _parse_status(d.pop("status", UNSET))

        def _parse_date_created(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_created_type_0 = datetime.datetime.fromisoformat(data)

                return date_created_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        date_created = _parse_date_created(d.pop("date_created", UNSET))

        def _parse_date_updated(data: object) -> datetime.datetime | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, str):
                    raise TypeError()
                date_updated_type_0 = datetime.datetime.fromisoformat(data)

                return date_updated_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(datetime.datetime | None | Unset, data)

        date_updated = _parse_date_updated(d.pop("date_updated", UNSET))

        def _parse_url(data: object) -> None | str | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            return cast(None | str | Unset, data)

        url = _parse_url(d.pop("url", UNSET))

        def _parse_links(data: object) -> EngagementLinks | None | Unset:
            if data is None:
                return data
            if isinstance(data, Unset):
                return data
            try:
                if not isinstance(data, dict):
                    raise TypeError()
                links_type_0 = EngagementLinks.from_dict(data)

                return links_type_0
            except (TypeError, ValueError, AttributeError, KeyError):
                pass
            return cast(EngagementLinks | None | Unset, data)

        links = _parse_links(d.pop("links", UNSET))

        engagement = cls(
            sid=sid,
            account_sid=account_sid,
            flow_sid=flow_sid,
            contact_sid=contact_sid,
            contact_channel_address=contact_channel_address,
            context=context,
            status=status,
            date_created=date_created,
            date_updated=date_updated,
            url=url,
            links=links,
        )

        engagement.additional_properties = d
        return engagement

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
