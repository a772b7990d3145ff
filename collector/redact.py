"""Redaction of secret-looking values before anything is stored.

A value that looks like a credential or a connection string is replaced by a marker carrying a
salted hash, so a change of value is visible across snapshots that share the salt, while the value
itself never reaches a snapshot, log or report.
"""
from __future__ import annotations

import hashlib
import re
from typing import Any

MARKER_PREFIX = "[redacted sha256:"
_URI_WITH_CREDENTIALS = re.compile(r"^[a-z][a-z0-9+.-]*://[^/\s:@]+:[^@\s]+@", re.IGNORECASE)
_CONNECTION_STRING = re.compile(r"^(mongodb(\+srv)?|postgres(ql)?|mysql|redis|amqps?)://", re.IGNORECASE)
_SECRET_NAME = re.compile(
    r"(pass(word)?|secret|token|api[_-]?key|private[_-]?key|credential|auth|uri|url|dsn|conn)",
    re.IGNORECASE,
)
_HIGH_ENTROPY = re.compile(r"^[A-Za-z0-9+/=_\-]{32,}$")
_USERINFO_ANYWHERE = re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^@\s]+@", re.IGNORECASE)


def marker(value: str, salt: str) -> str:
    digest = hashlib.sha256(f"{salt}\x00{value}".encode("utf-8")).hexdigest()[:16]
    return f"{MARKER_PREFIX}{digest}]"


def is_marker(value: Any) -> bool:
    return isinstance(value, str) and value.startswith(MARKER_PREFIX) and value.endswith("]")


def looks_secret(name: str, value: str) -> bool:
    """Credentials and connection strings, by the value's shape or by the variable's name."""
    if is_marker(value):
        return False
    if _URI_WITH_CREDENTIALS.match(value) or _CONNECTION_STRING.match(value):
        return True
    if _SECRET_NAME.search(name) and value.strip():
        return True
    return bool(_HIGH_ENTROPY.match(value))


def redact_environment(entries: list[dict[str, Any]], salt: str) -> tuple[list[dict[str, Any]], list[str]]:
    """Redact an ECS `environment` list ([{name, value}]); return it and the names redacted."""
    out: list[dict[str, Any]] = []
    redacted: list[str] = []
    for entry in entries:
        name = str(entry.get("name", ""))
        value = entry.get("value")
        if isinstance(value, str) and looks_secret(name, value):
            out.append({**entry, "value": marker(value, salt)})
            redacted.append(name)
        else:
            out.append(dict(entry))
    return out, redacted


def _secret_leaf(key: str, value: str) -> bool:
    """A string inside a structure: a URI with credentials anywhere in it (a command line), a
    connection string, or any value under a secret-named key. ARNs are references, never secrets."""
    if is_marker(value) or not value.strip() or value.startswith("arn:"):
        return False
    if _USERINFO_ANYWHERE.search(value) or _CONNECTION_STRING.match(value):
        return True
    return bool(key and _SECRET_NAME.search(key))


def redact_tree(value: Any, salt: str, path: str, key: str = "") -> tuple[Any, list[str]]:
    """Every secret-looking string in a JSON structure replaced by its marker; return it and the
    JSON paths redacted. In a `{name, value}` entry the secret-name test reads the entry's name."""
    if isinstance(value, str):
        return (marker(value, salt), [path]) if _secret_leaf(key, value) else (value, [])
    if isinstance(value, list):
        items = [redact_tree(item, salt, f"{path}[{index}]", key) for index, item in enumerate(value)]
        return [item for item, _ in items], [p for _, found in items for p in found]
    if isinstance(value, dict):
        out: dict[str, Any] = {}
        paths: list[str] = []
        named = value.get("name") if isinstance(value.get("name"), str) and "value" in value else None
        for child_key, child in value.items():
            name = named if child_key == "value" and named is not None else str(child_key)
            out[child_key], found = redact_tree(child, salt, f"{path}.{child_key}", name)
            paths.extend(found)
        return out, paths
    return value, []
