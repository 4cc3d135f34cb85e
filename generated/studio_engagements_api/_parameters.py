"""The ListEngagement path and parameters, copied from the OpenAPI document by scripts/generate.py."""

from typing import Any

PATH = "/v1/Flows/{FlowSid}/Engagements"
"""The path template; each {Name} is the path parameter of that name."""

PARAMETERS: list[dict[str, Any]] = [
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
]
