"""Reading the OpenAPI document in tests: a node by its path, ``$ref``s followed."""

from __future__ import annotations

from typing import Any


def resolve(document: Any, path: tuple[Any, ...]) -> Any:
    """The node of an OpenAPI ``document`` at ``path``, following keys and $refs.

    A (key, value) step picks the list item whose key equals value.
    """
    node = document
    for step in path:
        if isinstance(node, dict) and "$ref" in node and step not in node:
            node = resolve(document, tuple(node["$ref"].lstrip("#/").split("/")))
        if isinstance(step, tuple):
            key, value = step
            (node,) = [
                item for item in (follow(document, i) for i in node) if item.get(key) == value
            ]
        else:
            node = node[step]
    return node


def follow(document: Any, node: Any) -> Any:
    """``node``, or what its ``$ref`` names (parameters are written once and referenced)."""
    if "$ref" not in node:
        return node
    return resolve(document, tuple(node["$ref"].lstrip("#/").split("/")))
