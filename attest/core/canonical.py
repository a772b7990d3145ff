"""Canonical JSON: the bytes of `json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\\n"`.

Snapshots, findings and digests are all defined by those bytes. The standard encoder indents in
pure Python (seconds for 100,000 resources); orjson writes the same bytes (two-space indent,
sorted keys, UTF-8) about twenty times faster. It writes them differently only for NaN/Infinity
(as null), finite floats below 1e-4 (other notation), and what it would write where the standard
encoder refuses or differs (dataclasses, datetimes, subclasses of built-in types, integers beyond
64 bits, non-string keys); a document holding any of these takes the standard path.
"""
from __future__ import annotations

import json
import re
from typing import Any

import orjson

_OPTIONS = (orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS | orjson.OPT_APPEND_NEWLINE | orjson.OPT_PASSTHROUGH_DATACLASS
            | orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_SUBCLASS)
_NUMBER_CHARS = frozenset(b"0123456789.+-eE")


def canonical_json(document: Any, *, finite: bool = False, floats: bool = True) -> bytes:
    """The canonical bytes of `document`. `finite` says the caller knows it holds no NaN or
    Infinity (it was read through `load_json`), which saves searching for them first; `floats=False`
    that it holds no float at all, which also saves searching orjson's bytes for small ones."""
    try:
        if floats and not finite:
            _refuse_non_finite(document, 2)
        encoded = orjson.dumps(document, option=_OPTIONS)
    except (TypeError, ValueError):
        encoded = b""
    if not encoded or (floats and _has_small_float(encoded)):
        encoded = (json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")
    return encoded


def _refuse_non_finite(value: Any, depth: int) -> None:
    """ValueError if NaN or Infinity is anywhere in `value`, encoding it piece by piece (the top
    `depth` levels apart) so that a large document is never held twice."""
    if depth and isinstance(value, dict):
        for item in value.values():
            _refuse_non_finite(item, depth - 1)
    elif depth and isinstance(value, (list, tuple)):
        for item in value:
            _refuse_non_finite(item, depth - 1)
    else:
        json.dumps(value, allow_nan=False)


def _is_number(encoded: bytes, at: int) -> bool:
    """Whether position `at` of indented JSON lies in a number: a run of number characters after a
    space (from `: ` or the indent) or at the very start, and before `,` or a newline. A string
    ends with a quote."""
    start = end = at
    while start > 0 and encoded[start - 1] in _NUMBER_CHARS:
        start -= 1
    while end < len(encoded) and encoded[end] in _NUMBER_CHARS:
        end += 1
    return (start == 0 or encoded[start - 1 : start] == b" ") and encoded[end : end + 1] in (b",", b"\n")


# An `e-` that `_is_number` can accept runs on in number characters to a `,` or a newline. Strings
# hold `e-` by the tens of thousands (`vpce-`, `service-`), rarely so; the regular expression passes
# over them in C, and only what it matches is checked. Later `e-` of one match share its run, and so
# its answer.
_EXPONENT = re.compile(rb"e-[-+.0-9eE]*[,\n]")


def _has_small_float(encoded: bytes) -> bool:
    """Whether orjson wrote a float below 1e-4 in magnitude (as `0.0000...` or with `e-`): the only
    finite floats it formats differently from `json.dumps`."""
    at = encoded.find(b"0.0000")
    while at != -1:
        if _is_number(encoded, at):
            return True
        at = encoded.find(b"0.0000", at + 1)
    return any(_is_number(encoded, match.start()) for match in _EXPONENT.finditer(encoded))
