"""What a change touched (files changed between the merge-base with `--base` and HEAD, deletions
included) and the merge-base tree itself, extracted so the guard can analyse it as it was."""
from __future__ import annotations

import io
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from collector.errors import BadInputError


@dataclass(frozen=True)
class Change:
    merge_base: str
    files: frozenset[str]  # repo-relative paths added, modified or deleted since the merge-base


def _git(repo: Path, *args: str) -> bytes:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, check=False)
    except OSError as exc:
        raise BadInputError(f"cannot run git: {exc.strerror}", where=str(repo)) from None
    if done.returncode != 0:
        first = (done.stderr.decode("utf-8", "replace").strip().splitlines() or ["git failed"])[0]
        raise BadInputError(f"git {args[0]}: {first}", where=str(repo))
    return done.stdout


def changes_since(repo: Path, base: str) -> Change:
    """Every file HEAD changed since its merge-base with `base`, relative to `repo` (which may be a
    subdirectory of the git work tree)."""
    merge_base = _git(repo, "merge-base", base, "HEAD").decode().strip()
    names = _git(repo, "diff", "--name-only", "--no-renames", "--relative", "-z", merge_base, "HEAD")
    return Change(merge_base, frozenset(n for n in names.decode("utf-8", "replace").split("\0") if n))


def extract_base(repo: Path, change: Change, target: Path) -> Path:
    """Write the merge-base's version of `repo` under `target`; the directory that mirrors `repo`."""
    prefix = _git(repo, "rev-parse", "--show-prefix").decode().strip()
    archive = _git(repo, "archive", "--format=tar", change.merge_base, *([prefix] if prefix else []))
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    root = target / prefix
    root.mkdir(parents=True, exist_ok=True)
    return root
