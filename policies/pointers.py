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


def existing_suffix(attributes: Any, suffix: str) -> tuple[str, str]:
    """(the longest prefix of `suffix` that names a value in the resource, the rest that does not).

    `suffix` is `/attributes/a/b` relative to a resource; the rest comes back without its slash.
    """
    tokens = [t for t in suffix.split("/") if t]
    if not tokens or tokens[0] != "attributes":
        return suffix, ""
    node, kept = attributes, ["attributes"]
    for token in tokens[1:]:
        if isinstance(node, dict) and token in node:
            node = node[token]
            kept.append(token)
        else:
            return "/" + "/".join(kept), "/".join(tokens[len(kept):])
    return suffix, ""
