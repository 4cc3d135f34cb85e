"""Each operation's path and parameters, copied from the OpenAPI document by scripts/generate.py."""

from typing import Any, TypedDict


class Operation(TypedDict):
    """One operation of the spec."""

    path: str
    """The path template; each {Name} is the path parameter of that name."""
    parameters: list[dict[str, Any]]
    """The parameters in the spec's order (name, in, required, schema)."""
    list_key: str | None
    """The array a page of a list operation holds its records in; None for a fetch."""
    max_records: int | None
    """The most records a walk of the list may yield (x-max-records); None: no bound."""


OPERATIONS: dict[str, Operation] = {
    "ListFlow": {
        "path": "/v1/Flows",
        "parameters": [
            {
                "name": "PageSize",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 1,
                    "maximum": 1000,
                    "default": 50,
                },
            },
            {
                "name": "Page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 0},
            },
            {
                "name": "PageToken",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
            },
        ],
        "list_key": "flows",
        "max_records": None,
    },
    "ListEngagement": {
        "path": "/v1/Flows/{FlowSid}/Engagements",
        "parameters": [
            {
                "name": "FlowSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FW[0-9a-fA-F]{32}$",
                },
            },
            {
                "name": "PageSize",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 1,
                    "maximum": 1000,
                    "default": 50,
                },
            },
            {
                "name": "Page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 0},
            },
            {
                "name": "PageToken",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
            },
        ],
        "list_key": "engagements",
        "max_records": None,
    },
    "FetchEngagement": {
        "path": "/v1/Flows/{FlowSid}/Engagements/{Sid}",
        "parameters": [
            {
                "name": "FlowSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FW[0-9a-fA-F]{32}$",
                },
            },
            {
                "name": "Sid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FN[0-9a-fA-F]{32}$",
                },
            },
        ],
        "list_key": None,
        "max_records": None,
    },
    "FetchEngagementContext": {
        "path": "/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Context",
        "parameters": [
            {
                "name": "FlowSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FW[0-9a-fA-F]{32}$",
                },
            },
            {
                "name": "EngagementSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FN[0-9a-fA-F]{32}$",
                },
            },
        ],
        "list_key": None,
        "max_records": None,
    },
    "ListStep": {
        "path": "/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps",
        "parameters": [
            {
                "name": "FlowSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FW[0-9a-fA-F]{32}$",
                },
            },
            {
                "name": "EngagementSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FN[0-9a-fA-F]{32}$",
                },
            },
            {
                "name": "PageSize",
                "in": "query",
                "required": False,
                "schema": {
                    "type": "integer",
                    "format": "int64",
                    "minimum": 1,
                    "maximum": 1000,
                    "default": 50,
                },
            },
            {
                "name": "Page",
                "in": "query",
                "required": False,
                "schema": {"type": "integer", "minimum": 0},
            },
            {
                "name": "PageToken",
                "in": "query",
                "required": False,
                "schema": {"type": "string"},
            },
        ],
        "list_key": "steps",
        "max_records": 1000,
    },
    "FetchStep": {
        "path": "/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps/{Sid}",
        "parameters": [
            {
                "name": "FlowSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FW[0-9a-fA-F]{32}$",
                },
            },
            {
                "name": "EngagementSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FN[0-9a-fA-F]{32}$",
                },
            },
            {
                "name": "Sid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FT[0-9a-fA-F]{32}$",
                },
            },
        ],
        "list_key": None,
        "max_records": None,
    },
    "FetchStepContext": {
        "path": "/v1/Flows/{FlowSid}/Engagements/{EngagementSid}/Steps/{StepSid}/Context",
        "parameters": [
            {
                "name": "FlowSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FW[0-9a-fA-F]{32}$",
                },
            },
            {
                "name": "EngagementSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FN[0-9a-fA-F]{32}$",
                },
            },
            {
                "name": "StepSid",
                "in": "path",
                "required": True,
                "schema": {
                    "type": "string",
                    "minLength": 34,
                    "maxLength": 34,
                    "pattern": "^FT[0-9a-fA-F]{32}$",
                },
            },
        ],
        "list_key": None,
        "max_records": None,
    },
}
"""Every operation, keyed by operationId."""
