"""Contains all the data models used in inputs/outputs"""

# From openapi/templates/: each model is imported on first use, so that importing one
# model costs no more than that model.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engagement import Engagement
    from .engagement_context import EngagementContext
    from .engagement_status import EngagementStatus
    from .flow import Flow
    from .flow_status import FlowStatus
    from .links import Links
    from .list_engagement_response import ListEngagementResponse
    from .list_flow_response import ListFlowResponse
    from .list_step_response import ListStepResponse
    from .page_meta import PageMeta
    from .step import Step
    from .step_context import StepContext

_MODULES = {
    "Engagement": ".engagement",
    "EngagementContext": ".engagement_context",
    "EngagementStatus": ".engagement_status",
    "Flow": ".flow",
    "FlowStatus": ".flow_status",
    "Links": ".links",
    "ListEngagementResponse": ".list_engagement_response",
    "ListFlowResponse": ".list_flow_response",
    "ListStepResponse": ".list_step_response",
    "PageMeta": ".page_meta",
    "Step": ".step",
    "StepContext": ".step_context",
}

__all__ = (
    "Engagement",
    "EngagementContext",
    "EngagementStatus",
    "Flow",
    "FlowStatus",
    "Links",
    "ListEngagementResponse",
    "ListFlowResponse",
    "ListStepResponse",
    "PageMeta",
    "Step",
    "StepContext",
)


def __getattr__(name: str) -> object:
    if name in _MODULES:
        import importlib

        value = getattr(importlib.import_module(_MODULES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
