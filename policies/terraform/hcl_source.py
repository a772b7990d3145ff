"""python-hcl2 parse of one Terraform module directory (and its local child modules) into `Declared`.

Each file is parsed once per load; `variable` defaults, tfvars (root only), `locals` and module
arguments travel with each declaration so expressions can be resolved later (resolve.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator

import hcl2
from hcl2.rules.base import AttributeRule, BlockRule
from hcl2.utils import SerializationOptions
from lark.exceptions import UnexpectedInput, VisitError

from attest.core.errors import BadInputError
from attest.core.textfile import read_utf8
from attest.policies.terraform.hcl import Declared

_OPTIONS = SerializationOptions(with_comments=False, explicit_blocks=False, strip_string_quotes=True)
_DECLARING_BLOCKS = ("resource", "data")
_META_ARGS = frozenset({"source", "version", "count", "for_each", "providers", "depends_on"})
_TOO_DEEP = "nested too deeply to read (Python's recursion limit)"


@dataclass(frozen=True)
class ModuleCall:
    """A `module` block: where it is, and its local source directory if it has one."""

    name: str
    source: str
    file: str
    line: int
    attributes: dict[str, Any] = field(hash=False, compare=True)

Blocks = list[tuple[Path, BlockRule]]


def _module_blocks(directory: Path) -> Blocks:
    """Every top-level block of one module directory, each file parsed once."""
    return [(path, block) for path in _tf_files(directory) for block in _top_blocks(path)]


def _module_calls(blocks: Blocks) -> tuple[ModuleCall, ...]:
    """The module blocks of one directory (not recursive)."""
    calls: list[ModuleCall] = []
    for path, block in blocks:
        labels = _labels(block)
        if labels[0] == "module" and len(labels) == 2:
            attributes = _body(block, path)
            calls.append(ModuleCall(labels[1], str(attributes.get("source", "")), path.as_posix(),
                                    _line(block), attributes))
    return tuple(calls)


def load_module(directory: Path, prefix: str, seen: frozenset[Path], inputs: dict[str, Any]) -> Iterator[Declared]:
    resolved = directory.resolve()
    if resolved in seen:
        raise BadInputError("module source refers back to itself", where=directory.as_posix())
    blocks = _module_blocks(directory)
    variables = {**_variable_defaults(blocks), **inputs}
    locals_ = _locals(blocks)
    for path, block in blocks:
        if _declares(block):
            yield _declared(path, block, prefix, variables, locals_)
    for call in _module_calls(blocks):
        if call.source.startswith(("./", "../")):
            child = directory / call.source
            if not child.is_dir():
                raise BadInputError(f"module {call.name!r} source {call.source!r} is not a directory",
                                    where=f"{call.file}:{call.line}")
            passed = {k: _pass_through(v, variables) for k, v in call.attributes.items() if k not in _META_ARGS}
            yield from load_module(child, f"{prefix}module.{call.name}.", seen | {resolved}, passed)


def _variable_defaults(blocks: Blocks) -> dict[str, Any]:
    """`variable` defaults of one module: what `var.NAME` means when no caller sets it."""
    defaults: dict[str, Any] = {}
    for path, block in blocks:
        labels = _labels(block)
        if labels[0] == "variable" and len(labels) == 2:
            body = _body(block, path)
            if "default" in body:
                defaults[labels[1]] = body["default"]
    return defaults


def root_variables(root: Path) -> dict[str, Any]:
    """What `terraform plan` in the root would read for its variables: terraform.tfvars, then
    *.auto.tfvars in name order (a later file wins), as python-hcl2 reads them."""
    found: dict[str, Any] = {}
    auto = sorted(p for p in root.iterdir() if p.name.endswith(".auto.tfvars") and p.is_file())
    for path in [root / "terraform.tfvars", *auto]:
        if path.is_file():
            found.update(_tfvars(path))
    return found


def _tfvars(path: Path) -> dict[str, Any]:
    text = _read(path)
    try:
        values = hcl2.parses(text, discard_comments=True).serialize(_OPTIONS)
    except UnexpectedInput as exc:
        line = exc.line if exc.line > 0 else text.count("\n") + 1
        raise BadInputError("Terraform variables syntax error", where=f"{path.as_posix()}:{line}") from None
    if not isinstance(values, dict):
        raise BadInputError("expected `name = value` lines", where=path.as_posix())
    return dict(values)


def _locals(blocks: Blocks) -> dict[str, Any]:
    """Every `locals` block of one module, merged (Terraform forbids a name twice)."""
    found: dict[str, Any] = {}
    for path, block in blocks:
        if _labels(block) == ["locals"]:
            found.update(_body(block, path))
    return found


def _pass_through(value: Any, variables: dict[str, Any]) -> Any:
    """A module argument that is just `var.NAME` of the caller takes the caller's value."""
    if isinstance(value, str) and value.startswith("${var.") and value.endswith("}"):
        return variables.get(value[len("${var."):-1], value)
    return value


def _tf_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.iterdir() if p.suffix == ".tf" and p.is_file())


def _read(path: Path) -> str:
    return read_utf8(path, path.as_posix())


def _top_blocks(path: Path) -> list[BlockRule]:
    text = _read(path)
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


def _declared(path: Path, block: BlockRule, prefix: str, variables: dict[str, Any],
              locals_: dict[str, Any]) -> Declared:
    mode, rtype, name = _labels(block)
    attributes = _body(block, path)
    lines: dict[str, int] = {}
    for child in block.body.children:
        if isinstance(child, (AttributeRule, BlockRule)):
            lines.setdefault(_child_name(child), _line(child))
    local = f"{rtype}.{name}" if mode == "resource" else f"data.{rtype}.{name}"
    return Declared(mode, rtype, name, prefix + local, path.as_posix(), _line(block), attributes, lines, variables,
                    locals=locals_)


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
