"""The local estate: moto's AWS server and attest's Atlas Admin API v2 emulator, on loopback.

It needs the `[sandbox]` extra (moto's server, werkzeug); the runtime does not, so importing this
package without them is one clear error instead of a traceback deep inside a command.
"""
from __future__ import annotations

from importlib.util import find_spec
from pathlib import Path

from attest.core.errors import UsageError

EXTRA = "the local estate needs the [sandbox] extra: pip install 'attest-compliance[sandbox]'"

for _module in ("moto", "werkzeug"):
    if find_spec(_module) is None:
        raise UsageError(f"{EXTRA} ({_module} is not installed)")

LOCAL_CONFIG = Path(__file__).resolve().parent / "attest.local.yaml"
