"""Shared core of every stage: errors, file readers (YAML, JSON), canonical JSON and the version.

It imports nothing else of attest, so each stage (collector, policies, evidence, reports) and the
command may import it without bending the one-way rule between stages.
"""
from __future__ import annotations

DISTRIBUTION = "attest-compliance"
# The one place the version is set: pyproject.toml reads it (`[tool.setuptools.dynamic]`). Asking the
# installed distribution instead (importlib.metadata) cost every command about 0.04 s of CPU at start-up.
__version__ = "0.1.0"
