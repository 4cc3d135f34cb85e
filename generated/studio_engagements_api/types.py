"""Contains some shared types for properties, and what the models' from_dict, to_dict and from_json share"""

import codecs
import datetime
import json
import re
from collections.abc import Mapping
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

# Annotations are read twice: by type checkers (the types users get) and, at run time, to build
# what msgspec decodes (see _Codec): an open enum is decoded as its enum (a value it does not
# know sends the document to from_dict, which keeps the string), any JSON is kept as its text
# until it is read (LazyJson), and a date-time must carry an offset (one without is read by
# from_dict, which takes it as UTC). msgspec skips unknown keys, which LazyExtra reads from the
# JSON as sent.
try:
    import msgspec
except ImportError:  # the json fallback: nothing is decoded by msgspec
    msgspec = None  # type: ignore[assignment]

E = TypeVar("E")
ExtraFields: TypeAlias = Mapping[str, Any]
if TYPE_CHECKING:
    JsonValue: TypeAlias = Any
    AwareDateTime: TypeAlias = datetime.datetime
    OpenEnum: TypeAlias = E | str
else:

    class OpenEnum:
        def __class_getitem__(cls, item: object) -> object:
            return item

    if msgspec is None:
        JsonValue = Any
        AwareDateTime = datetime.datetime
    else:
        JsonValue = msgspec.Raw
        AwareDateTime = Annotated[datetime.datetime, msgspec.Meta(tz=True)]

RAW: type = object if msgspec is None else msgspec.Raw
""" The type msgspec gives an any-JSON field (its text); never a value's type without msgspec """
_DECODER = {"name": "json" if msgspec is None else "msgspec"}


class Model:
    """The base of every model: the slots a model has besides its fields

    ``extra`` is a field of every model (its slot is here, so that a model and its wire class,
    which msgspec decodes, have the same layout); ``_sent_json`` is where a model read by
    from_json finds its JSON as sent.
    """

    __slots__ = ("__weakref__", "_sent_json", "extra")


class PageModel(Model):
    """The base of every page (a model with ``meta``): also the next URL its walk accepted

    The client that read the page sets it (``set_next_url``): ``next_url`` is the page's
    ``meta.next_page_url`` once checked (the same list, the same parents, a trusted origin, not
    a page already read), the cursor to save, or None at the end of the list.
    """

    __slots__ = ("_next_url",)

    @property
    def next_url(self) -> str | None:
        """The checked ``meta.next_page_url``: the cursor to save; None at the end

        Raises the error the check raised if the client refused the next URL; None for a page
        that no client read (built by ``from_dict``, unpickled).
        """
        try:
            verdict = _NEXT_URL.__get__(self, type(self))
        except AttributeError:
            return None
        if isinstance(verdict, Exception):
            raise verdict
        return verdict  # type: ignore[no-any-return]


_EXTRA = Model.extra  # type: ignore[attr-defined]
_SENT_JSON = Model._sent_json  # type: ignore[attr-defined]
_NEXT_URL = PageModel._next_url  # type: ignore[attr-defined]


