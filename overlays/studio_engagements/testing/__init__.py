"""A spec-driven fake of Twilio Studio's List Engagements endpoint, for tests (the ``mock`` extra).

>>> from studio_engagements.testing import MockStudio, Fault
>>> mock = MockStudio(flows={"FW" + "0" * 32: 120}, seed=1)
>>> with mock.serve() as base_url:                      # doctest: +SKIP
...     ...  # real HTTP on 127.0.0.1; or mock.transport() / mock.app in-process

Where things are (each module imports only those below it, no circles):

- ``_mock``: :class:`MockStudio`, the facade: builds one endpoint, hands it to the adapters,
  serves it (``serve``, ``serve_forever``), injects faults, lists requests.
- adapters, which only carry requests to the endpoint and its replies back: ``_transport``
  (httpx transports, in-process), ``_wsgi`` (the WSGI app schemathesis drives), ``_server``
  (a real threaded HTTP server on loopback).
- ``_endpoint``: :class:`Endpoint`, the one place that answers: auth, checks from the spec,
  pages and page tokens, faults turned into replies.
- ``_exchange``: the values adapters and endpoint trade (request, response, reply, recorded
  request) and the response builders; how a reply is put on the wire (a truncated body too).
- ``_faults``: :class:`Fault` and the plan that decides which request fails how.
- ``_records``: the record compiler: the record schema into one value maker per property.
- ``_seeds``: what derives from the seed: hashes, SIDs, credentials, default flows, page tokens,
  first names and any-JSON shapes.
- ``_patterns``: the regex-shape parser (``^FW[0-9a-fA-F]{32}$``) and values of a shape.
- ``_spec``: reading the OpenAPI document: the operation and :class:`SchemaReader`, the one
  ``$ref`` resolver.
"""

from ._exchange import RecordedRequest
from ._faults import Fault, FaultKind
from ._mock import MockStudio
from ._wsgi import DroppedConnection

__all__ = ["DroppedConnection", "Fault", "FaultKind", "MockStudio", "RecordedRequest"]
