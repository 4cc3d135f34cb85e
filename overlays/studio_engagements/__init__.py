"""A typed client for Twilio Studio's List Engagements endpoint.

>>> from studio_engagements import StudioClient
>>> with StudioClient() as client:                       # doctest: +SKIP
...     for engagement in client.engagements.stream("FW..."):
...         print(engagement.sid, engagement.status)
"""

from ._client import AsyncStudioClient, StudioClient
from ._models import Engagement, EngagementStatus, Page, PageMeta
from ._version import __version__

__all__ = [
    "AsyncStudioClient",
    "Engagement",
    "EngagementStatus",
    "Page",
    "PageMeta",
    "StudioClient",
    "__version__",
]
