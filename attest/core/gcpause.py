"""Pausing Python's cyclic garbage collector around bulk work on large acyclic data.

Parsing a 100,000-resource snapshot, the estate config beside it, and evaluating the graph each
allocate millions of small objects; every automatic collection walks the whole live heap again, so
with a big snapshot in memory the collector costs more than the work. Reference counting still
frees everything that is not part of a cycle.
"""
from __future__ import annotations

import gc
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def paused_gc() -> Iterator[None]:
    """Pause the cyclic collector for the block (nesting-safe: only the outermost resumes it)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
