"""The merge-base as `guard --base` reads it: which files come from it rather than the work tree,
each file's lines as the guard reads them, and whether HEAD's violations are all new (then the
merge-base need not be analysed at all)."""
from __future__ import annotations

from pathlib import Path
from typing import Callable

from attest.policies.guard.config import GuardConfig
from attest.policies.guard.diff import Change, blobs
from attest.policies.guard.model import Hop
from attest.policies.guard.results import Violation
from attest.policies.guard.sources import is_code


def line_reader(root: Path, texts: dict[str, bytes]) -> Callable[[str], list[str]]:
    """A file's lines as the guard reads them (a violation's identity quotes them): the bytes a scan
    already read, decoded leniently, else the file under `root`, strictly (no lines when not UTF-8)."""
    cache: dict[str, list[str]] = {}

    def lines(rel: str) -> list[str]:
        if rel not in cache:
            raw = texts.get(rel)
            text = raw.decode("utf-8", "replace") if raw is not None else None
            if text is None:
                try:
                    text = (root / rel).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError):
                    text = ""
            cache[rel] = text.splitlines()
        return cache[rel]
    return lines


def all_new(violations: tuple[Violation, ...], texts: dict[str, bytes], repo: Path, change: Change,
            config: GuardConfig) -> bool:
    """Whether every HEAD violation has a step whose code the merge-base's version of that file does
    not hold (a line the change added, or a file the merge-base lacks). A violation's identity
    includes each step's code text, so none of the merge-base's can then match: all are new, and the
    merge-base need not be analysed. Only the files of the steps are read (one `git cat-file`), as
    the merge-base's scan would read them: a changed code file, or Terraform, the registry or a
    tsconfig that is not code, from the merge-base (code decoded leniently, the rest strictly); any
    other code from the work tree, as HEAD reads it; a file outside the repo (a guard file given by
    path) from disk, so never new."""
    files = sorted({hop.file for violation in violations for hop in violation.path if _in_repo(hop.file)})
    at_base = blobs(repo, change, files)
    config_file = config_files(config)
    head_lines = line_reader(repo, texts)
    held: dict[str, frozenset[str]] = {}

    def from_base(rel: str) -> bool:
        return rel in change.files or (config_file(rel) and not is_code(rel))

    def added(hop: Hop) -> bool:
        rows = head_lines(hop.file)
        text = rows[hop.line - 1].strip() if 0 < hop.line <= len(rows) else ""
        if not text or hop.file not in at_base:
            return False
        data = at_base[hop.file]
        if data is not None and not from_base(hop.file):
            return False
        if data is None:
            return True
        if hop.file not in held:
            held[hop.file] = frozenset(row.strip() for row in _decoded(hop.file, data).splitlines())
        return text not in held[hop.file]

    return all(any(added(hop) for hop in violation.path) for violation in violations)


def _in_repo(rel: str) -> bool:
    """A repo-relative path (hops name files so); an absolute or escaping one is read from disk by both trees."""
    return not rel.startswith("/") and not rel.startswith("../") and rel != ".."


def _decoded(rel: str, data: bytes) -> str:
    """A file's text as the guard reads it: code leniently (its parsed bytes), other files strictly
    (one that is not UTF-8 has no lines)."""
    if is_code(rel):
        return data.decode("utf-8", "replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return ""


def config_files(config: GuardConfig) -> Callable[[str], bool]:
    """Whether a file is one the analysis reads though it is not code: Terraform, the registry,
    tsconfig/jsconfig, the guard file (the directories and names worked out once: it is asked of
    every file of the merge-base)."""
    directories = tuple(d.rstrip("/") + "/" for d in config.terraform_dirs)
    names = frozenset((*config.classification, config.source))
    return lambda rel: rel.startswith(directories) or rel in names or tsconfig(rel)


def tsconfig(rel: str) -> bool:
    name = rel.rsplit("/", 1)[-1]
    return name.startswith(("tsconfig", "jsconfig")) and name.endswith(".json") and "node_modules/" not in rel
