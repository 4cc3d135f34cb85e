"""MockStudio: the public face of the mock, wiring one endpoint to its three adapters."""

from __future__ import annotations

import contextlib
import signal
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, TextIO

import httpx

from studio_engagements import AsyncStudioClient, StudioClient

from . import _seeds, _spec
from ._endpoint import Endpoint
from ._exchange import RecordedRequest
from ._faults import Fault
from ._server import serve
from ._transport import AsyncMockTransport, MockTransport
from ._wsgi import WSGIApp


class MockStudio:
    """A deterministic fake of Twilio Studio's List Engagements endpoint, driven by its spec.

    Rules (route, parameter types, patterns, lengths, ranges, page-size default) come from the
    OpenAPI document packaged with the client, or from ``spec_path``. The mock answers like Twilio:

    - ``GET``, the list operation, only: other methods, which it does not implement, get 405,
      code 20004, ``Allow: GET``; Basic auth with the account SID and auth token, or the API key
      SID and secret (else 401, code 20003, ``WWW-Authenticate``);
    - an invalid ``FlowSid`` or query parameter: 400, code 20001, naming it; unknown query
      parameters are ignored, as Twilio does; a ``PageToken`` the mock did not issue for that flow
      (forged, edited, another flow's): 400, code 20001;
    - a well-formed ``FlowSid`` that is not seeded: 404, code 20404 (as the live API, and as the
      spec documents). ``MockStudio()`` seeds the spec's example ``FlowSid``, so that schemathesis'
      examples phase and the documented curl reach real pages;
    - pages of ``PageSize`` (default and maximum from the spec) with ``meta`` URLs on the origin
      the request came to (its ``Host``), and opaque signed ``PageToken``s in ``next_page_url``;
    - never a 5xx unless a fault is injected.

    Engagements are made on demand from (seed, flow, index), so a flow of a million costs no
    memory, and from the spec's record schema: every property, valued from its pattern, format,
    enum or examples (see ``_records``); their URLs point at the live API's host, as Twilio's do.
    """

    IN_PROCESS_URL: ClassVar[str] = "http://127.0.0.1"
    """The base URL to give a client that uses :meth:`transport` or :meth:`async_transport`."""

    def __init__(
        self,
        flows: Mapping[str, int] | None = None,
        *,
        seed: int = 0,
        spec_path: str | Path | None = None,
    ) -> None:
        spec = _spec.load(spec_path)
        credentials = _seeds.MockCredentials.for_seed(seed)
        if flows is None:
            flows = _seeds.default_flows(seed, spec.example_flow_sid, spec.flow_sid_pattern)
        (flow_rule,) = spec.path_rules()
        for flow_sid, count in flows.items():
            if not flow_rule.allows(flow_sid):
                raise ValueError(f"flow SID {flow_sid!r} is not {flow_rule.describe()}")
            if not isinstance(count, int) or count < 0:
                raise ValueError(f"engagement count of {flow_sid} must be an integer >= 0")
        self._endpoint = Endpoint(spec, flows, seed, credentials)
        self.app = WSGIApp(self._endpoint)
        """The in-process WSGI application (what schemathesis drives)."""

    @classmethod
    def seeded(cls, flows: int, engagements: int, *, seed: int = 0) -> MockStudio:
        """A mock of ``flows`` flows with seeded SIDs, each of ``engagements`` engagements."""
        if flows < 0 or engagements < 0:
            raise ValueError("flows and engagements must be >= 0")
        pattern = _spec.load().flow_sid_pattern
        sids = [_seeds.seeded_sid(pattern, "flow", i, seed) for i in range(flows)]
        return cls(dict.fromkeys(sids, engagements), seed=seed)

    def __repr__(self) -> str:
        return f"MockStudio(flows={self.flows!r}, seed={self._endpoint.seed})"

    # -- identity ------------------------------------------------------------------------------

    @property
    def account_sid(self) -> str:
        """The account SID (Basic-auth user, with :attr:`auth_token`)."""
        return self._endpoint.credentials.account_sid

    @property
    def auth_token(self) -> str:
        """The auth token."""
        return self._endpoint.credentials.auth_token

    @property
    def api_key_sid(self) -> str:
        """An API key SID (``SK...``), accepted with :attr:`api_key_secret` too."""
        return self._endpoint.credentials.api_key_sid

    @property
    def api_key_secret(self) -> str:
        """The API key's secret."""
        return self._endpoint.credentials.api_key_secret

    @property
    def seed(self) -> int:
        """The seed all data, credentials and tokens derive from."""
        return self._endpoint.seed

    @property
    def flows(self) -> dict[str, int]:
        """Seeded flow SIDs and how many engagements each has."""
        return dict(self._endpoint.flows)

    def engagements(self, flow_sid: str) -> list[dict[str, Any]]:
        """Every engagement of a seeded flow, in the order pages serve them."""
        if flow_sid not in self._endpoint.flows:
            raise KeyError(f"{flow_sid} is not a seeded flow")
        count = self._endpoint.flows[flow_sid]
        return [self._endpoint.engagement(flow_sid, i) for i in range(count)]

    # -- the three ways in -----------------------------------------------------------------------

    def transport(self) -> httpx.BaseTransport:
        """An ``httpx`` transport for ``httpx.Client(transport=..., base_url=IN_PROCESS_URL)``."""
        return MockTransport(self._endpoint)

    def async_transport(self) -> httpx.AsyncBaseTransport:
        """The same for ``httpx.AsyncClient``."""
        return AsyncMockTransport(self._endpoint)

    def serve(
        self, host: str = "127.0.0.1", port: int = 0
    ) -> contextlib.AbstractContextManager[str]:
        """A real threaded HTTP server; ``with mock.serve() as base_url:``, stopped on exit."""
        return serve(self._endpoint, host, port)

    def serve_forever(
        self, host: str = "127.0.0.1", port: int = 0, out: TextIO = sys.stdout
    ) -> None:
        """Serve until Ctrl-C or SIGTERM, first printing the URL, ``export`` lines and flows."""
        stop = threading.Event()
        signal.signal(signal.SIGTERM, lambda *_: stop.set())
        with self.serve(host, port) as served_url:
            # Bound to every address: clients reach it, and trust plain http, on loopback.
            bound, _, bound_port = served_url.removeprefix("http://").rpartition(":")
            everywhere = {"0.0.0.0": "127.0.0.1", "::": "[::1]"}  # noqa: S104 (names, not binds)
            loopback = everywhere.get(bound)
            base_url = served_url if loopback is None else f"http://{loopback}:{bound_port}"
            lines = [
                f"Mock Twilio Studio listening on {base_url}",
                f"export STUDIO_ENGAGEMENTS_BASE_URL={base_url}",
                f"export TWILIO_ACCOUNT_SID={self.account_sid}",
                f"export TWILIO_AUTH_TOKEN={self.auth_token}",
                f"# or an API key: export TWILIO_API_KEY={self.api_key_sid} "
                f"TWILIO_API_SECRET={self.api_key_secret}",
                *(f"flow {sid} {count} engagements" for sid, count in self.flows.items()),
            ]
            if self.flows:
                first = next(iter(self.flows))
                lines.append(
                    f"try: studio-engagements list {first} --base-url {base_url} --limit 5"
                )
            lines.append("Press Ctrl-C to stop.")
            print("\n".join(lines), file=out, flush=True)
            with contextlib.suppress(KeyboardInterrupt):
                stop.wait()

    def client(self, **kwargs: Any) -> StudioClient:
        """A ``StudioClient`` wired to this mock in-process (keyword arguments override)."""
        return StudioClient(**self._client_kwargs(kwargs, httpx.Client, self.transport()))

    def async_client(self, **kwargs: Any) -> AsyncStudioClient:
        """An ``AsyncStudioClient`` wired to this mock in-process (keyword arguments override)."""
        return AsyncStudioClient(
            **self._client_kwargs(kwargs, httpx.AsyncClient, self.async_transport())
        )

    def _client_kwargs(
        self, kwargs: dict[str, Any], factory: Any, transport: Any
    ) -> dict[str, Any]:
        if "api_key" not in kwargs:
            kwargs.setdefault("account_sid", self.account_sid)
            kwargs.setdefault("auth_token", self.auth_token)
        kwargs.setdefault("base_url", self.IN_PROCESS_URL)
        if "http_client" not in kwargs:
            kwargs["http_client"] = factory(transport=transport)
        return kwargs

    # -- faults and recorded requests ------------------------------------------------------------

    def inject(self, fault: Fault, times: int = 1, *, after: int = 0) -> None:
        """Make ``times`` requests fail with ``fault``, once ``after`` more have succeeded.

        Queued after faults already queued; e.g. ``inject(Fault.server_error(503), times=3,
        after=2)`` lets two pages through, then fails three requests in a row.
        """
        self._endpoint.faults.inject(fault, times, after)

    def inject_rate(self, rate: float, faults: Sequence[Fault], seed: int = 0) -> None:
        """Fail a ``rate`` share of later requests with ``faults``, drawn by ``seed``."""
        self._endpoint.faults.inject_rate(rate, faults, seed)

    def clear_faults(self) -> None:
        """Stop injecting faults."""
        self._endpoint.faults.clear()

    @property
    def requests(self) -> list[RecordedRequest]:
        """Every request received so far, oldest first (a copy; safe across threads)."""
        return self._endpoint.requests()

    def reset_requests(self) -> None:
        """Forget the requests received so far."""
        self._endpoint.reset_requests()
