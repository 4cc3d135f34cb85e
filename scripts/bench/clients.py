"""The clients measured, each reading a whole flow from the page server.

``python -m bench.clients RUNNER ORIGIN FLOW [OUT]`` runs one in a fresh process and prints how
many engagements it read (the whole-process and memory questions run them so).
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .common import ACCOUNT_SID, AUTH_TOKEN, AUTHORIZATION, PAGE_SIZE

Runner = Callable[[str, str, Path | None], int]
LIVE_ORIGIN = "https://studio.twilio.com"


def floor(origin: str, flow: str, out: Path | None = None) -> int:
    """Raw httpx + json.loads following next_page_url, touching sid, status, date_created."""
    import httpx

    count = 0
    headers = {"Authorization": AUTHORIZATION, "Accept": "application/json"}
    with httpx.Client(headers=headers) as http:
        url: str | None = f"{origin}/v1/Flows/{flow}/Engagements?PageSize={PAGE_SIZE}"
        while url is not None:
            body = json.loads(http.get(url).content)
            for item in body["engagements"]:
                _ = item["sid"], item["status"], item["date_created"]
                count += 1
            url = body["meta"]["next_page_url"]
    return count


def naive_export(origin: str, flow: str, out: Path | None) -> int:
    """The ten-line export script: httpx + json.loads + json.dumps, one line per record."""
    import httpx

    assert out is not None
    count = 0
    headers = {"Authorization": AUTHORIZATION, "Accept": "application/json"}
    with httpx.Client(headers=headers) as http, out.open("w", encoding="utf-8") as file:
        url: str | None = f"{origin}/v1/Flows/{flow}/Engagements?PageSize={PAGE_SIZE}"
        while url is not None:
            body = json.loads(http.get(url).content)
            file.writelines(json.dumps(item) + "\n" for item in body["engagements"])
            count += len(body["engagements"])
            url = body["meta"]["next_page_url"]
    return count


def typed_stream(origin: str, flow: str, out: Path | None = None) -> int:
    """StudioClient.engagements.stream: typed Engagements, dates as datetime."""
    from studio_engagements import StudioClient

    count = 0
    with StudioClient(ACCOUNT_SID, AUTH_TOKEN, base_url=origin) as client:
        for engagement in client.engagements.stream(flow):
            _ = engagement.sid, engagement.status, engagement.date_created
            count += 1
    return count


def typed_stream_json(origin: str, flow: str, out: Path | None = None) -> int:
    """The typed stream read with the json module: the fallback where msgspec cannot be imported."""
    from studio_engagements_api.types import json_decoder, set_json_decoder

    before = json_decoder()
    set_json_decoder("json")
    try:
        return typed_stream(origin, flow)
    finally:
        set_json_decoder(before)


def async_stream(origin: str, flow: str, out: Path | None = None) -> int:
    """AsyncStudioClient.engagements.stream, in a fresh event loop."""
    from studio_engagements import AsyncStudioClient

    async def main() -> int:
        count = 0
        async with AsyncStudioClient(ACCOUNT_SID, AUTH_TOKEN, base_url=origin) as client:
            async for engagement in client.engagements.stream(flow):
                _ = engagement.sid, engagement.status, engagement.date_created
                count += 1
        return count

    return asyncio.run(main())


def twilio_client(origin: str, account_sid: str, auth_token: str) -> Any:
    """A ``twilio`` REST client whose requests to the live origin go to ``origin`` instead."""
    # Imported by name: twilio is installed in the bench session only, not for type checks.
    http_client = importlib.import_module("twilio.http.http_client").TwilioHttpClient()
    send = http_client.request

    def request(method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        if url.startswith(LIVE_ORIGIN):
            url = origin + url[len(LIVE_ORIGIN) :]
        return send(method, url, *args, **kwargs)

    http_client.request = request
    return importlib.import_module("twilio.rest").Client(
        account_sid, auth_token, http_client=http_client
    )


def twilio_stream(origin: str, flow: str, out: Path | None = None) -> int:
    """The official package: ``Client().studio.v1.flows(sid).engagements.stream(...)``."""
    count = 0
    client = twilio_client(origin, ACCOUNT_SID, AUTH_TOKEN)
    for engagement in client.studio.v1.flows(flow).engagements.stream(page_size=PAGE_SIZE):
        _ = engagement.sid, engagement.status, engagement.date_created
        count += 1
    client.http_client.session.close()
    return count


RUNNERS: dict[str, Runner] = {
    "floor": floor,
    "naive_export": naive_export,
    "typed_stream": typed_stream,
    "typed_stream_json": typed_stream_json,
    "async_stream": async_stream,
    "twilio_stream": twilio_stream,
}


def main(argv: list[str]) -> int:
    """Run ``argv[0]`` on the flow ``argv[2]`` of the server ``argv[1]``; print the count."""
    runner, origin, flow, *out = argv
    print(RUNNERS[runner](origin, flow, Path(out[0]) if out else None))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
