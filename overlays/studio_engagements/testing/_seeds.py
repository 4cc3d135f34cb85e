"""Everything derived from the seed: stable hashes, SIDs, credentials, flows, names, shapes.

The record compiler (``_records``) decides which value a property gets; the seeded pieces it
draws from (first names, any-JSON shapes, varied examples) are here, with the mock's identity.
"""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import itertools
import marshal
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ._patterns import PatternShape


def digest(*parts: object, size: int = 64) -> bytes:
    """A stable hash of ``parts`` (unlike ``hash()``, the same in every process)."""
    return hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=size).digest()


def entropy(*parts: object, size: int) -> bytes:
    """``size`` stable bytes from ``parts``: whole :func:`digest` blocks, cut to ``size``.

    The first bytes do not depend on ``size``: asking for more (a record schema that grew)
    changes none of the bytes asked for before.
    """
    data = digest(*parts)
    for block in range(1, -(-size // 64)):
        data += digest(*parts, block)
    return data[:size]


def sid(prefix: str, *parts: object) -> str:
    """A Twilio SID: two letters and 32 hex digits, derived from ``parts``."""
    return prefix + digest(prefix, *parts, size=16).hex()


@dataclasses.dataclass(frozen=True, slots=True)
class MockCredentials:
    """The account SID / auth token pair and the API key SID / secret pair the mock accepts."""

    account_sid: str
    auth_token: str = dataclasses.field(repr=False)
    api_key_sid: str
    api_key_secret: str = dataclasses.field(repr=False)

    @classmethod
    def for_seed(cls, seed: int) -> MockCredentials:
        """Credentials derived from the seed: stable across runs, distinct across seeds."""
        return cls(
            account_sid=sid("AC", "account", seed),
            auth_token=digest("auth-token", seed, size=16).hex(),
            api_key_sid=sid("SK", "api-key", seed),
            api_key_secret=base64.urlsafe_b64encode(digest("api-secret", seed, size=24)).decode(),
        )

    def pairs(self) -> tuple[tuple[bytes, bytes], ...]:
        """Every accepted (user, password), as bytes for a constant-time comparison."""
        return (
            (self.account_sid.encode(), self.auth_token.encode()),
            (self.api_key_sid.encode(), self.api_key_secret.encode()),
        )


def seeded_sid(pattern: str | None, *parts: object) -> str:
    """A value of the SID ``pattern`` (``^FW[0-9a-fA-F]{32}$``) derived from ``parts``.

    For a literal prefix and hex digits, the same as :func:`sid` with that prefix.
    """
    if pattern is None:
        raise ValueError("the flow SID parameter needs a pattern for the mock to seed flow SIDs")
    shape = PatternShape.parse(pattern)
    return shape.generator(0)(digest(shape.prefix, *parts, size=shape.size))


def default_flows(
    seed: int, example_flow_sid: str | None, flow_sid_pattern: str | None
) -> dict[str, int]:
    """A few flows: the spec's example flow, a large one, a short one and an empty one."""
    flows = {} if example_flow_sid is None else {example_flow_sid: 120}
    for name, count in (("large", 2500), ("short", 7), ("empty", 0)):
        flows[seeded_sid(flow_sid_pattern, "flow", name, seed)] = count
    return flows


# -- seeded values: names, any-JSON shapes, varied examples -----------------------------------

FIRST_NAMES = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Ken", "Radia", "Linus")
NAME_PLACEHOLDER = "name"
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


def any_json(documented: Sequence[Any], at: int) -> Callable[[bytes], Any]:
    """One of :data:`JSON_SHAPES` or the ``documented`` examples (their strings made first names),
    chosen by a record's bytes at ``at`` and ``at + 1``: a fresh copy each time (a caller may
    mutate what it is given).
    """
    shapes: list[Any] = list(JSON_SHAPES)
    for example in documented:
        shapes.insert(1, _with_names(example, "{name}"))
    # Each shape with each name, marshalled: loading one is a fast deep copy.
    frozen = [[marshal.dumps(_fill(shape, n)) for n in FIRST_NAMES] for shape in shapes]
    count, names, load = len(frozen), len(FIRST_NAMES), marshal.loads
    return lambda data: load(frozen[data[at] % count][data[at + 1] % names])


JSON_VARIANTS = 16  # seeded variants of each documented any-JSON example


def documented_json(examples: Sequence[Any], at: int) -> Callable[[bytes], Any]:
    """One of an any-JSON property's documented ``examples`` (Studio's flow state), chosen by a
    record's bytes at ``at`` and ``at + 1`` among seeded variants of each, whose strings are varied
    as :func:`varied_examples` varies one: a fresh copy each time.
    """

    def variant(example: Any, n: int) -> bytes:
        return marshal.dumps(
            _map_strings(example, lambda text: _varied(text, 0)(digest(n, text, size=10)))
        )

    frozen = [[variant(example, n) for n in range(JSON_VARIANTS)] for example in examples]
    count, load = len(frozen), marshal.loads
    return lambda data: load(frozen[data[at] % count][data[at + 1] % JSON_VARIANTS])


def varied_examples(examples: Sequence[str], at: int) -> Callable[[bytes], str]:
    """One of ``examples``, chosen by a record's byte at ``at`` and varied by the 9 after it: each
    run of digits keeps its first digit and gets seeded others, and the word ``name`` (Twilio's
    placeholder for a person's name) becomes a first name.
    """
    variants = [_varied(example, at + 1) for example in examples]
    count = len(variants)
    return lambda data: variants[data[at] % count](data)


def _varied(example: str, at: int) -> Callable[[bytes], str]:
    """``example`` varied by a record's 9 bytes from ``at``, as :func:`varied_examples` says."""
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
    return _map_strings(value, lambda text: placeholder)


def _fill(value: Any, name: str) -> Any:
    """``value`` with ``{name}`` in its strings replaced by ``name``."""
    return _map_strings(value, lambda text: text.replace("{name}", name))


def _map_strings(value: Any, change: Callable[[str], str]) -> Any:
    """``value`` with ``change`` applied to every string in it (keys kept)."""
    if isinstance(value, str):
        return change(value)
    if isinstance(value, Mapping):
        return {key: _map_strings(item, change) for key, item in value.items()}
    if isinstance(value, list):
        return [_map_strings(item, change) for item in value]
    return value
