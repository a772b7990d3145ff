"""Pointers a finding cites: into the snapshot (`/resources/N/...`) or into the bundled estate config.

No dependencies inside attest, so the graph builders and the engine can both use it.
"""
from __future__ import annotations

from typing import Any

CONFIG_FILE = "config/attest.yaml"


def config_pointer(*keys: str | int) -> str:
    """`config/attest.yaml#/a/b/0`: a JSON pointer into the bundled estate config."""
    tokens = (str(k).replace("~", "~0").replace("/", "~1") for k in keys)
    return f"{CONFIG_FILE}#/" + "/".join(tokens)


def existing_prefix(document: Any, pointer: str) -> tuple[str, str]:
    """(the longest prefix of an RFC 6901 pointer that names a value in `document`, the rest)."""
    if pointer == "" or not pointer.startswith("/"):
        return pointer, ""
    node, tokens = document, pointer[1:].split("/")
    for depth, token in enumerate(tokens):
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return "".join("/" + t for t in tokens[:depth]), "/".join(tokens[depth:])
    return pointer, ""


def existing_suffix(attributes: Any, suffix: str) -> tuple[str, str]:
    """(the longest prefix of `suffix` that names a value in the resource, the rest that does not).

    `suffix` is `/attributes/a/b` relative to a resource; the rest comes back without its slash.
    """
    if suffix.split("/")[1:2] != ["attributes"]:
        return suffix, ""
    return existing_prefix({"attributes": attributes}, suffix)
