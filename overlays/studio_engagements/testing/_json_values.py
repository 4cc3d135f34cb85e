"""Values from documented examples and any-JSON shapes, with first names filled in."""

from __future__ import annotations

import itertools
import marshal
import random
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._record_draft import ByteBudget, Maker

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Linus")
NAME_PLACEHOLDER = "name"
JSON_VARIANTS = 16  # seeded variants of each documented any-JSON example
# Untyped properties hold whatever a flow's widgets stored there: the shapes vary a lot.
JSON_SHAPES: tuple[Any, ...] = (
    {},
    {
        "trigger": {"message": {"Body": "Hi, I'm {name}", "NumMedia": "0"}},
        "widgets": {"send_reply": {"status": "delivered"}},
    },
    {"flow": {"data": {"items": [1, 2.5, "three", None, True], "count": 0}}},
    {"flow": {"variables": {"unicode": "Grüße, 世界", "nested": {"deep": [{"a": []}]}}}},
    None,
)


def example_maker(budget: ByteBudget, examples: Sequence[str]) -> Maker:
    """One of ``examples``, varied: each run of digits keeps its first digit and gets seeded
    others, and the word ``name`` (Twilio's placeholder for a person's name) becomes a first name.
    """
    at = budget.take(1 + 1 + 8)
    variants = [_example_variant(example, at + 1) for example in examples]
    count = len(variants)
    return lambda record: variants[record.data[at] % count](record.data)


def any_json_maker(budget: ByteBudget, documented: Sequence[Any]) -> Maker:
    """One of :data:`JSON_SHAPES` or the ``documented`` example (its strings made first names)."""
    at = budget.take(2)
    shapes: list[Any] = list(JSON_SHAPES)
    for example in documented:
        shapes.insert(1, _with_names(example, "{name}"))
    # Each shape with each name, marshalled: loading one is a fast deep copy, so every record
    # gets its own objects (a caller may mutate what it is given).
    frozen = [[marshal.dumps(_fill(shape, n)) for n in FIRST_NAMES] for shape in shapes]
    count, names, load = len(frozen), len(FIRST_NAMES), marshal.loads
    return lambda record: load(frozen[record.data[at] % count][record.data[at + 1] % names])


def documented_json_maker(budget: ByteBudget, examples: Sequence[Any]) -> Maker:
    """One of an any-JSON property's documented ``examples``, varied: in each of a few seeded
    variants of an example, every string is varied as :func:`example_maker` varies one."""
    at = budget.take(2)
    frozen = [
        [marshal.dumps(_varied(example, random.Random(n))) for n in range(JSON_VARIANTS)]  # noqa: S311
        for example in examples
    ]
    count, load = len(frozen), marshal.loads
    return lambda record: load(frozen[record.data[at] % count][record.data[at + 1] % JSON_VARIANTS])


def _varied(value: Any, rng: random.Random) -> Any:
    """``value`` with each string varied by :func:`_example_variant` from ``rng``'s bytes."""
    if isinstance(value, str):
        return _example_variant(value, 0)(rng.randbytes(10))
    if isinstance(value, Mapping):
        return {key: _varied(item, rng) for key, item in value.items()}
    if isinstance(value, list):
        return [_varied(item, rng) for item in value]
    return value


def _example_variant(example: str, at: int) -> Callable[[bytes], str]:
    """A function of a record's bytes varying ``example`` as :func:`example_maker` says."""
    template: list[str] = []
    moduli: list[int] = []
    for (digits, _), group in itertools.groupby(example, key=lambda c: (c.isdigit(), c.isalpha())):
        text = "".join(group)
        if digits and len(text) > 1:
            moduli.append(10 ** (len(text) - 1))
            template.append(f"{text[0]}{{{len(moduli)}:0>{len(text) - 1}}}")
        elif text == NAME_PLACEHOLDER:
            template.append("{0}")
        else:
            template.append(text.replace("{", "{{").replace("}", "}}"))
    form = "".join(template).format
    names = [name.lower() for name in FIRST_NAMES]
    count = len(names)

    def vary(data: bytes) -> str:
        number = int.from_bytes(data[at + 1 : at + 9])
        return form(names[data[at] % count], *[number % modulus for modulus in moduli])

    return vary


def _with_names(value: Any, placeholder: str) -> Any:
    """``value`` with every string replaced by ``placeholder`` (keys kept)."""
    if isinstance(value, str):
        return placeholder
    if isinstance(value, Mapping):
        return {key: _with_names(item, placeholder) for key, item in value.items()}
    if isinstance(value, list):
        return [_with_names(item, placeholder) for item in value]
    return value


def _fill(value: Any, name: str) -> Any:
    """``value`` with ``{name}`` in its strings replaced by ``name``."""
    if isinstance(value, str):
        return value.replace("{name}", name)
    if isinstance(value, Mapping):
        return {key: _fill(item, name) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, name) for item in value]
    return value
