"""Contains some shared types for properties, and what the models' from_dict, to_dict and from_json share"""

import datetime
import json
import re
from operator import attrgetter
from types import UnionType
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    TypeAlias,
    TypeVar,
    Union,
    get_args,
    get_origin,
    get_type_hints,
)

import attrs

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


# --- Decoding JSON straight into the models (msgspec), or into dicts and from_dict (json) -----

# Annotations are read twice: by type checkers (the types users get) and, at run time, by msgspec
# (what it decodes). The aliases below are the user's type for the first and msgspec's for the
# second: an open enum is decoded as its string (made its member after decoding), any JSON
# is kept as its text until it is read (LazyJson), a date-time must carry an offset (one without is read by
# from_dict, which takes it as UTC).
try:
    import msgspec
except ImportError:  # the json fallback: nothing is decoded by msgspec
    msgspec = None  # type: ignore[assignment]

E = TypeVar("E")
if TYPE_CHECKING:
    JsonValue: TypeAlias = Any
    AwareDateTime: TypeAlias = datetime.datetime
    OpenEnum: TypeAlias = E | str
else:

    class OpenEnum:
        def __class_getitem__(cls, item: object) -> type:
            return str

    if msgspec is None:
        JsonValue = Any
        AwareDateTime = datetime.datetime
    else:
        JsonValue = msgspec.Raw
        AwareDateTime = Annotated[datetime.datetime, msgspec.Meta(tz=True)]

RAW: type = object if msgspec is None else msgspec.Raw
""" The type msgspec gives an any-JSON field (its text); never a value's type without msgspec """
_DECODER = {"name": "json" if msgspec is None else "msgspec"}
SENT_JSON = "_sent_json"
""" The instance key where a record read by from_json keeps where its JSON as sent is found """


def set_json_decoder(name: str) -> None:
    """Read JSON with ``"msgspec"`` (the default where it can be imported) or ``"json"``

    msgspec decodes a document straight into the models; the json module decodes it into dicts,
    which from_dict reads. Both give the same values.
    """
    if name not in ("msgspec", "json"):
        raise ValueError(f"the JSON decoder is 'msgspec' or 'json', not {name!r}")
    if name == "msgspec" and msgspec is None:
        raise ValueError("msgspec cannot be imported here: the JSON decoder is 'json'")
    _DECODER["name"] = name


def json_decoder() -> str:
    """The JSON decoder in use: ``"msgspec"`` or ``"json"``"""
    return _DECODER["name"]


# A UTF-16 surrogate written as UTF-8 bytes (ED A0-BF ..): not UTF-8, though msgspec reads it.
_ENCODED_SURROGATE = re.compile(rb"\xed[\xa0-\xbf]")


def _encoded_surrogate(content: bytes) -> bool:
    """Whether ``content`` holds a surrogate encoded as UTF-8 (memchr first: rarely any ED)"""
    return b"\xed" in content and _ENCODED_SURROGATE.search(content) is not None


def loads(content: bytes) -> tuple[Any, bool]:
    """``json.loads(content)``, and whether the document is strict JSON (msgspec read it)

    msgspec refuses a few things json accepts (NaN, numbers beyond float range, lone surrogates,
    a BOM, UTF-16): then json has the last word, so the value is always json's. A surrogate
    written as UTF-8 bytes is refused (UnicodeDecodeError): both would let it through.
    """
    if _encoded_surrogate(content):
        content.decode()  # raises: a surrogate is not UTF-8
    if _DECODER["name"] == "msgspec":
        try:
            return _decode_any(content), True
        except (msgspec.MsgspecError, RecursionError):
            pass
    return json.loads(content), False


class LazyJson:
    """An any-JSON field kept as its text until first read, then decoded (json's value)

    msgspec decodes the field as ``msgspec.Raw``; the model's ``__attrs_post_init__`` moves that
    text to ``json_key(name)``, so that the first read of the field comes here and later reads
    find the value in the instance.
    """

    __slots__ = ("key", "name")

    def __init__(self, name: str) -> None:
        self.name = name
        self.key = json_key(name)

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        fields = instance.__dict__
        try:
            raw = fields.pop(self.key)
        except KeyError:
            raise AttributeError(self.name) from None
        value = fields[self.name] = _decode_raw(raw)
        return value


def json_key(name: str) -> str:
    """Where an instance keeps the undecoded text of its any-JSON field ``name``"""
    return f"{name} (JSON)"


def _decode_raw(raw: Any) -> Any:
    try:
        return _decode_any(raw)
    except msgspec.MsgspecError:  # e.g. 1e400, which json reads as inf
        return json.loads(bytes(raw))


M = TypeVar("M")


def read_json(cls: type[M], content: bytes) -> M:
    """A JSON document as an instance of the model ``cls``

    Where msgspec decodes (see set_json_decoder), a document holding only the fields the model
    knows, of the types the OpenAPI document gives them, is decoded by msgspec straight into the
    model in one pass (after a pass that checks the keys); each record of a list of models keeps
    its JSON as sent (``sent_json()``). Any other document is decoded into dicts and read by
    ``cls.from_dict``, which keeps unknown keys in ``extra``, reads what msgspec is stricter
    about (a date-time without offset), and raises ParseError naming a bad field. A document
    that is not JSON raises ValueError.
    """
    codec = _codec(cls) if _DECODER["name"] == "msgspec" else None
    if codec is not None:
        try:
            checked = codec.check(content)
            if not content.isascii():
                codec.check_text(checked, content)
            value = codec.direct(content)
        except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError):
            pass
        else:
            codec.keep_sent_json(value, content)
            return value
    body, strict = loads(content)
    value = cls.from_dict(body)  # type: ignore[attr-defined]
    if strict and codec is not None:
        codec.keep_sent_json(value, content)
    return value