def set_next_url(page: PageModel, verdict: str | None | Exception) -> None:
    """Record what the client decided about ``page``'s next URL: the URL, None, or the refusal"""
    _NEXT_URL.__set__(page, verdict)


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

    msgspec decodes the field as ``msgspec.Raw`` into the field's slot; the first read decodes
    that text and keeps the value there.
    """

    __slots__ = ("slot",)

    def __init__(self, cls: type, name: str) -> None:
        self.slot = cls.__dict__[name]

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        value = self.slot.__get__(instance, owner)
        if value.__class__ is RAW:
            value = _decode_raw(value)
            self.slot.__set__(instance, value)
        return value

    def __set__(self, instance: object, value: Any) -> None:
        self.slot.__set__(instance, value)


def _decode_raw(raw: Any) -> Any:
    try:
        return _decode_any(raw)
    except msgspec.MsgspecError:  # e.g. 1e400, which json reads as inf
        return json.loads(bytes(raw))


class LazyExtra:
    """``extra``: a model's unknown keys, read when first asked for where msgspec decoded it

    msgspec skips the keys a model does not know and leaves ``extra`` unset; the first read
    finds them in the instance's JSON as sent (sent_json). from_dict and ``__init__`` set it.
    """

    __slots__ = ("known",)

    def __init__(self, known: frozenset[str]) -> None:
        self.known = known

    def __get__(self, instance: object, owner: type | None = None) -> Any:
        if instance is None:
            return self
        try:
            return _EXTRA.__get__(instance, owner)
        except AttributeError:
            pass
        text = sent_json(instance)
        extra: dict[str, Any] = {}
        if text is not None:
            known = self.known
            extra = {
                name: value
                for name, value in loads(text)[0].items()
                if name not in known
            }
        _EXTRA.__set__(instance, extra)
        return extra

    def __set__(self, instance: object, value: Any) -> None:
        _EXTRA.__set__(instance, value)


M = TypeVar("M")


def read_json(cls: type[M], content: bytes) -> M:
    """A JSON document as an instance of the model ``cls``

    Where msgspec decodes (see set_json_decoder), a UTF-8 document whose known fields have the
    types the OpenAPI document gives them is decoded by msgspec in one pass, with no Python code
    run per object; every model in it keeps its JSON as sent (``sent_json()``), where its unknown
    keys are read when ``extra`` is first asked for. Any other document is decoded into dicts and
    read by ``cls.from_dict``, which reads what msgspec is stricter about (a date-time without
    offset, an enum value this version does not know) and raises ParseError naming a bad field.
    A document that is not JSON raises ValueError.
    """
    codec = _codec(cls) if _DECODER["name"] == "msgspec" else None
    if codec is not None:
        try:
            check_utf8(content)
            value = codec.direct(content)
        except (msgspec.MsgspecError, UnicodeDecodeError, RecursionError):
            pass
        else:
            codec.adopt(value, _SentJson(content, codec.split), ())
            return value  # type: ignore[no-any-return]
    body, strict = loads(content)
    value = cls.from_dict(body)  # type: ignore[attr-defined]
    if strict and codec is not None:
        codec.adopt(value, _SentJson(content, codec.split), ())
    return value  # type: ignore[no-any-return]


_CHUNK = 4096
_utf8_decoder = codecs.getincrementaldecoder("utf-8")


def check_utf8(content: bytes) -> None:
    """Raise UnicodeDecodeError unless ``content`` is UTF-8 (no surrogates)

    msgspec checks the strings it decodes, not the text it skips or keeps raw. Read in chunks,
    of which the ASCII ones cost next to nothing, it is a fraction of decoding the whole text.
    """
    if content.isascii():
        return
    decoder = _utf8_decoder()
    for start in range(0, len(content), _CHUNK):
        chunk = content[start : start + _CHUNK]
        if not chunk.isascii() or decoder.getstate()[0]:
            decoder.decode(chunk)
    decoder.decode(b"", True)


class _Codec:
    """msgspec's decoders for one model: the model, and its parts as sent

    msgspec decodes into the model's wire class: an attrs class with the model's slots and
    fields (each of the type msgspec decodes, known to msgspec by its JSON name), and no code
    that runs per object. ``adopt`` then makes each decoded object an instance of the model
    itself (the two classes have the same layout), and tells it where its JSON as sent is.
    """

    def __init__(self, cls: type) -> None:
        hints = get_type_hints(cls, include_extras=True)  # AwareDateTime is Annotated
        fields = {
            field.name: field for field in attrs.fields(cls) if field.name != "extra"
        }
        # FIELDS holds the JSON names in the attributes' order. They differ where the generator
        # renamed a property: ``type``, a builtin's name, is the attribute ``type_``.
        if len(fields) != len(cls.FIELDS):
            raise TypeError(f"{cls.__name__}: FIELDS does not name each field")
        json_names = dict(zip(fields, cls.FIELDS))
        if any(
            name in json_names.values() for name in fields if json_names[name] != name
        ):
            raise TypeError(f"{cls.__name__}: FIELDS is not in the attributes' order")
        self.cls = cls
        # The models in this one's fields (attribute and JSON name), each with its codec (None:
        # msgspec cannot decode it).
        self.models = tuple(
            (name, json_names[name], _codec(model))
            for name in fields
            if (model := _model(hints[name]))
        )
        self.lists = tuple(
            (name, json_names[name], _codec(model))
            for name in fields
            if (model := _list_model(hints[name]))
        )
        if any(codec is None for _, _, codec in self.models + self.lists):
            raise TypeError(f"{cls.__name__}: msgspec cannot decode a model in it")
        self.wire = attrs.make_class(
            f"{cls.__name__}Wire",
            {
                name: attrs.field(default=field.default, type=_wire_hint(hints[name]))
                for name, field in fields.items()
            },
            bases=cls.__bases__,  # Model, or PageModel: the same slots
            slots=True,
            weakref_slot=False,
            init=False,
            repr=False,
            eq=False,
        )
        if set(self.wire.__slots__) != set(cls.__slots__):
            raise TypeError(f"{cls.__name__}: its slots are not its fields")
        _read_by_json_names(
            self.wire,
            {
                name: json_name
                for name, json_name in json_names.items()
                if json_name != name
            },
        )
        self.direct = msgspec.json.Decoder(self.wire).decode
        parts = [(name, msgspec.Raw, None) for name, _, _ in self.models]
        parts += [
            (name, list[msgspec.Raw], msgspec.field(default_factory=list))
            for name, _, _ in self.lists
        ]
        self.part_names = tuple(
            json_name for _, json_name, _ in self.models + self.lists
        )
        self.parts = msgspec.json.Decoder(
            msgspec.defstruct(f"{cls.__name__}Parts", parts, rename=json_names)
        ).decode

    def split(self, content: Any) -> dict[str, Any]:
        """The text of each model (a list's: its items' texts) in ``content``, by JSON name"""
        return dict(zip(self.part_names, msgspec.structs.astuple(self.parts(content))))

    def adopt(
        self, value: Any, source: "_SentJson", path: tuple[str | int, ...]
    ) -> None:
        """Make ``value`` and every model in it an instance of its model, finding its JSON

        What msgspec decoded is of the wire classes; what from_dict read is of the models already.
        A path is of JSON names and indexes.
        """
        if value.__class__ is not self.cls:
            value.__class__ = self.cls
        _SENT_JSON.__set__(value, (source, path))
        for name, json_name, codec in self.models:
            inner = getattr(value, name)
            if inner is not None:
                codec.adopt(inner, source, (*path, json_name))  # type: ignore[union-attr]
        for name, json_name, codec in self.lists:
            prefix = (*path, json_name)
            items = getattr(value, name) or ()
            if codec.models or codec.lists:  # type: ignore[union-attr]
                for index, item in enumerate(items):
                    codec.adopt(item, source, (*prefix, index))  # type: ignore[union-attr]
                continue
            # The usual case, a page of records: one loop. A list's items are all of one class.
            cls = codec.cls  # type: ignore[union-attr]
            if items and items[0].__class__ is not cls:
                for item in items:
                    item.__class__ = cls
            for index, item in enumerate(items):
                _SENT_JSON.__set__(item, (source, (*prefix, index)))


def _read_by_json_names(wire: type, renamed: dict[str, str]) -> None:
    """Have msgspec read the fields in ``renamed`` (attribute name: JSON name) by JSON name

    msgspec knows an attrs class's fields by their attribute names, and sets each by its name:
    here a field's JSON name is its name for msgspec (``__attrs_attrs__``, the annotations) and
    a second name of its slot, so the wire class keeps the model's slots.
    """
    if not renamed:
        return
    for name, json_name in renamed.items():
        # A name the class or its bases use (e.g. "extra", "__class__") cannot be a field's too.
        if any(json_name in vars(base) for base in wire.__mro__):
            raise TypeError(f"{wire.__name__}: the JSON name {json_name!r} is taken")
        setattr(wire, json_name, vars(wire)[name])
    wire.__attrs_attrs__ = tuple(  # type: ignore[attr-defined]
        field.evolve(name=renamed.get(field.name, field.name))
        for field in wire.__attrs_attrs__  # type: ignore[attr-defined]
    )
    wire.__annotations__ = {
        renamed.get(name, name): hint for name, hint in wire.__annotations__.items()
    }


def _wire_hint(hint: Any) -> Any:
    """What msgspec decodes for a field of type ``hint``: each model in it as its wire class"""
    if isinstance(hint, type) and attrs.has(hint):
        return _codec(hint).wire  # type: ignore[union-attr]
    origin = get_origin(hint)
    if origin in (Union, UnionType):
        return Union[tuple(_wire_hint(arg) for arg in get_args(hint))]
    if origin is list:
        return list[_wire_hint(get_args(hint)[0])]  # type: ignore[misc]
    return hint


class _SentJson:
    """A document's parts as sent, split out of it when one is first asked for"""

    __slots__ = ("content", "parts", "split")

    def __init__(self, content: bytes, split: Any) -> None:
        self.content, self.split = content, split
        self.parts: dict[tuple[str | int, ...], Any] = {}

    def text(self, path: tuple[str | int, ...]) -> Any:
        """The text at ``path`` (keys and indexes from the top), or None"""
        if not path:
            return self.content
        *parent, key = path
        where = tuple(parent)
        try:
            parts = self.parts[where]
        except KeyError:
            parts = self.parts[where] = self._split(where)
        try:
            return parts[key]
        except (KeyError, IndexError, TypeError):
            return None

    def _split(self, where: tuple[str | int, ...]) -> Any:
        try:
            if not where:
                return self.split(self.content)
            text = self.text(where)
            if isinstance(text, list):  # a list the top's split gave as its items
                return text
            return _split_any(text)
        except (msgspec.MsgspecError, TypeError):
            return {}


