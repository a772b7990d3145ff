"""Named points in the bundle writer where a test can make the process die (SIGKILL) on purpose.

Set `ATTEST_EVIDENCE_CRASH_AT=<point>` and the writer kills itself, uncatchably, when it reaches that
point; this is how the tests prove that an interrupted export never leaves a half bundle that verifies.
"""
from __future__ import annotations

import os
import signal

ENV = "ATTEST_EVIDENCE_CRASH_AT"
POINTS = ("partial-files", "before-rename", "before-head", "partial-upload", "before-manifest-upload")


def checkpoint(name: str) -> None:
    """Die here if asked to; otherwise do nothing."""
    if os.environ.get(ENV) == name:
        os.kill(os.getpid(), signal.SIGKILL)
