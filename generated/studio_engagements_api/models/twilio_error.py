from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Self, TypeVar

from attrs import define as _attrs_define
from attrs import field as _attrs_field

from ..types import UNSET, Unset

T = TypeVar("T", bound="TwilioError")


@_attrs_define
class TwilioError:
    """Twilio's error body.

    Attributes:
        code (int): Twilio's error code, e.g. 20001, 20003, 20404, 20429.
        message (str): What went wrong, in words.
        status (int): The HTTP status code repeated.
        more_info (str | Unset): A page of Twilio's documentation about the error code.
    """

    code: int
    message: str
    status: int
    more_info: str | Unset = UNSET
    additional_properties: dict[str, Any] = _attrs_field(init=False, factory=dict)

    def to_dict(self) -> dict[str, Any]:
        code = self.code

        message = self.message

        status = self.status

        more_info = self.more_info

        field_dict: dict[str, Any] = {}
        field_dict.update(self.additional_properties)
        field_dict.update(
            {
                "code": code,
                "message": message,
                "status": status,
            }
        )
        if more_info is not UNSET:
            field_dict["more_info"] = more_info

        return field_dict

    @classmethod
    def from_dict(cls, src_dict: Mapping[str, Any]) -> Self:
        d = dict(src_dict)
        code = d.pop("code")

        message = d.pop("message")

        status = d.pop("status")

        more_info = d.pop("more_info", UNSET)

        twilio_error = cls(
            code=code,
            message=message,
            status=status,
            more_info=more_info,
        )

        twilio_error.additional_properties = d
        return twilio_error

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
