"""Contains all the data models used in inputs/outputs"""

from .engagement import Engagement
from .engagement_links import EngagementLinks
from .engagement_status import EngagementStatus
from .list_engagement_response import ListEngagementResponse
from .list_engagement_response_meta import ListEngagementResponseMeta
from .twilio_error import TwilioError

__all__ = (
    "Engagement",
    "EngagementLinks",
    "EngagementStatus",
    "ListEngagementResponse",
    "ListEngagementResponseMeta",
    "TwilioError",
)
