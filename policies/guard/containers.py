"""Secret bindings of an ECS task definition's `container_definitions`, read only from literals:
`jsonencode([{ ..., secrets = [{ name = "...", valueFrom = ... }] }])` or JSON (plain or heredoc).
A `${...}` inside a JSON string is fine for a `valueFrom` (it names the secret). Anything else (a
`local`, a `for` expression, `merge(...)`, `${...}` splicing a value into the JSON, a templated
secret name) cannot be vouched for, so the reader answers None and the guard reports it as an error."""
from __future__ import annotations

import json
import re
from typing import Any

HEREDOC = re.compile(r"^<<-?\s*([A-Za-z_][A-Za-z0-9_]*)\n(.*)\n\s*\1\s*$", re.S)
SECRETS_KEY = re.compile(r'(?<![A-Za-z0-9_])"?secrets"?\s*[=:]\s*')
NAME = re.compile(r'^\{\s*(?:.*[,\s])?"?name"?\s*[=:]\s*"([^"$]+)"', re.S)
VALUE_FROM = re.compile(r'(?<![A-Za-z0-9_])"?valueFrom"?\s*[=:]\s*"?([^,}"\s]+)')
Bindings = list[tuple[str, str]]


def bindings(value: Any) -> Bindings | None:
    """(env name, valueFrom expression) pairs, or None when they cannot be read from literals."""
    if isinstance(value, list):
        return _from_json(value)
    text = str(value).strip()
    heredoc = HEREDOC.match(text)
    if heredoc:
        text = heredoc.group(2).strip()
    if text.startswith("${jsonencode(") and text.endswith(")}"):
        return _from_hcl(text[len("${jsonencode("):-2].strip())
    if "%{" in text:
        return None
    try:
        return _from_json(json.loads(text))
    except json.JSONDecodeError:
        return None


def _from_json(value: Any) -> Bindings | None:
    if not isinstance(value, list) or not all(isinstance(c, dict) for c in value):
        return None
    pairs: Bindings = []
    for container in value:
        secrets = container.get("secrets", [])
        if not isinstance(secrets, list):
            return None
        for secret in secrets:
            if not isinstance(secret, dict) or not isinstance(secret.get("name"), str) \
                    or not isinstance(secret.get("valueFrom"), str) or "${" in secret["name"]:
                return None
            pairs.append((secret["name"], secret["valueFrom"]))
    return pairs


def _from_hcl(text: str) -> Bindings | None:
    """The jsonencode argument as python-hcl2 renders it: every container and every secret must be
    an object literal, every `secrets` a list literal, every secret name a string literal."""
    containers = _elements(text)
    if containers is None or not all(c.startswith("{") for c in containers):
        return None
    pairs: Bindings = []
    for container in containers:
        for key in SECRETS_KEY.finditer(container):
            secrets = _elements(container[key.end():])
            if secrets is None:
                return None
            for secret in secrets:
                name, source = NAME.match(secret), VALUE_FROM.search(secret)
                if not secret.startswith("{") or name is None or source is None:
                    return None
                pairs.append((name.group(1), source.group(1)))
    return pairs


def _elements(text: str) -> list[str] | None:
    """The top-level elements of the list literal `text` starts with, or None if it is not one."""
    if not text.startswith("["):
        return None
    elements: list[str] = []
    depth, start, quote = 0, 1, False
    for index, char in enumerate(text):
        if quote:
            quote = char != '"' or text[index - 1] == "\\"
        elif char == '"':
            quote = True
        elif char in "[{(":
            depth += 1
        elif char in "]})":
            depth -= 1
            if depth == 0:
                last = text[start:index].strip()
                if last:
                    elements.append(last)
                return [e for e in elements if e]
        elif char == "," and depth == 1:
            elements.append(text[start:index].strip())
            start = index + 1
    return None
