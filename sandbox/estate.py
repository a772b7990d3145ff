"""Seeded estates: `default.yaml` is the contract; variants patch it to plant one fault each.

A variant is `{extends: <estate>, description: "...", patch: [RFC 6902 ops]}`. Only `add`,
`remove` and `replace` are needed to plant a fault, so only those are accepted; a bad op is a
BadInputError naming the file, the line and the op's index.
"""
from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

from attest.core.errors import BadInputError
from attest.core.yamlfile import Locator, load_yaml

ESTATES_DIR = Path(__file__).resolve().parent / "estates"
OPS = ("add", "remove", "replace")
_VARIANT_KEYS = {"extends", "description", "patch"}


def estate_path(name_or_path: str | Path) -> Path:
    """A bare name is a file in `sandbox/estates/`; anything with a suffix or slash is a path."""
    text = str(name_or_path)
    if "/" in text or text.endswith((".yaml", ".yml")):
        return Path(text)
    return ESTATES_DIR / f"{text}.yaml"


def load_estate(name_or_path: str | Path) -> dict[str, Any]:
    """The estate as plain data, with every variant's patch applied over what it extends."""
    return _load(estate_path(name_or_path), ())


def _load(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    if path.resolve() in seen:
        raise BadInputError("variant extends itself (a cycle)", where=str(path))
    data, locator = load_yaml(path)
    if not isinstance(data, dict):
        raise BadInputError("an estate must be a mapping", where=str(path))
    if "extends" not in data:
        return data
    unknown = sorted(set(data) - _VARIANT_KEYS)
    if unknown:
        raise locator.error((unknown[0],), f"unknown key in a variant (allowed: {', '.join(sorted(_VARIANT_KEYS))})")
    base_name = data["extends"]
    if not isinstance(base_name, str) or not base_name:
        raise locator.error(("extends",), "must name the estate this variant patches")
    base_path = path.parent / f"{base_name}.yaml" if "/" not in base_name else Path(base_name)
    base = _load(base_path, (*seen, path.resolve()))
    ops = data.get("patch")
    if not isinstance(ops, list):
        raise locator.error(("patch",), "must be a list of RFC 6902 operations")
    for index, op in enumerate(ops):
        base = _apply(base, op, index, locator)
    return base


def _apply(doc: Any, op: Any, index: int, locator: Locator) -> Any:
    """Apply one operation to a copy of `doc`; any problem names `patch[index]`."""
    path = ("patch", index)
    if not isinstance(op, dict) or op.get("op") not in OPS:
        raise locator.error(path, f"each op needs `op` set to one of {', '.join(OPS)}")
    pointer = op.get("path")
    if not isinstance(pointer, str) or (pointer and not pointer.startswith("/")):
        raise locator.error(path, "needs a JSON-pointer `path` such as /aws/secrets/0")
    if op["op"] != "remove" and "value" not in op:
        raise locator.error(path, f"`{op['op']}` needs a `value`")
    extra = sorted(set(op) - {"op", "path", "value"})
    if extra:
        raise locator.error(path, f"unknown key {extra[0]!r} in a patch op")
    doc = copy.deepcopy(doc)
    tokens = [t.replace("~1", "/").replace("~0", "~") for t in pointer.split("/")[1:]]
    if not tokens:
        if op["op"] == "remove":
            raise locator.error(path, "cannot remove the whole document")
        return copy.deepcopy(op["value"])
    try:
        parent = _walk(doc, tokens[:-1])
        _change(parent, tokens[-1], op)
    except (KeyError, IndexError, TypeError, ValueError):
        raise locator.error(path, f"`{op['op']}` cannot apply at {pointer!r}: no such location") from None
    return doc


def _walk(doc: Any, tokens: list[str]) -> Any:
    for token in tokens:
        doc = doc[_index(doc, token)] if isinstance(doc, list) else doc[token]
    return doc


def _index(seq: list[Any], token: str, *, allow_end: bool = False) -> int:
    if token == "-" and allow_end:
        return len(seq)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")):
        raise ValueError(token)
    index = int(token)
    if index > len(seq) or (index == len(seq) and not allow_end):
        raise IndexError(token)
    return index


def _change(parent: Any, token: str, op: dict[str, Any]) -> None:
    kind = op["op"]
    value = copy.deepcopy(op.get("value"))
    if isinstance(parent, list):
        index = _index(parent, token, allow_end=kind == "add")
        if kind == "add":
            parent.insert(index, value)
        elif kind == "remove":
            del parent[index]
        else:
            parent[index] = value
    elif isinstance(parent, dict):
        if kind != "add" and token not in parent:
            raise KeyError(token)
        if kind == "remove":
            del parent[token]
        else:
            parent[token] = value
    else:
        raise TypeError(type(parent).__name__)
