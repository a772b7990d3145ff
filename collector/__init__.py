"""Stage 1: read live AWS and Atlas state into a Snapshot. The bottom layer: imports nothing else of attest."""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

try:
    __version__ = _version("attest")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
