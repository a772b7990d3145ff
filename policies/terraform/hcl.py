"""Terraform source as declared resources: python-hcl2 parse of a module directory, with file:line.

Drift, the PR guard and the checkov result mapping all need the same view of what Terraform
declares: each resource (and data source) with its address, attributes and the line it starts on.
Local child modules (`source = "./..."`) are followed so their resources get `module.NAME.` addresses,
as Terraform gives them. A file that does not parse, or nests deeper than the parser can follow, is
bad input naming its file (and line where known).
"""
from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule
from hcl2.utils import SerializationOptions
from lark.exceptions import UnexpectedInput, VisitError

from attest.core.errors import BadInputError
from attest.core.textfile import read_utf8

_OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)
_DECLARING_BLOCKS = ("resource", "data")
_META_ARGS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
_TOO_DEEP = "nested too deeply to read (Python's recursion limit)"


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

    @property
    def location(self) -> str:
        """file:line as evidence shows it: repository-relative (`shown`) when known."""
        return f"{self.shown or self.file}:{self.line}"

    def attribute_location(self, name: str) -> str:
        """file:line of a top-level attribute or nested block, else of the resource itself."""
        return f"{self.shown or self.file}:{self.attribute_lines.get(name, self.line)}"


@dataclass(frozen=True)
class ModuleCall:
    """A `module` block: where it is, and its local source directory if it has one."""

    name: str
    source: str
    file: str
    line: int
    attributes: dict[str, Any] = field(hash=False, compare=True)


def load_directory(directory: str | Path) -> tuple[Declared, ...]:
    """Every resource and data source declared in a root module and its local child modules.

    `file` is the directory as given joined with the file's name (a path to open; errors name it);
    `shown`, what evidence carries, is relative to the repository root (see `evidence_root`), so the
    same Terraform gives byte-identical findings on every machine and checkout.
    """
    root = Path(directory)
    if not root.is_dir():
        raise BadInputError("not a directory of Terraform files", where=str(root))
    base = evidence_root(root)
    return tuple(
        Declared(d.mode, d.type, d.name, d.address, d.file, d.line, d.attributes, d.attribute_lines, d.variables,
                 evidence_path(Path(d.file), base))
        for d in _load_module(root, prefix="", seen=frozenset(), inputs={})
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


def _module_calls(directory: Path) -> tuple[ModuleCall, ...]:
    """The module blocks of one directory (not recursive)."""
    calls: list[ModuleCall] = []
    for path in _tf_files(directory):
        for block in _top_blocks(path):
            labels = _labels(block)
            if labels[0] == "module" and len(labels) == 2:
                attributes = _body(block, path)
                calls.append(ModuleCall(labels[1], str(attributes.get("source", "")), path.as_posix(),
                                        _line(block), attributes))
    return tuple(calls)


def _load_module(directory: Path, prefix: str, seen: frozenset[Path], inputs: dict[str, Any]) -> Iterator[Declared]:
    resolved = directory.resolve()
    if resolved in seen:
        raise BadInputError("module source refers back to itself", where=directory.as_posix())
    variables = {**_variable_defaults(directory), **inputs}
    for path in _tf_files(directory):
        for block in _top_blocks(path):
            if _declares(block):
                yield _declared(path, block, prefix, variables)
    for call in _module_calls(directory):
        if call.source.startswith(("./", "../")):
            child = directory / call.source
            if not child.is_dir():
                raise BadInputError(f"module {call.name!r} source {call.source!r} is not a directory",
                                    where=f"{call.file}:{call.line}")
            passed = {k: _pass_through(v, variables) for k, v in call.attributes.items() if k not in _META_ARGS}
            yield from _load_module(child, f"{prefix}module.{call.name}.", seen | {resolved}, passed)


def _variable_defaults(directory: Path) -> dict[str, Any]:
    """`variable` defaults of one module: what `var.NAME` means when no caller sets it."""
    defaults: dict[str, Any] = {}
    for path in _tf_files(directory):
        for block in _top_blocks(path):
            labels = _labels(block)
            if labels[0] == "variable" and len(labels) == 2:
                body = _body(block, path)
                if "default" in body:
                    defaults[labels[1]] = body["default"]
    return defaults


def _pass_through(value: Any, variables: dict[str, Any]) -> Any:
    """A module argument that is just `var.NAME` of the caller takes the caller's value."""
    if isinstance(value, str) and value.startswith("${var.") and value.endswith("}"):
        return variables.get(value[len("${var."):-1], value)
    return value


def _tf_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix == ".tf" and p.is_file())


def _top_blocks(path: Path) -> list[BlockRule]:
    text = read_utf8(path, path.as_posix())
    try:
        tree = hcl2.parses(text, discard_comments=True)
    except UnexpectedInput as exc:
        line = exc.line if exc.line > 0 else text.count("\n") + 1
        raise BadInputError("Terraform syntax error", where=f"{path.as_posix()}:{line}") from None
    except (RecursionError, VisitError) as exc:
        if not _is_too_deep(exc):
            raise
        raise BadInputError(_TOO_DEEP, where=path.as_posix()) from None
    return [child for child in tree.body.children if isinstance(child, BlockRule)]


def _declares(block: BlockRule) -> bool:
    labels = _labels(block)
    return labels[0] in _DECLARING_BLOCKS and len(labels) == 3


def _declared(path: Path, block: BlockRule, prefix: str, variables: dict[str, Any]) -> Declared:
    mode, rtype, name = _labels(block)
    attributes = _body(block, path)
    lines: dict[str, int] = {}
    for child in block.body.children:
        if isinstance(child, (AttributeRule, BlockRule)):
            lines.setdefault(_child_name(child), _line(child))
    local = f"{rtype}.{name}" if mode == "resource" else f"data.{rtype}.{name}"
    return Declared(mode, rtype, name, prefix + local, path.as_posix(), _line(block), attributes, lines, variables)


def _body(block: BlockRule, path: Path) -> dict[str, Any]:
    """A block's attributes as data; a value too deep or unserialisable is bad input at the block."""
    try:
        return dict(block.body.serialize(_OPTIONS))
    except (RecursionError, VisitError) as exc:
        if not _is_too_deep(exc):
            raise
        raise BadInputError(_TOO_DEEP, where=f"{path.as_posix()}:{_line(block)}") from None
    except RuntimeError as exc:
        raise BadInputError(str(exc), where=f"{path.as_posix()}:{_line(block)}") from None


def _is_too_deep(exc: BaseException) -> bool:
    """A RecursionError, or lark's wrapping of one raised inside a tree transformer."""
    return isinstance(exc, RecursionError) or isinstance(getattr(exc, "orig_exc", None), RecursionError)


def _labels(block: BlockRule) -> list[str]:
    return [str(label.serialize(_OPTIONS)) for label in block.labels]


def _child_name(child: AttributeRule | BlockRule) -> str:
    if isinstance(child, AttributeRule):
        return str(child.identifier.serialize(_OPTIONS))
    return _labels(child)[0]


def _line(rule: AttributeRule | BlockRule) -> int:
    """The line a block or attribute starts on (python-hcl2 8.x keeps it on the lark tree)."""
    return int(rule.to_lark().meta.line)
