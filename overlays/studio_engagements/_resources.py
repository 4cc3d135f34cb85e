"""``client.flows``, ``client.engagements``, ``client.steps``, sync and async.

Each resource names its operations of the spec and the models their bodies are read into; every
method comes from ``_lists`` (written once), and each twin binds the types it gives back.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lists import (
    Async,
    ContextT,
    List,
    ListT,
    OneT,
    Operation,
    PagesT,
    PageT,
    Records,
    RecordsT,
    Sync,
)

if TYPE_CHECKING:
    # Named only in the quoted type arguments of the twins' bases, which ruff does not read.
    import builtins  # noqa: F401
    from collections.abc import AsyncIterator, Awaitable, Iterator  # noqa: F401

    from ._models import (  # noqa: F401
        Engagement,
        EngagementContext,
        Flow,
        FlowPage,
        Page,
        Step,
        StepContext,
        StepPage,
    )

__all__ = ["AsyncEngagements", "AsyncFlows", "AsyncSteps", "Engagements", "Flows", "Steps"]


class _FlowsBase(List[PageT, PagesT, RecordsT, ListT]):
    """The Flows of the account: ``list()``, ``stream()``, ``pages()``, ``page()``..."""

    _list = Operation("ListFlow", "FlowPage", "flows")


class _EngagementsBase(Records[PageT, PagesT, RecordsT, ListT, OneT, ContextT]):
    """The Engagements of a flow: ``list(flow_sid)``..., ``fetch(flow_sid, engagement_sid)``."""

    _list = Operation("ListEngagement", "Page", "engagements")
    _one = Operation("FetchEngagement", "Engagement")
    _context = Operation("FetchEngagementContext", "EngagementContext")
    _sid = "engagement_sid"


class _StepsBase(Records[PageT, PagesT, RecordsT, ListT, OneT, ContextT]):
    """The Steps of an engagement: ``list(flow_sid, engagement_sid)``..., ``fetch(...)``."""

    _list = Operation("ListStep", "StepPage", "steps")
    _one = Operation("FetchStep", "Step")
    _context = Operation("FetchStepContext", "StepContext")
    _sid = "step_sid"


class Flows(
    Sync, _FlowsBase["FlowPage", "Iterator[FlowPage]", "Iterator[Flow]", "builtins.list[Flow]"]
):
    """``client.flows``."""


class AsyncFlows(
    Async,
    _FlowsBase[
        "Awaitable[FlowPage]",
        "AsyncIterator[FlowPage]",
        "AsyncIterator[Flow]",
        "Awaitable[builtins.list[Flow]]",
    ],
):
    """``client.flows`` of the async client: awaitables and async iterators."""


class Engagements(
    Sync,
    _EngagementsBase[
        "Page",
        "Iterator[Page]",
        "Iterator[Engagement]",
        "builtins.list[Engagement]",
        "Engagement",
        "EngagementContext",
    ],
):
    """``client.engagements``."""


class AsyncEngagements(
    Async,
    _EngagementsBase[
        "Awaitable[Page]",
        "AsyncIterator[Page]",
        "AsyncIterator[Engagement]",
        "Awaitable[builtins.list[Engagement]]",
        "Awaitable[Engagement]",
        "Awaitable[EngagementContext]",
    ],
):
    """``client.engagements`` of the async client: awaitables and async iterators."""


class Steps(
    Sync,
    _StepsBase[
        "StepPage",
        "Iterator[StepPage]",
        "Iterator[Step]",
        "builtins.list[Step]",
        "Step",
        "StepContext",
    ],
):
    """``client.steps``."""


class AsyncSteps(
    Async,
    _StepsBase[
        "Awaitable[StepPage]",
        "AsyncIterator[StepPage]",
        "AsyncIterator[Step]",
        "Awaitable[builtins.list[Step]]",
        "Awaitable[Step]",
        "Awaitable[StepContext]",
    ],
):
    """``client.steps`` of the async client: awaitables and async iterators."""
