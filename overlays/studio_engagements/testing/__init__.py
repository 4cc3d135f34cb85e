"""A spec-driven fake of Twilio Studio's Engagement family (flows, engagements, steps and their
contexts), for tests (the ``mock`` extra).

>>> from studio_engagements.testing import MockStudio, Fault
>>> mock = MockStudio(flows={"FW" + "0" * 32: 120}, seed=1)
>>> with mock.serve() as base_url:                      # doctest: +SKIP
...     ...  # real HTTP on 127.0.0.1; or mock.transport() / mock.app in-process

Where things are (each module imports only those below it, no circles):

- ``_mock``: :class:`MockStudio`, the facade: builds one endpoint, hands it to the adapters,
  serves it (``serve``, ``serve_forever``), the data accessors, moves the clock (``advance``),
  deletes records, injects faults, lists requests.
- adapters, which only carry requests to the endpoint and its replies back: ``_transport``
  (in-process: httpx transports and the WSGI app schemathesis drives), ``_server`` (a real
  threaded HTTP server on loopback).
- ``_endpoint``: :class:`Endpoint`, the one place that answers: routes by the spec's
  operations, auth, checks from the spec, faults turned into replies.
- ``_family``: the family's data: the tree of lists, how many records each holds at the
  clock's time (a flow's engagements newest first), fetches and singleton resources
  (contexts), neighbouring records chained.
- ``_window``: a flow's engagements at one moment: newest first, page positions that stay true
  while the clock moves, their SIDs indexed.
- ``_relations``: relations between neighbouring records (a step's parent, chained transitions).
- ``_paging``: paging for every list: positions (offsets, or where a moving list continues),
  opaque signed page tokens, ``meta``.
- ``_clock``: the mock's clock and each engagement's life (arrival, end, expiry after the
  30-day retention), pure functions of (seed, flow, creation index, now); deletions.
- ``_exchange``: the values adapters and endpoint trade (request, response, reply, recorded
  requests) and the response builders; how a reply is put on the wire (a truncated body too).
- ``_faults``: :class:`Fault` and the plan that decides which request fails how.
- ``_records``: the record compiler: any record schema into one value maker per property.
- ``_drafts``: a record in the making and the compiled maker that makes records from the seed.
- ``_seeds``: what derives from the seed: hashes, SIDs, credentials, default flows, first names
  and any-JSON shapes.
- ``_patterns``: the regex-shape parser (``^FW[0-9a-fA-F]{32}$``) and values of a shape.
- ``_spec``: reading the OpenAPI document: its GET operations and :class:`SchemaReader`, the
  one ``$ref`` resolver.
"""

try:
    from ._exchange import RecordedRequest, RequestLog
    from ._faults import Fault, FaultKind
    from ._mock import MockStudio
    from ._transport import DroppedConnection
except ModuleNotFoundError as missing:
    if missing.name != "yaml":  # PyYAML, the one package the mock extra adds
        raise
    raise ModuleNotFoundError(
        "studio_engagements.testing needs the mock extra: "
        f"pip install 'twilio-studio-engagements[mock]' ({missing.name} is missing)",
        name=missing.name,
    ) from missing

__all__ = [
    "DroppedConnection",
    "Fault",
    "FaultKind",
    "MockStudio",
    "RecordedRequest",
    "RequestLog",
]
