"""Whether a process still runs, for the two places that find a pid left behind (lockers, sandbox)."""
from __future__ import annotations

import os


def pid_alive(pid: int) -> bool:
    """True when `pid` names a live process on this host (one we may not signal counts as live)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
