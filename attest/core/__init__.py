"""Shared core of every stage: errors, file readers (YAML, JSON), canonical JSON and the version.

It imports nothing else of attest, so each stage (collector, policies, evidence, reports) and the
command may import it without bending the one-way rule between stages.
"""
from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version as _version

DISTRIBUTION = "attest-compliance"

try:
    __version__ = _version(DISTRIBUTION)
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+source"
