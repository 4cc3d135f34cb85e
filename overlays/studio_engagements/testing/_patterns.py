"""The regex-shape parser: patterns of literal text and fixed-count classes, and values of them."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable

from ._spec import UnsupportedSchemaError

HEX = "0123456789abcdef"


@dataclasses.dataclass(frozen=True, slots=True)
class PatternShape:
    """A pattern the mock can make values for: literal text and character classes of fixed count.

    ``^FN[0-9a-fA-F]{32}$`` is the literal ``FN`` and 32 characters of ``0-9a-fA-F``.
    """

    pattern: str
    parts: tuple[tuple[str, int], ...]
    """Literal text (count 0) or a class's characters with their count, in order."""

    @classmethod
    def parse(cls, pattern: str) -> PatternShape:
        """The shape of ``pattern``, or :class:`UnsupportedSchemaError` if it has another."""
        body = pattern.removeprefix("^").removesuffix("$")
        parts: list[tuple[str, int]] = []
        i = 0

        def refuse(why: str) -> UnsupportedSchemaError:
            return UnsupportedSchemaError(
                f"pattern {pattern}: {why}; the mock generates values only for literal text "
                "and character classes with a {n} count, such as ^FN[0-9a-fA-F]{32}$"
            )

        while i < len(body):
            char = body[i]
            if char == "[":
                end = body.find("]", i + 1)
                if end < 0:
                    raise refuse("an unclosed character class")
                alphabet = _class_alphabet(body[i + 1 : end])
                if alphabet is None:
                    raise refuse(f"the character class {body[i : end + 1]!r}")
                i, count = _count(body, end + 1)
                if count is None:
                    raise refuse(f"the repetition after {body[: end + 1]!r}")
                parts.append((alphabet, count))
            elif char == "\\" and i + 1 < len(body) and not body[i + 1].isalnum():
                parts.append((body[i + 1], 0))
                i += 2
            elif char.isalnum() or char in "-_:/@,;=!~%&' <>#\"":
                parts.append((char, 0))
                i += 1
            else:
                raise refuse(f"{char!r} at position {i + len(pattern) - len(pattern.lstrip('^'))}")
        # Literal runs first merged, so that the leading literal is the SID prefix.
        merged: list[tuple[str, int]] = []
        for part in parts:
            if merged and part[1] == 0 and merged[-1][1] == 0:
                merged[-1] = (merged[-1][0] + part[0], 0)
            else:
                merged.append(part)
        shape = cls(pattern, tuple(merged))
        if not shape.matches(shape.generator(0)(bytes(shape.size))):
            raise refuse("its values would not match it")
        return shape

    @property
    def prefix(self) -> str:
        """The literal text the pattern starts with (``FN``)."""
        return self.parts[0][0] if self.parts and self.parts[0][1] == 0 else ""

    @property
    def length(self) -> int:
        """How many characters every value has."""
        return sum(count or len(text) for text, count in self.parts)

    @property
    def size(self) -> int:
        """How many seeded bytes one value needs."""
        return sum(class_bytes(text, count) for text, count in self.parts if count)

    def check_length(self, low: int, high: int | None) -> None:
        """Refuse the shape if its values are not from ``low`` to ``high`` characters long."""
        if self.length < low or (high is not None and self.length > high):
            raise UnsupportedSchemaError(
                f"pattern {self.pattern} makes {self.length} characters, outside its "
                "minLength/maxLength"
            )

    def matches(self, value: str) -> bool:
        """Whether ``value`` matches the pattern (as JSON Schema applies it)."""
        return re.search(self.pattern, value) is not None

    def generator(self, at: int) -> Callable[[bytes], str]:
        """A function of a record's bytes making a value from the ``size`` bytes at ``at``."""
        steps: list[Callable[[bytes], str]] = []
        offset = at
        for text, count in self.parts:
            if count == 0:
                steps.append(lambda data, text=text: text)  # type: ignore[misc]
                continue
            width = class_bytes(text, count)
            start, stop = offset, offset + width
            offset = stop
            if set(HEX) <= set(text):
                steps.append(lambda data, s=start, e=stop, n=count: data[s:e].hex()[:n])  # type: ignore[misc]
            else:
                steps.append(
                    lambda data, s=start, e=stop, a=text: "".join(a[b % len(a)] for b in data[s:e])  # type: ignore[misc]
                )
        if len(self.parts) == 2 and self.parts[0][1] == 0 and set(HEX) <= set(self.parts[1][0]):
            # The common SID shape (literal prefix, hex digits), in one step.
            literal, count = self.parts[0][0], self.parts[1][1]
            start, stop = at, at + class_bytes(HEX, count)
            if count % 2 == 0:
                return lambda data: literal + data[start:stop].hex()
            return lambda data: literal + data[start:stop].hex()[:count]
        return lambda data: "".join([step(data) for step in steps])


def _class_alphabet(inner: str) -> str | None:
    """The characters of a ``[...]`` class body such as ``0-9a-fA-F``, or None if unsupported."""
    if not inner or inner.startswith("^"):
        return None
    chars: list[str] = []
    i = 0
    while i < len(inner):
        if i + 2 < len(inner) and inner[i + 1] == "-":
            low, high = inner[i], inner[i + 2]
            if not (low.isascii() and high.isascii() and low.isalnum() and high.isalnum()):
                return None
            if ord(low) > ord(high):
                return None
            chars.extend(chr(c) for c in range(ord(low), ord(high) + 1))
            i += 3
        elif inner[i].isascii() and (inner[i].isalnum() or inner[i] in "_"):
            chars.append(inner[i])
            i += 1
        else:
            return None
    return "".join(sorted(set(chars)))


def _count(body: str, at: int) -> tuple[int, int | None]:
    """The ``{n}`` count at ``at`` (1 if none) and where the pattern goes on."""
    if at >= len(body) or body[at] != "{":
        return at, None if at < len(body) and body[at] in "*+?" else 1
    end = body.find("}", at)
    number = body[at + 1 : end] if end > 0 else ""
    if not number.isdigit():
        return at, None
    return end + 1, int(number)


def class_bytes(alphabet: str, count: int) -> int:
    """How many seeded bytes ``count`` characters of ``alphabet`` take (hex: two a byte)."""
    return (count + 1) // 2 if set(HEX) <= set(alphabet) else count


def literal_prefix(pattern: str) -> str:
    """The literal text ``pattern`` starts with (``FW``); ``""`` if none or another shape."""
    try:
        return PatternShape.parse(pattern).prefix
    except UnsupportedSchemaError:
        return ""
