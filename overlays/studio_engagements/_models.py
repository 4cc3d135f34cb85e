"""The typed values users get, re-exported from the generated models under their public names.

``Engagement``, ``Page`` (the spec's ``ListEngagementResponse``), ``PageMeta`` (shared by every
list), ``EngagementStatus``, ``EngagementContext``, ``Flow``, ``FlowStatus``, ``FlowPage``
(``ListFlowResponse``), ``Step``, ``StepContext`` and ``StepPage`` (``ListStepResponse``) are
generated from the OpenAPI document
by ``openapi/templates/``: frozen, read in one pass, strict about types and tolerant about absence
and evolution. There is no second, hand-written copy of a schema.
"""

from __future__ import annotations

from studio_engagements_api.models.engagement import Engagement as Engagement
from studio_engagements_api.models.engagement_context import EngagementContext as EngagementContext
from studio_engagements_api.models.engagement_status import EngagementStatus as EngagementStatus
from studio_engagements_api.models.flow import Flow as Flow
from studio_engagements_api.models.flow_status import FlowStatus as FlowStatus
from studio_engagements_api.models.list_engagement_response import ListEngagementResponse
from studio_engagements_api.models.list_flow_response import ListFlowResponse
from studio_engagements_api.models.list_step_response import ListStepResponse
from studio_engagements_api.models.page_meta import PageMeta as PageMeta
from studio_engagements_api.models.step import Step as Step
from studio_engagements_api.models.step_context import StepContext as StepContext
from studio_engagements_api.types import ParseError as ParseError
from studio_engagements_api.types import set_next_url as set_next_url

# The pages, under the names users know them by.
Page = ListEngagementResponse
FlowPage = ListFlowResponse
StepPage = ListStepResponse
