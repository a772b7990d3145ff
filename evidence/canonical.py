"""Compact JSON and digests: the one byte form every hash and signature in a bundle is taken over.

Compact, not `attest.core.canonical.canonical_json` (indented, newline-terminated, the form of
snapshots and findings): manifests and signed statements were defined with these bytes, and
changing them would break every chain already in a locker.
"""
from __future__ import annotations

import hashlib
import json
from typing import Any


def compact_json(value: Any) -> bytes:
    """Sorted keys, separators `,` and `:`, UTF-8, no trailing newline: the same value always gives
    the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
