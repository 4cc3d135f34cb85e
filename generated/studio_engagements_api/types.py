"""Contains some shared types for properties, and what the models' from_dict and to_dict share"""

import datetime

# From openapi/templates/: the models' from_dict is strict about types (a wrong type is a
# ParseError naming the field, never a silent None) and tolerant about evolution and absence.


class ParseError(ValueError):
    """A JSON value does not have the shape the OpenAPI document promises"""


def json_type(value: object) -> str:
    """The JSON type of ``value`` in words, for error messages"""
    if value is None:
        return "null"
    return {
        dict: "an object",
        list: "an array",
        str: "a string",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def wrong_type(model: str, field: str, value: object, expected: str) -> ParseError:
    """The error for ``field`` of ``model`` holding a value of another type"""
    return ParseError(
        f"{model} field {field!r} must be {expected}, not {json_type(value)}"
    )


def missing(model: str, field: str) -> ParseError:
    """The error for a required ``field`` of ``model`` that is absent"""
    return ParseError(f"{model} has no {field!r} (it is required)")


def not_an_object(model: str, value: object) -> ParseError:
    """The error for a ``model`` that is not a JSON object"""
    return ParseError(f"{model} must be a JSON object, not {json_type(value)}")


_fromisoformat = datetime.datetime.fromisoformat


def parse_datetime(value: object, model: str, field: str) -> datetime.datetime:
    """An RFC 3339 / ISO 8601 string as a timezone-aware datetime (no offset: UTC)"""
    if type(value) is not str:
        raise wrong_type(model, field, value, "an ISO 8601 date-time string")
    try:
        parsed = _fromisoformat(value)
    except ValueError:
        try:
            # RFC 3339 allows a lower-case "t" and "z", which datetime does not read.
            parsed = _fromisoformat(value.upper())
        except ValueError:
            raise ParseError(
                f"{model} field {field!r} is not an ISO 8601 date-time: {value[:40]!r}"
            ) from None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=datetime.UTC)


def format_datetime(value: datetime.datetime | None) -> str | None:
    """``value`` in ISO 8601, UTC written as ``Z`` (None stays None)"""
    if value is None:
        return None
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


__all__ = [
    "ParseError",
    "format_datetime",
    "json_type",
    "missing",
    "not_an_object",
    "parse_datetime",
    "wrong_type",
]
