"""A spec-driven fake of Twilio Studio's List Engagements endpoint, for tests (the ``mock`` extra).

>>> from studio_engagements.testing import MockStudio, Fault
>>> mock = MockStudio(flows={"FW" + "0" * 32: 120}, seed=1)
>>> with mock.serve() as base_url:                      # doctest: +SKIP
...     ...  # real HTTP on 127.0.0.1; or mock.transport() / mock.app in-process
"""

from ._exchange import RecordedRequest
from ._faults import Fault, FaultKind
from ._mock import MockStudio
from ._wsgi import DroppedConnection

__all__ = ["DroppedConnection", "Fault", "FaultKind", "MockStudio", "RecordedRequest"]
