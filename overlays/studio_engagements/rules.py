"""The spec's rules for the client's arguments, public: for callers that check input early.

A command line checks a flow SID before it starts work, and gives click the range of a page
size, with the very rules the client applies (read from the OpenAPI document, never retyped)::

    from studio_engagements import rules

    rules.check("flow_sid", "FlowSid", sid)            # InvalidParameterError if it is not one
    size = rules.rule("PageSize")                       # .minimum 1, .maximum 1000, .default 50
    bound = rules.max_records("ListStep")               # 1000: the most steps of an engagement
"""

from __future__ import annotations

import functools
import re

from studio_engagements_api._parameters import OPERATIONS

from ._rules import ParameterRule, rules_from_parameters
from .errors import InvalidParameterError

__all__ = ["LIST_ENGAGEMENT", "ParameterRule", "check", "max_records", "rule"]


@functools.cache  # a handful of names, asked for on every request
def argument_name(api_name: str) -> str:
    """The client's argument for an API parameter: ``PageSize`` is ``page_size``."""
    return re.sub(r"(?<!^)(?=[A-Z])", "_", api_name).lower()


# The operation whose rules ``check`` and ``packaged_rules`` read when none is named.
LIST_ENGAGEMENT = "ListEngagement"


@functools.cache
def packaged_rules(operation_id: str = LIST_ENGAGEMENT) -> dict[str, ParameterRule]:
    """The rules of one operation of the spec the client was generated from (no YAML parsing)."""
    return rules_from_parameters(OPERATIONS[operation_id]["parameters"])


def check(
    parameter: str, api_name: str, value: object, operation_id: str = LIST_ENGAGEMENT
) -> None:
    """Raise InvalidParameterError unless ``value`` satisfies the spec's rule for ``api_name``."""
    rule = packaged_rules(operation_id)[api_name]
    if not rule.allows(value):
        raise InvalidParameterError(
            parameter, value, f"{rule.describe()} ({api_name} in the OpenAPI document)"
        )


def rule(api_name: str, operation_id: str = LIST_ENGAGEMENT) -> ParameterRule:
    """The rule of one parameter of an operation (``"PageSize"`` of ``"ListEngagement"``).

    Its ``minimum``/``maximum`` (None when the spec gives none), ``describe()`` in words and
    ``allows(value)``; KeyError for a name or operation the spec does not have.
    """
    return packaged_rules(operation_id)[api_name]


def max_records(operation_id: str) -> int | None:
    """The most records a list operation can hold (the spec's ``x-max-records``), or None."""
    return OPERATIONS[operation_id]["max_records"]
