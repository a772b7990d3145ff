"""Finding and parsing the app's source files with tree-sitter, grammar picked by extension."""
from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable
from pathlib import Path

import tree_sitter_typescript
from tree_sitter import Language, Node, Parser, Tree

from attest.core.errors import EvaluationError
from attest.core.textfile import decode_utf8

TS_EXTS = (".ts", ".mts", ".cts")
TSX_EXTS = (".tsx", ".js", ".jsx", ".mjs", ".cjs")
CODE_EXTS = TS_EXTS + TSX_EXTS


@lru_cache(maxsize=2)
def _parser(grammar: str) -> Parser:
    language = (
        tree_sitter_typescript.language_typescript()
        if grammar == "typescript"
        else tree_sitter_typescript.language_tsx()
    )
    return Parser(Language(language))


def grammar_for(path: str) -> str:
    """The TypeScript grammar rejects JSX and the TSX grammar rejects `<T>x` casts: pick by name."""
    return "typescript" if path.endswith(TS_EXTS) else "tsx"


@dataclass(frozen=True)
class Source:
    rel: str
    text: bytes
    tree: Tree

    @property
    def root(self) -> Node:
        return self.tree.root_node


def excluded(rel: str, patterns: tuple[str, ...]) -> bool:
    """Whether a repo-relative path is excluded or lies under an excluded directory. A pattern is
    anchored at the repo root (`build` is `<repo>/build`, not `src/app/api/build`); `**/name` matches
    at any depth."""
    return _matches(rel, patterns) or _dir_excluded(rel.rpartition("/")[0], patterns)


@lru_cache(maxsize=1 << 14)
def _dir_excluded(directory: str, patterns: tuple[str, ...]) -> bool:
    """`excluded` for a directory ("" is the repo root). Cached: a repo has far fewer directories than
    files, and a diff scan asks again for every directory of the merge-base."""
    if not directory:
        return False
    return _matches(directory, patterns) or _dir_excluded(directory.rpartition("/")[0], patterns)


def _matches(path: str, patterns: tuple[str, ...]) -> bool:
    """Whether `path` itself (not its parents) is named by a pattern."""
    names, suffixes = _compiled(patterns)
    return path in names or path.endswith(suffixes)


@lru_cache(maxsize=8)
def _compiled(patterns: tuple[str, ...]) -> tuple[frozenset[str], tuple[str, ...]]:
    """The paths a pattern names whole (the anchored ones, and the names of the `**/` ones), and the
    endings `/<name>` of the `**/` ones (one `endswith` per path: it runs for every file twice)."""
    tails = [p[3:].strip("/") for p in patterns if p.startswith("**/")]
    return frozenset([*(p.strip("/") for p in patterns if not p.startswith("**/")), *tails]), tuple("/" + t for t in tails)


def is_code(rel: str) -> bool:
    """A file the guard parses; declaration files (.d.ts) hold no code."""
    return rel.endswith(CODE_EXTS) and not rel.endswith(".d.ts")


def discover(repo: Path, exclude: tuple[str, ...]) -> list[str]:
    """Repo-relative paths of code files outside the excluded directories, sorted. The walk never
    enters an excluded directory, so a file's own name is all that is left to check."""
    found: list[str] = []
    for dirpath, dirnames, filenames in os.walk(repo):
        here = os.path.relpath(dirpath, repo).replace(os.sep, "/")
        prefix = "" if here == "." else here + "/"
        dirnames[:] = sorted(d for d in dirnames if not _dir_excluded(prefix + d, exclude))
        found += [prefix + name for name in filenames if is_code(name) and not _matches(prefix + name, exclude)]
    return sorted(found)


def _first_error(node: Node) -> Node | None:
    """The first ERROR or MISSING node in document order (only descends into broken subtrees)."""
    if node.type == "ERROR" or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = _first_error(child)
            if found is not None:
                return found
    return None


def parse(repo: Path, rel: str, cache: dict[tuple[str, bytes], Source] | None = None) -> Source:
    """Parse one file; a syntax error fails closed (exit 3) naming file and line. With `cache`, a
    file whose path and bytes were parsed before (the same file in the merge-base tree) is reused."""
    try:
        text = (repo / rel).read_bytes()
    except OSError as exc:
        raise EvaluationError(f"cannot read source: {exc.strerror}", where=rel) from None
    if cache is not None and (rel, text) in cache:
        return cache[(rel, text)]
    decode_utf8(text, rel)  # analysed as UTF-8 like every file the guard reads: other bytes are bad input
    tree = _parser(grammar_for(rel)).parse(text)
    if tree.root_node.has_error:
        bad = _first_error(tree.root_node) or tree.root_node
        what = f"missing {bad.type}" if bad.is_missing else "syntax error"
        raise EvaluationError(
            f"cannot parse ({what}, {grammar_for(rel)} grammar); the guard cannot vouch for it",
            where=f"{rel}:{bad.start_point[0] + 1}",
        )
    source = Source(rel, text, tree)
    if cache is not None:
        cache[(rel, text)] = source
    return source


def text_of(node: Node | None) -> str:
    return (node.text or b"").decode("utf-8", "replace") if node is not None else ""


GLOBAL_OBJECTS = frozenset({"global", "globalThis", "window"})
WRAPPERS = frozenset({"parenthesized_expression", "as_expression", "satisfies_expression", "non_null_expression",
                      "type_assertion"})


def global_property(node: Node | None, shadowed: Callable[[str], bool] = lambda _name: False) -> str | None:
    """`x` of `global.x`, `(globalThis as any).x`, `window.x`: a property of the global object,
    which modules use as a cache across reloads (`global._mongoClientPromise`); not when `shadowed`
    says the object's name is a local one."""
    while node is not None and node.type in WRAPPERS and node.named_children:
        node = node.named_children[0]
    if node is None or node.type != "member_expression":
        return None
    obj = node.child_by_field_name("object")
    while obj is not None and obj.type in WRAPPERS and obj.named_children:
        obj = obj.named_children[0]
    if obj is None or obj.type != "identifier" or text_of(obj) not in GLOBAL_OBJECTS or shadowed(text_of(obj)):
        return None
    return text_of(node.child_by_field_name("property"))


def string_value(node: Node | None) -> str | None:
    """The value of a string literal or a template without substitutions, else None."""
    if node is None:
        return None
    if node.type == "string":
        return "".join(text_of(c) for c in node.named_children if c.type in ("string_fragment", "escape_sequence"))
    if node.type == "template_string" and not any(c.type == "template_substitution" for c in node.named_children):
        return text_of(node)[1:-1]
    return None


def parameters(fn: Node) -> list[Node]:
    """A function node's parameters: the single bare one of `x => ...`, or the list, comments left out."""
    single = fn.child_by_field_name("parameter")
    if single is not None:
        return [single]
    params = fn.child_by_field_name("parameters")
    return [p for p in params.named_children if p.type != "comment"] if params is not None else []
