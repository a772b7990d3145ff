"""What a change touched: files and lines changed between the merge-base with `--base` and HEAD."""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from collector.errors import BadInputError

HUNK = re.compile(r"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@")


@dataclass(frozen=True)
class Change:
    new_files: frozenset[str]
    lines: dict[str, frozenset[int]]

    def touches(self, file: str, line: int) -> bool:
        return file in self.new_files or line in self.lines.get(file, frozenset())

    @property
    def files(self) -> frozenset[str]:
        return self.new_files | frozenset(self.lines)


def _git(repo: Path, *args: str) -> str:
    try:
        done = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise BadInputError(f"cannot run git: {exc.strerror}", where=str(repo)) from None
    if done.returncode != 0:
        first = (done.stderr.strip().splitlines() or ["git failed"])[0]
        raise BadInputError(f"git {args[0]}: {first}", where=str(repo))
    return done.stdout


def changes_since(repo: Path, base: str) -> Change:
    """Lines added or modified on HEAD since the merge-base with `base` (deletions add nothing)."""
    merge_base = _git(repo, "merge-base", base, "HEAD").strip()
    new_files: set[str] = set()
    for row in _git(repo, "diff", "--name-status", "--no-renames", merge_base, "HEAD").splitlines():
        status, _tab, name = row.partition("\t")
        if status.startswith("A"):
            new_files.add(name)
    lines: dict[str, set[int]] = {}
    current: str | None = None
    for row in _git(repo, "diff", "--unified=0", "--no-renames", "--no-color", merge_base, "HEAD").splitlines():
        if row.startswith("+++ "):
            current = row[6:] if row.startswith("+++ b/") else None
        elif current is not None:
            match = HUNK.match(row)
            if match:
                start, count = int(match.group(1)), int(match.group(2) or "1")
                lines.setdefault(current, set()).update(range(start, start + count))
    return Change(frozenset(new_files), {k: frozenset(v) for k, v in lines.items()})
