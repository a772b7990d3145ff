"""Terraform source as declared resources, with file:line.

Drift, the PR guard and the checkov result mapping all need the same view of what Terraform
declares: each resource (and data source) with its address, attributes and the line it starts on.
Local child modules (`source = "./..."`) are followed so their resources get `module.NAME.` addresses,
as Terraform gives them. A file that does not parse, or nests deeper than the parser can follow, is
bad input naming its file (and line where known). The parsing itself (python-hcl2, 0.3 s just to
import) lives in hcl_source.py and is imported only when a tree is parsed, not when its parse is
read back from the cache.
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from attest.core.errors import BadInputError


@dataclass(frozen=True)
class Declared:
    """One resource or data source as written in Terraform source."""

    mode: str
    type: str
    name: str
    address: str
    file: str
    line: int
    attributes: dict[str, Any] = field(hash=False, compare=True)
    attribute_lines: dict[str, int] = field(hash=False, compare=True)
    variables: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)
    shown: str = ""
    locals: dict[str, Any] = field(default_factory=dict, hash=False, compare=True)

    @property
    def location(self) -> str:
        """file:line as evidence shows it: repository-relative (`shown`) when known."""
        return f"{self.shown or self.file}:{self.line}"

    def attribute_location(self, name: str) -> str:
        """file:line of a top-level attribute or nested block, else of the resource itself."""
        return f"{self.shown or self.file}:{self.attribute_lines.get(name, self.line)}"

def load_directory(directory: str | Path) -> tuple[Declared, ...]:
    """Every resource and data source declared in a root module and its local child modules.

    `file` is the directory as given joined with the file's name (a path to open; errors name it);
    `shown`, what evidence carries, is relative to the repository root (see `evidence_root`), so the
    same Terraform gives byte-identical findings on every machine and checkout.
    """
    from attest.policies.terraform.hcl_source import load_module, root_variables

    root = Path(directory)
    if not root.is_dir():
        raise BadInputError("not a directory of Terraform files", where=str(root))
    base = evidence_root(root)
    return tuple(
        Declared(d.mode, d.type, d.name, d.address, d.file, d.line, d.attributes, d.attribute_lines, d.variables,
                 evidence_path(Path(d.file), base), d.locals)
        for d in load_module(root, prefix="", seen=frozenset(), inputs=root_variables(root))
    )

def evidence_root(directory: Path) -> Path:
    """The git top level of the repository holding `directory`, else the directory itself."""
    try:
        found = subprocess.run(["git", "-C", str(directory), "rev-parse", "--show-toplevel"],
                               capture_output=True, text=True, check=False, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return directory.resolve()
    top = found.stdout.strip()
    return Path(top).resolve() if found.returncode == 0 and top else directory.resolve()


def evidence_path(path: Path, base: Path) -> str:
    """`path` relative to `base`, with forward slashes: the machine-independent name evidence uses."""
    return Path(os.path.relpath(path.resolve(), base)).as_posix()
