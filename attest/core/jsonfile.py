"""Reading a JSON document from a file, with every failure as one located BadInputError.

Numbers must be finite: NaN and Infinity are not JSON (RFC 8259), and a literal too large for a
float (`1e400`) would otherwise turn into Infinity without a word. Documents read here can then be
written back out by a fast encoder that has no notation for either.
"""
from __future__ import annotations

import json
import math
import re
from typing import Any

import orjson

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


def load_json(path: str) -> Any:
    """The decoded document; truncated or malformed JSON names the file, line and column.

    orjson decodes it when it can (about twice as fast as the standard decoder for a big snapshot);
    anything it refuses (malformed JSON, NaN, lone surrogates, too deep) is decoded again by the
    standard decoder, whose errors name the place, so every diagnostic reads as before."""
    try:
        with open(path, "rb") as handle:
            data = handle.read()
    except FileNotFoundError:
        raise BadInputError("file not found", where=path) from None
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=path) from None
    document = _fast(data)
    if document is _REFUSED:
        return _load_exactly(path, data)
    chars = len(data) if len(data) <= EXACT_CHECK_CHARS or data.isascii() else len(data.decode("utf-8"))
    if chars <= EXACT_CHECK_CHARS and deeper_than(document):
        raise _too_deep(path, data.decode("utf-8"))
    return document


_REFUSED = object()
# Digits stay, every byte a number may follow in JSON becomes `S`, the rest a space: a run of 19 or
# more digits after an `S` may be an integer orjson would turn into a float (it keeps 64 bits).
_NUMBER_SHAPES = bytes(48 if 48 <= i <= 57 else 83 if i in b" \t\r\n:[,-" else 32 for i in range(256))
_LONG_INTEGER = b"S" + b"0" * 19


# The shapes are worked out a piece at a time, each piece overlapping the one before by a long
# integer less one byte: a translated copy of a whole 126 MB snapshot cost more in page faults than
# the translation (0.37 s against 0.2 s), and peaked that much higher.
_PIECE = 1 << 18


def _long_integer(data: bytes) -> bool:
    """Whether a run of 19 or more digits stands where a number may begin (see `_NUMBER_SHAPES`)."""
    if data[: len(_LONG_INTEGER) - 1].translate(_NUMBER_SHAPES) == _LONG_INTEGER[1:]:
        return True
    overlap = len(_LONG_INTEGER) - 1
    return any(_LONG_INTEGER in data[max(0, start - overlap) : start + _PIECE].translate(_NUMBER_SHAPES)
               for start in range(0, len(data), _PIECE))


def _fast(data: bytes) -> Any:
    """orjson's decoding, or `_REFUSED` when it fails or could lose an integer's digits."""
    if _long_integer(data):
        return _REFUSED
    try:
        return orjson.loads(data)
    except orjson.JSONDecodeError:
        return _REFUSED


def _load_exactly(path: str, data: bytes) -> Any:
    """The standard decoder, for what orjson refused: its errors are located."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=path) from None
    try:
        document = json.loads(text, parse_constant=_reject_constant, parse_float=_finite_float)
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
    if "\\ud" in text or "\\uD" in text:
        _refuse_lone_surrogates(document, path, "")
    return document


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