def sent_json(instance: object) -> bytes | None:
    """The JSON ``instance`` was read from, as sent, if read so (see read_json)"""
    try:
        source, path = _SENT_JSON.__get__(instance, type(instance))
    except AttributeError:
        return None
    text = source.text(path)
    return None if text is None else bytes(text)


_CODECS: dict[type, _Codec | None] = {}


def _codec(cls: type) -> _Codec | None:
    """The msgspec decoders of ``cls``; None where msgspec cannot decode it (then from_dict)"""
    try:
        return _CODECS[cls]
    except KeyError:
        pass
    try:
        codec: _Codec | None = _Codec(cls)
    # e.g. a JSON name the wire class has a use for, here or in a nested model; models in a cycle
    except (TypeError, KeyError, NameError, RecursionError):
        codec = None
    _CODECS[cls] = codec
    return codec


def _model(hint: Any) -> type | None:
    """The model of a field holding one (or null)"""
    if attrs.has(hint):
        return hint
    models = [arg for arg in get_args(hint) if attrs.has(arg)]
    if models and get_origin(hint) in (Union, UnionType):
        return models[0]
    return None


def _list_model(hint: Any) -> type | None:
    """The model of a field holding a list of them (or null)"""
    for arg in (hint, *get_args(hint)):
        args = get_args(arg)
        if get_origin(arg) is list and args and attrs.has(args[0]):
            return args[0]
    return None


if msgspec is not None:
    _decode_any = msgspec.json.Decoder().decode

    def _split_any(text: Any) -> Any:
        """An object's members or an array's items, each as its text"""
        return (_split_object if bytes(memoryview(text)[:1]) == b"{" else _split_array)(
            text
        )

    _split_object = msgspec.json.Decoder(dict[str, msgspec.Raw]).decode
    _split_array = msgspec.json.Decoder(list[msgspec.Raw]).decode


__all__ = [
    "RAW",
    "AwareDateTime",
    "ExtraFields",
    "JsonValue",
    "LazyExtra",
    "LazyJson",
    "Model",
    "OpenEnum",
    "ParseError",
    "check_utf8",
    "format_datetime",
    "json_decoder",
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
