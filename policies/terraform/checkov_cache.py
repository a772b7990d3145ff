"""checkov's reports kept by the content hash of what they judged, so an unchanged tree costs no checkov run.

The key covers every file checkov reads (the root's tree and the local modules it calls), our checks,
the mapping, the check ids asked for, attest's and the cache format's version: any change to any of
them is a miss. The cache lives under the user's cache directory (`ATTEST_CACHE_DIR`, else
`$XDG_CACHE_HOME/attest`, else `~/.cache/attest`), never inside the tree it hashes. An entry that
cannot be read is a miss; one that cannot be written is a warning, never a failed check.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from pathlib import Path
from typing import Any, Iterable, Mapping

from attest.core import __version__
from attest.core.errors import UsageError

FORMAT = "1"
_SKIPPED_DIRS = frozenset({".terraform", ".git"})
log = logging.getLogger("attest.terraform")


def cache_dir(environ: Mapping[str, str]) -> Path:
    """Where reports are kept: ATTEST_CACHE_DIR, else the XDG user cache directory."""
    if environ.get("ATTEST_CACHE_DIR"):
        return Path(environ["ATTEST_CACHE_DIR"]) / "checkov"
    base = Path(environ["XDG_CACHE_HOME"]) if environ.get("XDG_CACHE_HOME") else Path.home() / ".cache"
    return base / "attest" / "checkov"


def report_key(root: Path, module_dirs: Iterable[Path], inputs: Iterable[Path], check_ids: list[str]) -> str:
    """sha256 of every file checkov would read for `root`, plus our checks and attest's version."""
    digest = hashlib.sha256(f"attest {__version__}\0cache {FORMAT}\0{','.join(check_ids)}\0".encode("utf-8"))
    top = root.resolve()
    dirs = sorted({top, *(d.resolve() for d in module_dirs)})
    for directory in dirs:
        for path in _files(directory):
            name = os.path.relpath(path, top)
            digest.update(f"{name}\0{path.stat().st_size}\0".encode("utf-8") + path.read_bytes())
    for path in sorted(inputs):
        digest.update(f"{path.name}\0".encode("utf-8") + path.read_bytes())
    return digest.hexdigest()


def _files(directory: Path) -> list[Path]:
    found: list[Path] = []
    for dirpath, dirnames, filenames in os.walk(directory):
        dirnames[:] = sorted(d for d in dirnames if d not in _SKIPPED_DIRS)
        found.extend(Path(dirpath) / f for f in sorted(filenames))
    return found


def require_outside(cache: Path, roots: Iterable[Path]) -> None:
    """A cache inside a root would change the very tree it keys on."""
    where = cache.resolve()
    for root in roots:
        if where == root.resolve() or root.resolve() in where.parents:
            raise UsageError(f"the checkov cache {cache} lies inside the Terraform root {root}; "
                             "set ATTEST_CACHE_DIR to a directory outside it")


def load(cache: Path, key: str) -> Any | None:
    """The cached report, or None (absent or unreadable: both mean run checkov)."""
    path = cache / f"{key}.json"
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("ignoring unreadable checkov cache entry %s: %s", path, exc)
        return None


def store(cache: Path, key: str, report: Any) -> None:
    """Write atomically; a cache that cannot be written only costs the next run a checkov start."""
    tmp = None
    try:
        cache.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump(report, out, sort_keys=True)
        os.replace(tmp, cache / f"{key}.json")
    except (OSError, TypeError, ValueError) as exc:
        log.warning("could not write the attest cache under %s: %s", cache, exc)
        if tmp is not None and os.path.exists(tmp):
            os.unlink(tmp)
