"""The parsed declarations of a root, kept beside checkov's reports so an unchanged tree is not parsed again.

The entry is keyed by the root as given (declarations carry its path), the repository root that
evidence paths are relative to, attest's version and the content of the root's tree. It also
records the local module directories the parse followed and their content digest: a module outside
the root that changed since is a miss. Entries are JSON; one that does not read back is a miss.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable

from attest.core import __version__
from attest.policies.terraform import checkov_cache
from attest.policies.terraform.hcl import Declared, evidence_root, load_directory

FORMAT = "1"


def load_directory_cached(root: Path, cache: Path) -> tuple[Declared, ...]:
    """`hcl.load_directory(root)`, from the cache when the tree is unchanged."""
    checkov_cache.require_outside(cache, [root])
    base = evidence_root(root)
    key = _key(root, base)
    entry = checkov_cache.load(cache, f"parse-{key}")
    found = _declarations(entry, root) if isinstance(entry, dict) else None
    if found is not None:
        return found
    declared = load_directory(root)
    modules = _module_dirs(declared, root)
    checkov_cache.store(cache, f"parse-{key}", {
        "modules": sorted(str(m) for m in modules),
        "modules_digest": _digest(modules, root),
        "declared": [asdict(d) for d in declared],
    })
    return declared


def _key(root: Path, base: Path) -> str:
    head = f"attest {__version__}\0parse {FORMAT}\0{root.as_posix()}\0{base}\0"
    return hashlib.sha256(head.encode("utf-8") + _digest([root.resolve()], root).encode("utf-8")).hexdigest()


def _module_dirs(declared: tuple[Declared, ...], root: Path) -> list[Path]:
    top = root.resolve()
    return sorted({Path(d.file).parent.resolve() for d in declared} - {top})


def _digest(dirs: Iterable[Path], root: Path) -> str:
    return checkov_cache.report_key(root, dirs, [], [])


def _declarations(entry: dict[str, Any], root: Path) -> tuple[Declared, ...] | None:
    """The cached declarations, or None when a module they came from changed or the entry is malformed."""
    try:
        modules = [Path(m) for m in entry["modules"]]
        if any(not m.is_dir() for m in modules) or _digest(modules, root) != entry["modules_digest"]:
            return None
        return tuple(Declared(**item) for item in entry["declared"])
    except (KeyError, TypeError, OSError):
        return None
