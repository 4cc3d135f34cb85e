from http import HTTPStatus
from typing import Any
from urllib.parse import quote

import httpx

from ...client import AuthenticatedClient, Client
from ...models.list_engagement_response import ListEngagementResponse
from ...models.twilio_error import TwilioError
from ...types import UNSET, Response, Unset


def _get_kwargs(
    flow_sid: str,
    *,
    page_size: int | Unset = 50,
    page: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> dict[str, Any]:

    params: dict[str, Any] = {}

    params["PageSize"] = page_size

    params["Page"] = page

    params["PageToken"] = page_token

    params = {k: v for k, v in params.items() if v is not UNSET and v is not None}

    _kwargs: dict[str, Any] = {
        "method": "get",
        "url": "/v1/Flows/{flow_sid}/Engagements".format(
            flow_sid=quote(str(flow_sid), safe=""),
        ),
        "params": params,
    }

    return _kwargs


def _parse_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> ListEngagementResponse | TwilioError:
    if response.status_code == 200:
        response_200 = ListEngagementResponse.from_dict(response.json())

        return response_200

    if response.status_code == 400:
        response_400 = TwilioError.from_dict(response.json())

        return response_400

    if response.status_code == 401:
        response_401 = TwilioError.from_dict(response.json())

        return response_401

    if response.status_code == 404:
        response_404 = TwilioError.from_dict(response.json())

        return response_404

    if response.status_code == 405:
        response_405 = TwilioError.from_dict(response.json())

        return response_405

    if response.status_code == 429:
        response_429 = TwilioError.from_dict(response.json())

        return response_429

    response_default = TwilioError.from_dict(response.json())

    return response_default


def _build_response(
    *, client: AuthenticatedClient | Client, response: httpx.Response
) -> Response[ListEngagementResponse | TwilioError]:
    return Response(
        status_code=HTTPStatus(response.status_code),
        content=response.content,
        headers=response.headers,
        parsed=_parse_response(client=client, response=response),
    )


def sync_detailed(
    flow_sid: str,
    *,
    client: AuthenticatedClient | Client,
    page_size: int | Unset = 50,
    page: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> Response[ListEngagementResponse | TwilioError]:
    """Retrieve a list of all Engagements for the Flow.

     Retrieve a list of all Engagements for the Flow.

    Deprecated: Engagements are superseded by the Executions resource,
    `GET /v1/Flows/{FlowSid}/Executions`.

    Args:
        flow_sid (str):
        page_size (int | Unset):  Default: 50.
        page (int | Unset):
        page_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListEngagementResponse | TwilioError]
    """

    kwargs = _get_kwargs(
        flow_sid=flow_sid,
        page_size=page_size,
        page=page,
        page_token=page_token,
    )

    response = client.get_httpx_client().request(
        **kwargs,
    )

    return _build_response(client=client, response=response)


def sync(
    flow_sid: str,
    *,
    client: AuthenticatedClient | Client,
    page_size: int | Unset = 50,
    page: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> ListEngagementResponse | TwilioError | None:
    """Retrieve a list of all Engagements for the Flow.

     Retrieve a list of all Engagements for the Flow.

    Deprecated: Engagements are superseded by the Executions resource,
    `GET /v1/Flows/{FlowSid}/Executions`.

    Args:
        flow_sid (str):
        page_size (int | Unset):  Default: 50.
        page (int | Unset):
        page_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListEngagementResponse | TwilioError
    """

    return sync_detailed(
        flow_sid=flow_sid,
        client=client,
        page_size=page_size,
        page=page,
        page_token=page_token,
    ).parsed


async def asyncio_detailed(
    flow_sid: str,
    *,
    client: AuthenticatedClient | Client,
    page_size: int | Unset = 50,
    page: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> Response[ListEngagementResponse | TwilioError]:
    """Retrieve a list of all Engagements for the Flow.

     Retrieve a list of all Engagements for the Flow.

    Deprecated: Engagements are superseded by the Executions resource,
    `GET /v1/Flows/{FlowSid}/Executions`.

    Args:
        flow_sid (str):
        page_size (int | Unset):  Default: 50.
        page (int | Unset):
        page_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        Response[ListEngagementResponse | TwilioError]
    """

    kwargs = _get_kwargs(
        flow_sid=flow_sid,
        page_size=page_size,
        page=page,
        page_token=page_token,
    )

    response = await client.get_async_httpx_client().request(**kwargs)

    return _build_response(client=client, response=response)


async def asyncio(
    flow_sid: str,
    *,
    client: AuthenticatedClient | Client,
    page_size: int | Unset = 50,
    page: int | Unset = UNSET,
    page_token: str | Unset = UNSET,
) -> ListEngagementResponse | TwilioError | None:
    """Retrieve a list of all Engagements for the Flow.

     Retrieve a list of all Engagements for the Flow.

    Deprecated: Engagements are superseded by the Executions resource,
    `GET /v1/Flows/{FlowSid}/Executions`.

    Args:
        flow_sid (str):
        page_size (int | Unset):  Default: 50.
        page (int | Unset):
        page_token (str | Unset):

    Raises:
        errors.UnexpectedStatus: If the server returns an undocumented status code and Client.raise_on_unexpected_status is True.
        httpx.TimeoutException: If the request takes longer than Client.timeout.

    Returns:
        ListEngagementResponse | TwilioError
    """

    return (
        await asyncio_detailed(
            flow_sid=flow_sid,
            client=client,
            page_size=page_size,
            page=page,
            page_token=page_token,
        )
    ).parsed
