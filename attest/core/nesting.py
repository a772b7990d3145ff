"""How deep a JSON or YAML document may nest, and where a document first nests deeper.

Estate configs, snapshots, findings and policy files nest a dozen levels at most; a document nested
deeper than `MAX_DEPTH` is refused as bad input naming file, line and column, before a recursive
parser or walker can run out of stack on it (200,000 nested `[` ended in a RecursionError).
"""
from __future__ import annotations

from typing import Any

MAX_DEPTH = 100
# A decoded JSON document of at most this many characters is walked for its depth after decoding;
# a larger one (a snapshot of a big estate) relies on the decoder's own limit, found at about 900
# levels, so that checking a large snapshot costs nothing extra.
EXACT_CHECK_CHARS = 1_000_000


def json_depth_exceeded(text: str, limit: int = MAX_DEPTH) -> tuple[int, int] | None:
    """1-based (line, column) of the first `[` or `{` that opens level `limit + 1`, strings skipped."""
    depth, line, line_start = 0, 1, 0
    in_string = escaped = False
    for index, char in enumerate(text):
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if depth > limit:
                return line, index - line_start + 1
        elif char in "]}":
            depth -= 1
        if char == "\n":
            line, line_start = line + 1, index + 1
    return None


def deeper_than(value: Any, limit: int = MAX_DEPTH) -> bool:
    """Whether a decoded document nests lists and mappings more than `limit` levels (iteratively)."""
    if not isinstance(value, (dict, list)):
        return False
    stack: list[tuple[Any, int]] = [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if depth > limit:
            return True
        children = item.values() if isinstance(item, dict) else item
        stack.extend((child, depth + 1) for child in children if isinstance(child, (dict, list)))
    return False
