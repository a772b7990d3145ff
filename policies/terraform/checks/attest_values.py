"""Value helpers shared by attest's checkov checks (checkov wraps HCL values in one-item lists)."""
from __future__ import annotations

import ipaddress
from typing import Any

NOT_APPLICABLE = "attest:not-applicable"
UNDETERMINED = "attest:undetermined"
Verdict = tuple[str, str]


def passed(sentence: str) -> Verdict:
    return "pass", sentence


def failed(sentence: str) -> Verdict:
    return "fail", sentence


def not_applicable(why: str) -> Verdict:
    return "n/a", why


def undetermined(why: str) -> Verdict:
    """Source does not tell: attest reports it as an error, never a pass."""
    return "undetermined", why


def first(conf: dict[str, Any], key: str, default: Any = None) -> Any:
    """The value of an attribute, unwrapped from checkov's one-item list."""
    value = conf.get(key, default)
    if isinstance(value, list) and len(value) == 1:
        return value[0]
    return value


def blocks(conf: dict[str, Any], key: str) -> list[dict[str, Any]]:
    """The nested blocks of one kind (checkov gives a list of dicts, or a dict for an object)."""
    value = conf.get(key) or []
    if isinstance(value, dict):
        return [value]
    found: list[dict[str, Any]] = []
    for item in value:
        if isinstance(item, dict):
            found.append(item)
        elif isinstance(item, list):
            found.extend(i for i in item if isinstance(i, dict))
    return found


def as_list(value: Any) -> list[Any]:
    """A list attribute, flattened once (checkov may wrap a list in another list)."""
    if value is None:
        return []
    if isinstance(value, list):
        if len(value) == 1 and isinstance(value[0], list):
            return value[0]
        return value
    return [value]


def network(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """A CIDR literal as a network, or None for an expression that is not one."""
    try:
        return ipaddress.ip_network(str(text), strict=False)
    except ValueError:
        return None
