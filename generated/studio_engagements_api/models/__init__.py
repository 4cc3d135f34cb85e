"""Contains all the data models used in inputs/outputs"""

# From openapi/templates/: each model is imported on first use, so that importing one
# model costs no more than that model.
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .engagement import Engagement
    from .engagement_links import EngagementLinks
    from .engagement_status import EngagementStatus
    from .list_engagement_response import ListEngagementResponse
    from .list_engagement_response_meta import ListEngagementResponseMeta

_MODULES = {
    "Engagement": ".engagement",
    "EngagementLinks": ".engagement_links",
    "EngagementStatus": ".engagement_status",
    "ListEngagementResponse": ".list_engagement_response",
    "ListEngagementResponseMeta": ".list_engagement_response_meta",
}

__all__ = (
    "Engagement",
    "EngagementLinks",
    "EngagementStatus",
    "ListEngagementResponse",
    "ListEngagementResponseMeta",
)


def __getattr__(name: str) -> object:
    if name in _MODULES:
        import importlib

        value = getattr(importlib.import_module(_MODULES[name], __name__), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
