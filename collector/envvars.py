"""Tunables read from the environment: a value that is not a positive number is bad input naming it."""
from __future__ import annotations

from typing import Mapping

from attest.core.errors import BadInputError


def positive_number(environ: Mapping[str, str], name: str, default: float) -> float:
    """`environ[name]` as a number above zero, or `default` when unset or empty."""
    raw = environ.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value <= 0:
        raise BadInputError(f"must be a positive number (got {raw!r})", where=f"environment variable {name}")
    return value