class _Codec:
    """msgspec's decoders for one model: the key check, the model, the records as sent"""

    def __init__(self, cls: type) -> None:
        hints = get_type_hints(cls)
        names = tuple(
            field.name for field in attrs.fields(cls) if field.name != "extra"
        )
        if names != cls.FIELDS:
            raise TypeError(f"{cls.__name__}: a JSON name is not its attribute's name")
        self.direct = msgspec.json.Decoder(cls).decode
        self.check = msgspec.json.Decoder(_key_check(cls)).decode
        self.lists = tuple(
            name for name in names if _list_model(hints[name]) is not None
        )
        parts = [
            (name, list[msgspec.Raw], msgspec.field(default_factory=list))
            for name in self.lists
        ]
        self.split = msgspec.json.Decoder(
            msgspec.defstruct(f"{cls.__name__}Records", parts)
        ).decode
        # Where the any-JSON texts are (own fields, and fields of the records of lists), or
        # None when some lie deeper (then the whole document's text is checked).
        self.texts: tuple[tuple[str | None, str], ...] | None = _text_fields(cls)

    def check_text(self, checked: Any, content: bytes) -> None:
        """Raise UnicodeDecodeError unless the any-JSON texts are UTF-8 (msgspec checks the rest,
        but for surrogates encoded as UTF-8, which no string may hold)"""
        if _encoded_surrogate(content):
            content.decode()  # raises: a surrogate is not UTF-8
        if self.texts is None:
            content.decode()
            return
        parts: list[Any] = []
        for where, name in self.texts:
            if where is None:
                parts.append(getattr(checked, name))
            else:
                parts.extend(map(attrgetter(name), getattr(checked, where) or ()))
        b"".join(filter(None, parts)).decode()

    def keep_sent_json(self, value: Any, content: bytes) -> None:
        """Let each record of ``value``'s lists of models find its JSON as sent (sent_json)"""
        for name in self.lists:
            source = _SentJson(self.split, content, name)
            for index, item in enumerate(getattr(value, name)):
                item.__dict__[SENT_JSON] = (source, index)


class _SentJson:
    """A document's records as sent, split out of it when one is first asked for"""

    __slots__ = ("content", "name", "records", "split")

    def __init__(self, split: Any, content: bytes, name: str) -> None:
        self.split, self.content, self.name = split, content, name
        self.records: list[Any] | None = None

    def record(self, index: int) -> bytes | None:
        if self.records is None:
            try:
                self.records = getattr(self.split(self.content), self.name)
            except msgspec.MsgspecError:
                self.records = []
        return bytes(self.records[index]) if index < len(self.records) else None


def sent_json(instance: object) -> bytes | None:
    """The JSON object ``instance`` was read from, as sent, if read so (see read_json)"""
    found = instance.__dict__.get(SENT_JSON)
    return None if found is None else found[0].record(found[1])


_CODECS: dict[type, _Codec | None] = {}


def _codec(cls: type) -> _Codec | None:
    """The msgspec decoders of ``cls``; None where msgspec cannot decode it (then from_dict)"""
    try:
        return _CODECS[cls]
    except KeyError:
        pass
    try:
        codec: _Codec | None = _Codec(cls)
    # e.g. a renamed field (``type`` is ``type_``), here or in a nested model; models in a cycle
    except (TypeError, KeyError, NameError, RecursionError):
        codec = None
    _CODECS[cls] = codec
    return codec


def _text_fields(cls: type) -> tuple[tuple[str | None, str], ...] | None:
    """``cls``'s any-JSON fields and those of its lists' records; None if some lie deeper"""
    found: list[tuple[str | None, str]] = []
    hints = get_type_hints(cls)
    for name in cls.FIELDS:
        hint, model = hints[name], _list_model(hints[name])
        if hint is msgspec.Raw:
            found.append((None, name))
        elif model is not None:
            inner = _text_fields(model)
            if inner is None or any(where is not None for where, _ in inner):
                return None
            found += [(name, field) for _, field in inner]
        elif any(
            attrs.has(arg) and _text_fields(arg) != ()
            for arg in (hint, *get_args(hint))
        ):
            return None
    return tuple(found)


def _list_model(hint: Any) -> type | None:
    args = get_args(hint)
    if get_origin(hint) is list and args and attrs.has(args[0]):
        return args[0]
    return None


def _key_check(cls: type) -> type:
    """A msgspec Struct that accepts exactly the keys of ``cls`` (and of its nested models)"""
    hints = get_type_hints(cls)
    fields = [(name, _key_check_of(hints[name]), None) for name in cls.FIELDS]
    return msgspec.defstruct(f"{cls.__name__}Keys", fields, forbid_unknown_fields=True)


def _key_check_of(hint: Any) -> Any:
    if attrs.has(hint):
        return _key_check(hint) | None
    model = _list_model(hint)
    if model is not None:
        return list[_key_check(model)] | None
    models = [arg for arg in get_args(hint) if attrs.has(arg)]
    if models and get_origin(hint) in (Union, UnionType):
        return _key_check(models[0]) | None
    return msgspec.Raw


if msgspec is not None:
    _decode_any = msgspec.json.Decoder().decode


__all__ = [
    "RAW",
    "SENT_JSON",
    "AwareDateTime",
    "JsonValue",
    "LazyJson",
    "OpenEnum",
    "ParseError",
    "format_datetime",
    "json_decoder",
    "json_key",
    "json_type",
    "loads",
    "missing",
    "not_an_object",
    "parse_datetime",
    "read_json",
    "sent_json",
    "set_json_decoder",
    "wrong_type",
]
