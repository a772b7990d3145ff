"""Reading collected attributes whose shape the API does not guarantee: lists, dicts and tags.

A leaf module, so the graph builders, the PrivateLink pairing and the BAA coverage read tags the same
way (an odd shape is no value, never an exception).
"""
from __future__ import annotations

from typing import Any


def listed(value: Any) -> list[Any]:
    """A list attribute as a list; anything else (missing, or an odd shape) as no items."""
    return value if isinstance(value, list) else []


def dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in listed(value) if isinstance(item, dict)]


def tag(attributes: Any, key: str) -> str | None:
    """A tag's value from an AWS `Tags: [{Key, Value}]` list (ECS `tags: [{key, value}]` too)."""
    for item in dicts(attributes.get("Tags") or attributes.get("tags")) if isinstance(attributes, dict) else []:
        if (item.get("Key") or item.get("key")) == key:
            value = item.get("Value", item.get("value"))
            return value if isinstance(value, str) else None
    return None
