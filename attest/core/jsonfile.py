"""Reading a JSON document from a file, with every failure as one located BadInputError.

Numbers must be finite: NaN and Infinity are not JSON (RFC 8259), and a literal too large for a
float (`1e400`) would otherwise turn into Infinity without a word. Documents read here can then be
written back out by a fast encoder that has no notation for either.
"""
from __future__ import annotations

import json
import math
import re
from functools import partial
from typing import Any

from attest.core.errors import BadInputError
from attest.core.nesting import EXACT_CHECK_CHARS, MAX_DEPTH, deeper_than, json_depth_exceeded


class _NotFinite(ValueError):
    def __init__(self, token: str) -> None:
        super().__init__(token)
        self.token = token


def _reject_constant(token: str) -> float:
    raise _NotFinite(token)


def _finite_float(token: str) -> float:
    value = float(token)
    if math.isinf(value):
        raise _NotFinite(token)
    return value


def _noted_float(small: list[float], token: str) -> float:
    value = _finite_float(token)
    if value and -1e-4 < value < 1e-4:
        small.append(value)
    return value


def load_json(path: str, small_floats: list[float] | None = None) -> Any:
    """The decoded document; truncated or malformed JSON names the file, line and column.
    `small_floats`, when given, receives every float below 1e-4 in magnitude (zero aside): the only
    finite floats the fast encoder writes otherwise than the standard one (attest.core.canonical),
    so a document that has none can be written without searching for them.

    The standard decoder, with the snapshot's bytes let go before it runs: for a 126 MB snapshot
    (garbage collector paused) it takes the CPU orjson did with the search its integers needed (orjson
    keeps 64 bits, so a longer integer would have become a float), peaks 220 MB lower, and faults in
    70,000 fewer pages."""
    text = _read_text(path)
    try:
        document = json.loads(text, parse_constant=_reject_constant,
                              parse_float=_finite_float if small_floats is None else partial(_noted_float, small_floats))
    except json.JSONDecodeError as exc:
        raise BadInputError(f"not valid JSON: {exc.msg}", where=f"{path}:{exc.lineno}:{exc.colno}") from None
    except _NotFinite as exc:
        raise BadInputError(f"not valid JSON: {exc.token} is not a finite number", where=_locate(path, exc.token)) from None
    except ValueError as exc:  # e.g. an integer of more digits than Python converts
        raise BadInputError(f"not valid JSON: {str(exc).splitlines()[0]}", where=path) from None
    except RecursionError:
        raise _too_deep(path, text) from None
    if len(text) <= EXACT_CHECK_CHARS and deeper_than(document):
        raise _too_deep(path, text)
    if "\\" in text and ("\\ud" in text or "\\uD" in text):  # one memchr pass where no escape is written
        _refuse_lone_surrogates(document, path, "")
    return document


def _read_text(path: str) -> str:
    """The file's text; its bytes are dropped on return, so they and the document never peak together."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise BadInputError("file not found", where=path) from None
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=path) from None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=path) from None


def _too_deep(path: str, text: str) -> BadInputError:
    place = json_depth_exceeded(text)
    where = f"{path}:{place[0]}:{place[1]}" if place else path
    return BadInputError(f"not accepted: JSON nested deeper than {MAX_DEPTH} levels", where=where)


def _refuse_lone_surrogates(value: Any, path: str, pointer: str) -> None:
    """A `\\udXXX` escape not paired with its other half decodes to a string that cannot be
    written as UTF-8, so nothing read here could be written back out."""
    if isinstance(value, str):
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise BadInputError("not valid JSON text: an unpaired UTF-16 surrogate escape", where=f"{path}#{pointer}") from None
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_lone_surrogates(key, path, pointer)
            _refuse_lone_surrogates(item, path, f"{pointer}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_lone_surrogates(item, path, f"{pointer}/{index}")


def _locate(path: str, token: str) -> str:
    """`path:line:column` of the first place `token` stands as a bare value (the decoder does not say)."""
    with open(path, encoding="utf-8") as handle:
        text = handle.read()
    found = re.search(rf'(?<![\w."]){re.escape(token)}(?![\w."])', text)
    if found is None:
        return path
    line = text.count("\n", 0, found.start()) + 1
    return f"{path}:{line}:{found.start() - text.rfind(chr(10), 0, found.start())}"
