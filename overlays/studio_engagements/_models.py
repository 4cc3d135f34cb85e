"""The typed values users get, re-exported from the generated models under their public names.

``Engagement``, ``Page`` (the spec's ``ListEngagementResponse``), ``PageMeta``
(shared by every list) and ``EngagementStatus`` are generated from the OpenAPI document
by ``openapi/templates/``: frozen, read in one pass, strict about types and tolerant about absence
and evolution. There is no second, hand-written copy of a schema.
"""

from __future__ import annotations

from studio_engagements_api.models.engagement import Engagement
from studio_engagements_api.models.engagement_status import EngagementStatus
from studio_engagements_api.models.list_engagement_response import (
    ListEngagementResponse as Page,
)
from studio_engagements_api.models.page_meta import PageMeta
from studio_engagements_api.types import ParseError

__all__ = ["Engagement", "EngagementStatus", "Page", "PageMeta", "ParseError"]
