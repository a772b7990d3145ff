"""YAML loading that remembers where each value came from, so errors can name file and line.

Every loader of attest (estate config, rules, controls, waivers, seeded estates) goes through
`load_yaml`, which returns plain Python data plus a `Locator` that maps a key path to its line.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from attest.core.errors import BadInputError
from attest.core.gcpause import paused_gc
from attest.core.nesting import MAX_DEPTH

KeyPath = tuple[str | int, ...]


@dataclass(frozen=True)
class Locator:
    """Maps a key path (e.g. ("aws", "accounts", 0, "id")) to a 1-based line in `path`."""

    path: str
    lines: dict[KeyPath, int] = field(default_factory=dict)

    def line(self, keypath: KeyPath) -> int | None:
        """The line of `keypath`, or of its nearest ancestor that has one."""
        probe = tuple(keypath)
        while probe:
            if probe in self.lines:
                return self.lines[probe]
            probe = probe[:-1]
        return self.lines.get((), None)

    def where(self, keypath: KeyPath = ()) -> str:
        """`file:line` (or just `file`) for use in a diagnostic."""
        line = self.line(keypath)
        return f"{self.path}:{line}" if line else self.path

    def error(self, keypath: KeyPath, message: str) -> BadInputError:
        dotted = _dotted(keypath)
        text = f"{dotted}: {message}" if dotted else message
        return BadInputError(text, where=self.where(keypath))


def _dotted(keypath: KeyPath) -> str:
    out = ""
    for part in keypath:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


_FastLoader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _walk(node: yaml.Node, path: KeyPath, lines: dict[KeyPath, int], source: str,
          walked: set[int], above: frozenset[int] = frozenset()) -> None:
    """Record each key path's line. `above` holds the enclosing nodes, to stop at a recursive alias;
    `walked` the nodes already visited, so an alias is not walked again (nested aliases would
    otherwise expand exponentially: a few lines of anchors can name millions of paths)."""
    if id(node) in above:
        raise BadInputError("an alias refers to a node that contains it (recursive YAML)", where=f"{source}:{node.start_mark.line + 1}")
    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.ScalarNode):  # nothing below it to walk (most nodes of an estate config)
        return
    if len(path) >= MAX_DEPTH and isinstance(node, (yaml.MappingNode, yaml.SequenceNode)):
        raise _too_deep(source, node.start_mark)
    if id(node) in walked:
        return
    walked.add(id(node))
    above = above | {id(node)}
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise BadInputError("a mapping key must be a plain value, not a list or a mapping",
                                    where=f"{source}:{key_node.start_mark.line + 1}")
            key = key_node.value
            if key in seen:
                raise BadInputError(
                    f"duplicate key {key!r}", where=f"{source}:{key_node.start_mark.line + 1}"
                )
            seen.add(key)
            _walk(value_node, (*path, key), lines, source, walked, above)
            lines[(*path, key)] = key_node.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for index, item in enumerate(node.value):
            _walk(item, (*path, index), lines, source, walked, above)


def _too_deep(source: str, mark: yaml.Mark) -> BadInputError:
    return BadInputError(f"not accepted: YAML nested deeper than {MAX_DEPTH} levels",
                         where=f"{source}:{mark.line + 1}:{mark.column + 1}")


def _deep_mark(text: str) -> yaml.Mark | None:
    """Where the text first opens level MAX_DEPTH + 1, read as events (PyYAML's parser does not recurse)."""
    depth = 0
    try:
        for event in yaml.parse(text, Loader=yaml.SafeLoader):
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark  # type: ignore[return-value]  # libyaml's Mark has the same fields
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                depth -= 1
    except yaml.YAMLError:
        return None
    return None


def parse_yaml(text: str, source: str) -> tuple[Any, Locator]:
    """Parse YAML text; any syntax problem becomes a BadInputError naming `source:line`.

    libyaml parses (a large estate config is several times faster than in pure Python); text it
    rejects is parsed again by PyYAML's own parser, so a diagnostic reads the same either way. The
    two build different values from an empty tagged scalar (`a: !`) and from a byte-order mark
    after the first character, so text holding `!` or a late BOM goes to PyYAML directly. libyaml
    accepts tabs as separators (`a:<TAB>1`), as YAML allows, where PyYAML refuses them."""
    try:
        if "!" in text or "\ufeff" in text[1:]:
            return _parse(text, source, yaml.SafeLoader)
        try:
            return _parse(text, source, _FastLoader)
        except (yaml.YAMLError, UnicodeError):
            return _parse(text, source, yaml.SafeLoader)
    except RecursionError:  # nesting the parser cannot follow (libyaml stops at 1,000 flow levels itself)
        mark = _deep_mark(text)
        if mark is None:
            raise BadInputError(f"not accepted: YAML nested deeper than {MAX_DEPTH} levels", where=source) from None
        raise _too_deep(source, mark) from None


def _parse(text: str, source: str, loader_class: type) -> tuple[Any, Locator]:
    lines: dict[KeyPath, int] = {}
    walk_error: BadInputError | None = None
    loader = loader_class(text)
    try:
        with paused_gc():
            node = loader.get_single_node()  # parsed once: what yaml.compose returns, and yaml.load builds
            if node is not None:
                try:  # walk before building (merge keys rewrite the node), report after, as before
                    _walk(node, (), lines, source, set())
                except BadInputError as exc:
                    walk_error = exc
            data = loader.construct_document(node) if node is not None else None
    except yaml.MarkedYAMLError as exc:
        if loader_class is not yaml.SafeLoader:
            raise
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        raise BadInputError(f"not valid YAML: {exc.problem or exc.context}", where=where) from None
    except yaml.YAMLError as exc:
        if loader_class is not yaml.SafeLoader:
            raise
        raise BadInputError(f"not valid YAML: {exc}", where=source) from None
    finally:
        loader.dispose()
    if walk_error is not None:
        raise walk_error
    return data, Locator(source, lines)


def load_yaml(path: Path | str) -> tuple[Any, Locator]:
    """Read and parse a YAML file; unreadable or undecodable files are BadInputError."""
    source = str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BadInputError("file not found", where=source) from None
    except UnicodeDecodeError as exc:
        raise BadInputError(f"not UTF-8 text (byte {exc.start} cannot be decoded)", where=source) from None
    except OSError as exc:
        raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=source) from None
    return parse_yaml(text, source)
