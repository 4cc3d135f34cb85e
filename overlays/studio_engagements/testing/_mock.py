"""MockStudio: the public face of the mock, wiring one endpoint to its three adapters."""

from __future__ import annotations

import contextlib
import functools
import sys
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, ClassVar, TextIO

import httpx

from studio_engagements import AsyncStudioClient, StudioClient

from . import _clock, _seeds, _spec
from ._endpoint import Endpoint
from ._exchange import RequestLog
from ._family import Listing
from ._faults import Fault
from ._server import serve, serve_forever
from ._transport import AsyncMockTransport, MockTransport, WSGIApp


class MockStudio:
    """A deterministic fake of Twilio Studio's Engagement family, driven by its spec.

    Routes (every GET operation: flows, engagements, their steps and contexts) and rules
    (parameter types, patterns, lengths, ranges, page-size defaults) come from the OpenAPI
    document packaged with the client, or from ``spec_path``. The mock answers like Twilio:

    - ``GET`` only: other methods, which it does not implement, get 405, code 20004,
      ``Allow: GET``; Basic auth with the account SID and auth token, or the API key SID and
      secret (else 401, code 20003, ``WWW-Authenticate``);
    - an invalid path or query parameter: 400, code 20001, naming it; unknown query parameters
      are ignored, as Twilio does; a ``PageToken`` the mock did not issue for that list (forged,
      edited, another list's): 400, code 20001;
    - a well-formed SID of a flow, engagement or step that does not exist: 404, code 20404.
      ``MockStudio()`` seeds the spec's example SIDs, so that schemathesis' examples phase and
      the documented curl reach real records;
    - pages of ``PageSize`` (default and maximum from the spec) with ``meta`` URLs on the origin
      the request came to (its ``Host``), and opaque signed ``PageToken``s in ``next_page_url``;
    - never a 5xx unless a fault is injected (faults apply to every operation).

    The mock has a clock (:attr:`now`) and keeps engagements as Twilio does, for
    :attr:`RETENTION` after each starts, newest first: a flow of ``count`` has ``count`` at the
    start and receives ``count`` every 30 days. :meth:`advance` makes time pass: engagements
    arrive at the head, active ones end, old ones are gone (404). Page tokens continue below
    the last record served: a walk across an ``advance`` repeats and skips nothing older.

    Records are made on demand from (seed, path, creation index, clock), so a million
    engagements cost no memory, and from the spec's schemas (``_records``); the status and
    dates follow the clock (``_clock``); how the family hangs together is in ``_family``.
    Thread-safe, the clock moving too: each answer reads the clock once.
    """

    RETENTION: ClassVar[timedelta] = _clock.RETENTION
    """How long an engagement and its steps are kept after it starts (30 days, as Twilio)."""
    START: ClassVar[datetime] = _clock.START
    """The clock of a mock built without ``now``: 2024-07-01 12:00 UTC."""

    IN_PROCESS_URL: ClassVar[str] = "http://127.0.0.1"
    """The base URL to give a client that uses :meth:`transport` or :meth:`async_transport`."""

    def __init__(
        self,
        flows: Mapping[str, int] | None = None,
        *,
        seed: int = 0,
        spec_path: str | Path | None = None,
        now: datetime | None = None,
    ) -> None:
        spec = _spec.load(spec_path)
        credentials = _seeds.MockCredentials.for_seed(seed)
        flow_rule, example = spec.flow_rule()
        if flows is None:
            flows = _seeds.default_flows(seed, example, flow_rule.pattern)
        for flow_sid, count in flows.items():
            if not flow_rule.allows(flow_sid):
                raise ValueError(f"flow SID {flow_sid!r} is not {flow_rule.describe()}")
            if not isinstance(count, int) or count < 0:
                raise ValueError(f"engagement count of {flow_sid} must be an integer >= 0")
        self._clock = _clock.MockClock(self.START if now is None else now)
        self._endpoint = Endpoint(spec, flows, seed, credentials, self._clock)
        self.app = WSGIApp(self._endpoint)
        """The in-process WSGI application (what schemathesis drives)."""

    @classmethod
    def seeded(
        cls, flows: int, engagements: int, *, seed: int = 0, now: datetime | None = None
    ) -> MockStudio:
        """A mock of ``flows`` flows with seeded SIDs, each of ``engagements`` engagements."""
        if flows < 0 or engagements < 0:
            raise ValueError("flows and engagements must be >= 0")
        pattern = _spec.load().flow_rule()[0].pattern
        sids = [_seeds.seeded_sid(pattern, "flow", i, seed) for i in range(flows)]
        return cls(dict.fromkeys(sids, engagements), seed=seed, now=now)

    def __repr__(self) -> str:
        return (
            f"MockStudio(flows={self.flows!r}, seed={self._endpoint.seed}, "
            f"now={self.now.isoformat()!r})"
        )

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
        """Seeded flow SIDs and how many engagements each keeps at any time (visible at the
        start; as many arrive every :attr:`RETENTION`)."""
        return dict(self._endpoint.flows)

    # -- the clock -------------------------------------------------------------------------------

    @property
    def now(self) -> datetime:
        """The mock's time: a timezone-aware UTC datetime."""
        return _clock.moment_of(self._clock.world().now)

    def advance(self, delta: timedelta) -> datetime:
        """Make ``delta`` pass (not negative; safe while serving); the new :attr:`now`.

        New engagements arrive (``count`` per :attr:`RETENTION` for a flow of ``count``), active
        ones end, and those that started :attr:`RETENTION` or more before the new time are gone.
        """
        return self._clock.advance(delta)

    def delete_engagement(self, flow_sid: str, engagement_sid: str) -> None:
        """Delete an engagement, as if deleted at Twilio: from now on it is in no list, and it,
        its steps and contexts are 404. KeyError if it is not there."""
        world = self._clock.world()
        flow_index = self._endpoint.family.find(0, (), (), flow_sid, world)
        if flow_index is None:
            raise KeyError(flow_sid)
        index = self._endpoint.family.find(1, (flow_sid,), (flow_index,), engagement_sid, world)
        if index is None:
            raise KeyError(engagement_sid)
        self._clock.delete(flow_sid, index)

    def delete_flow(self, flow_sid: str) -> None:
        """Delete a flow, as if deleted at Twilio: from now on it is not listed, and everything
        below it is 404. KeyError if it is not there."""
        if self._endpoint.family.find(0, (), (), flow_sid, self._clock.world()) is None:
            raise KeyError(flow_sid)
        self._clock.delete_flow(flow_sid)

    # -- the data, as served now -----------------------------------------------------------------

    def flow_records(self) -> list[dict[str, Any]]:
        """The Flow resources ``ListFlow`` serves, in order (one per seeded flow not deleted)."""
        return self._records("ListFlow")

    def engagements(self, flow_sid: str) -> list[dict[str, Any]]:
        """Every engagement of a flow kept at :attr:`now`, newest first, as pages serve them."""
        return self._records("ListEngagement", flow_sid)

    def steps(self, flow_sid: str, engagement_sid: str) -> list[dict[str, Any]]:
        """Every step of an engagement at :attr:`now` (0 to 12 in the end, by the seed and the
        SIDs; while it is active, those so far), in page order."""
        return self._records("ListStep", flow_sid, engagement_sid)

    def engagement_context(self, flow_sid: str, engagement_sid: str) -> dict[str, Any]:
        """The engagement's context resource (its ``context`` is the engagement's)."""
        return self._record("FetchEngagementContext", flow_sid, engagement_sid)

    def step_context(self, flow_sid: str, engagement_sid: str, step_sid: str) -> dict[str, Any]:
        """The step's context resource (its ``context`` is the step's)."""
        return self._record("FetchStepContext", flow_sid, engagement_sid, step_sid)

    def _resolve(self, operation_id: str, sids: tuple[str, ...]) -> Listing | dict[str, Any]:
        """What the operation serves for ``sids`` (KeyError naming an unknown one)."""
        operation = self._endpoint.spec.operation(operation_id)
        params = dict(zip([rule.name for rule in operation.path_rules()], sids, strict=True))
        return self._endpoint.family.resolve(operation, params, self._clock.world())

    def _records(self, operation_id: str, *sids: str) -> list[dict[str, Any]]:
        found = self._resolve(operation_id, sids)
        assert isinstance(found, Listing)  # a list operation
        return found.everything()

    def _record(self, operation_id: str, *sids: str) -> dict[str, Any]:
        found = self._resolve(operation_id, sids)
        assert isinstance(found, dict)  # a fetch
        return found

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
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        out: TextIO = sys.stdout,
        *,
        days_per_minute: float = 0.0,
    ) -> None:
        """Serve until Ctrl-C or SIGTERM, first printing the URL, ``export`` lines, flows and
        clock; the clock moves ``days_per_minute`` days every real minute (0: it stands still)."""
        if days_per_minute < 0:
            raise ValueError("days_per_minute must be >= 0")
        clock = f"clock {self.now.isoformat()}" + _speed(days_per_minute)
        wait = functools.partial(self._clock.run, days_per_minute=days_per_minute)
        serve_forever(self._endpoint, host, port, out, clock, wait)

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
    def requests(self) -> RequestLog:
        """Every request received so far, oldest first (a copy; safe across threads): a list,
        also callable (``mock.requests()``); ``.count_by_operation()`` counts per operation."""
        return RequestLog(self._endpoint.requests())

    def reset_requests(self) -> None:
        """Forget the requests received so far."""
        self._endpoint.reset_requests()


def _speed(days_per_minute: float) -> str:
    """How fast the clock runs, said after its time."""
    if days_per_minute == 0:
        return " (standing still)"
    return f" (running at {days_per_minute:g} days a minute)"
