"""Source text as UTF-8: a file that is not is bad input naming the file and the line of the first bad byte.

Every reader of text attest analyses (TypeScript, Terraform, classification tables, tsconfig) applies
the same rule, so a file is never analysed as something other than what it holds.
"""
from __future__ import annotations

from pathlib import Path

from attest.core.errors import BadInputError


def decode_utf8(data: bytes, where: str) -> str:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise BadInputError(f"not UTF-8 text (byte {exc.start} cannot be decoded)", where=f"{where}:{line}") from None


def read_utf8(path: Path, where: str) -> str:
    """The file's text; unreadable is bad input too."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.strerror or exc.__class__.__name__}", where=where) from None
    return decode_utf8(data, where)
