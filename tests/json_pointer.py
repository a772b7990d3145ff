"""The tests' one JSON pointer walker (RFC 6901, with `~1`/`~0` unescaped): what a citation names."""
from __future__ import annotations

from typing import Any

ABSENT = object()  # what `lookup` returns when the pointer names nothing


def lookup(document: Any, pointer: str) -> Any:
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(document, list) and token.isdigit() and int(token) < len(document):
            document = document[int(token)]
        elif isinstance(document, dict) and token in document:
            document = document[token]
        else:
            return ABSENT
    return document
