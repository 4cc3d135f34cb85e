"""A spec-driven fake of Twilio Studio's List Engagements endpoint, for tests (the ``mock`` extra).

>>> from studio_engagements.testing import MockStudio, Fault
>>> mock = MockStudio(flows={"FW" + "0" * 32: 120}, seed=1)
>>> with mock.serve() as base_url:                      # doctest: +SKIP
...     ...  # real HTTP on 127.0.0.1; or mock.transport() / mock.app in-process

Where things are: ``_mock`` (MockStudio, the public face) wires one ``_endpoint`` (answers every
request; ``_exchange`` holds the values it takes and returns) to the adapters ``_wsgi``,
``_transport`` and ``_server``. ``_spec`` reads the operation from the OpenAPI document,
``_faults`` plans injected faults, ``_data`` seeds credentials and flows, ``_page_tokens`` signs
page tokens. Records come from ``_records`` (the rules), with ``_schema_reading``, ``_patterns``,
``_identity_values``, ``_json_values`` and ``_record_draft``.
"""

from ._exchange import RecordedRequest
from ._faults import Fault, FaultKind
from ._mock import MockStudio
from ._wsgi import DroppedConnection

__all__ = ["DroppedConnection", "Fault", "FaultKind", "MockStudio", "RecordedRequest"]
