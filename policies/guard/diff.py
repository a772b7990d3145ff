"""What a change touched (files changed between the merge-base with `--base` and HEAD, deletions
included) and the merge-base's files, read so the guard can analyse the tree as it was."""
from __future__ import annotations

import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from attest.core.errors import BadInputError


@dataclass(frozen=True)
class Change:
    merge_base: str
    files: frozenset[str]  # repo-relative paths added, modified or deleted since the merge-base
    prefix: str = ""  # where `repo` sits in the git work tree (`rev-parse --show-prefix`), asked once


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
    prefix = os.fsdecode(_git(repo, "-c", "core.quotePath=false", "rev-parse", "--show-prefix").rstrip(b"\n"))
    # names as the file system gives them (os.fsdecode), so they match the paths the scan discovers,
    # a name that is not UTF-8 included: a lossy decode would leave such a file out of the change
    return Change(merge_base, frozenset(os.fsdecode(n) for n in names.split(b"\0") if n), prefix)


HUNK = re.compile(rb"^@@ -\d+(?:,\d+)? \+(\d+)(?:,(\d+))? @@", re.MULTILINE)
NEW_FILE = re.compile(rb"^\+\+\+ b/(.*)$", re.MULTILINE)


def changed_lines(repo: Path, change: Change) -> dict[str, frozenset[int]]:
    """The lines of each file (relative to `repo`) that the work tree adds or modifies since the
    merge-base: where a pull request's diff shows them, so where an annotation is visible."""
    out = _git(repo, "-c", "core.quotePath=false", "diff", "-U0", "--no-color", "--no-renames", "--no-ext-diff", "--relative",
               change.merge_base, "--")
    lines: dict[str, set[int]] = {}
    for part in re.split(rb"^diff --git ", out, flags=re.MULTILINE)[1:]:
        name = NEW_FILE.search(part)
        if name is None:
            continue  # a deleted file: no line of it is left to annotate
        rows = lines.setdefault(os.fsdecode(name.group(1)), set())
        for hunk in HUNK.finditer(part):
            start, count = int(hunk.group(1)), int(hunk.group(2) or b"1")
            rows.update(range(start, start + count))
    return {rel: frozenset(rows) for rel, rows in lines.items()}


def base_files(repo: Path, change: Change) -> list[str]:
    """Every file of the merge-base tree under `repo`, relative to `repo`."""
    # --full-tree: run in a subdirectory, ls-tree would otherwise also filter the subtree by that
    # subdirectory's path, and list nothing
    listing = _git(repo, "ls-tree", "--full-tree", "-r", "-z", "--name-only", f"{change.merge_base}:{change.prefix}")
    return sorted(os.fsdecode(n) for n in listing.split(b"\0") if n)


def blobs(repo: Path, change: Change, rels: list[str]) -> dict[str, bytes | None]:
    """The merge-base's bytes of each of `rels`, None where the merge-base has no such file (one
    `git cat-file --batch`). A missing object is answered with its name and ` missing`, matched
    whole, so a name with spaces reads right; a name git's batch input cannot carry (a newline) is
    refused."""
    names = [os.fsencode(f"{change.merge_base}:{change.prefix}{rel}") for rel in rels]
    if any(b"\n" in name for name in names):
        raise BadInputError("a file name holds a newline, which git cat-file --batch cannot read", where=str(repo))
    try:
        done = subprocess.run(["git", "-C", str(repo), "cat-file", "--batch"], input=b"".join(n + b"\n" for n in names),
                              capture_output=True, check=False)
    except OSError as exc:
        raise BadInputError(f"cannot run git: {exc.strerror}", where=str(repo)) from None
    out, offset = done.stdout, 0
    found: dict[str, bytes | None] = {}
    for rel, name in zip(rels, names):
        end = out.find(b"\n", offset)
        line = out[offset:end] if end >= 0 else b""
        if done.returncode == 0 and line == name + b" missing":
            found[rel], offset = None, end + 1
            continue
        header = line.split()
        if done.returncode != 0 or len(header) != 3 or not header[2].isdigit():
            raise BadInputError(f"git cat-file: cannot read {rel} at {change.merge_base[:12]}", where=str(repo))
        size = int(header[2])
        found[rel] = out[end + 1:end + 1 + size]
        offset = end + 1 + size + 1
    return found


def extract(repo: Path, change: Change, rels: list[str], target: Path) -> None:
    """Write the merge-base's version of each of `rels` (files it has) under `target`."""
    for rel, data in blobs(repo, change, rels).items():
        if data is None:
            raise BadInputError(f"git cat-file: cannot read {rel} at {change.merge_base[:12]}", where=str(repo))
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
