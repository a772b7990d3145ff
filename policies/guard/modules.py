"""Module symbol tables: imports, exports, top-level functions, classes, and import resolution
(relative paths, extension probing, index files, tsconfig/jsconfig `paths` aliases such as `@/`)."""
from __future__ import annotations

import hashlib
import posixpath
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Callable

from tree_sitter import Node

from attest.policies.guard.sources import CODE_EXTS, Source, string_value, text_of
from attest.policies.guard.tsconfig import load_aliases

FUNCTION_NODES = ("function_declaration", "generator_function_declaration")
LOCAL_LOOKING = ("@/", "~/")
MISSING = "\0missing"  # the package slot of a local-looking import that resolves to no file (+ its specifier)
ASSET_EXTS = (".css", ".scss", ".sass", ".less", ".styl", ".pcss", ".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp",
              ".avif", ".ico", ".bmp", ".woff", ".woff2", ".ttf", ".otf", ".eot", ".json", ".wasm", ".txt", ".md",
              ".mdx", ".html", ".graphql", ".gql", ".yaml", ".yml", ".csv", ".mp3", ".mp4", ".webm")
FUNCTION_VALUES = ("arrow_function", "function_expression", "function", "generator_function")


@dataclass(frozen=True)
class Import:
    module: str | None  # repo-relative path of the resolved module
    package: str | None  # bare package name when not a repo file
    name: str  # exported name, "default", or "*" for a namespace import


@dataclass
class ClassInfo:
    name: str
    node: Node
    methods: dict[str, Node] = field(default_factory=dict)
    fields: list[Node] = field(default_factory=list)


@dataclass
class Module:
    source: Source
    imports: dict[str, Import] = field(default_factory=dict)
    exports: dict[str, tuple[str, str | None, str]] = field(default_factory=dict)
    star_exports: list[str] = field(default_factory=list)
    functions: dict[str, Node] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    variables: set[str] = field(default_factory=set)
    literals: dict[str, Node] = field(default_factory=dict)
    missing: dict[str, int] = field(default_factory=dict)  # local-looking specifier naming no file -> its line

    @property
    def rel(self) -> str:
        return self.source.rel


class Resolver:
    """Maps an import specifier seen in one file to a repo file or a package name."""

    def __init__(self, repo: Path, files: set[str], exists: Callable[[str], bool] | None = None) -> None:
        self.files = files
        self.exists = exists or (lambda rel: (repo / rel).is_file())
        self.aliases, self.base_url = load_aliases(repo, self.exists)
        self._cache: dict[tuple[str, str], tuple[str | None, str | None]] = {}

    @cached_property
    def signature(self) -> str:
        """A digest of what decides which repo module a specifier names (the code files, the aliases,
        `baseUrl`): resolvers with the same signature resolve every import to the same module."""
        digest = hashlib.sha256(repr((self.aliases, self.base_url)).encode("utf-8"))
        digest.update("\0".join(sorted(self.files)).encode("utf-8"))
        return digest.hexdigest()

    def resolve(self, importer: str, spec: str) -> tuple[str | None, str | None]:
        key = (posixpath.dirname(importer) if spec.startswith(".") else "", spec)
        if key not in self._cache:
            self._cache[key] = self._resolve(importer, spec)
        return self._cache[key]

    def _resolve(self, importer: str, spec: str) -> tuple[str | None, str | None]:
        """(repo module, None), (None, package), or (None, None) for a repo file that is not code
        (a stylesheet, an image, JSON) or is excluded. A specifier that looks local (relative, `@/`,
        `~/`, or an alias prefix) but names no file is None, MISSING: not analysed (generated code,
        say), and a reference value that flows into or out of it is a `dynamic-use` error. A file that
        is not code (a stylesheet, an image, JSON, WASM; `?query` suffixes ignored) is never a module."""
        if spec.split("?", 1)[0].lower().endswith(ASSET_EXTS):
            return None, None
        if spec.startswith("."):
            bases = [posixpath.normpath(posixpath.join(posixpath.dirname(importer), spec))]
        else:
            bases = []
            for prefix, targets in self.aliases:
                if prefix.endswith("*") and spec.startswith(prefix[:-1]):
                    rest = spec[len(prefix) - 1:]
                    bases += [posixpath.normpath(t.replace("*", rest)) for t in targets]
                elif spec == prefix:
                    bases += [posixpath.normpath(t) for t in targets]
        for base in bases:
            hit = self._probe(base)
            if hit:
                return hit, None
        if bases or spec.startswith(LOCAL_LOOKING):
            if any(self._on_disk(base) for base in bases):
                return None, None
            return None, MISSING
        if self.base_url is not None:  # `baseUrl`: `lib/db` may be the repo's own module, before a package
            hit = self._probe(posixpath.normpath(posixpath.join(self.base_url, spec)))
            if hit:
                return hit, None
        parts = spec.split("/")
        package = "/".join(parts[:2]) if spec.startswith("@") and len(parts) > 1 else parts[0]
        return None, package

    def _on_disk(self, base: str) -> bool:
        candidates = [base, *(base + ext for ext in CODE_EXTS), *(f"{base}/index{ext}" for ext in CODE_EXTS)]
        return not base.startswith("..") and any(self.exists(c) for c in candidates)

    def _probe(self, base: str) -> str | None:
        stem = base[: -len(posixpath.splitext(base)[1])] if base.endswith((".js", ".jsx", ".mjs", ".cjs")) else None
        candidates = [base, *(base + ext for ext in CODE_EXTS), *(f"{base}/index{ext}" for ext in CODE_EXTS)]
        if stem:
            candidates += [stem + ext for ext in CODE_EXTS]
        return next((c for c in candidates if c in self.files), None)


def build_module(source: Source, resolver: Resolver) -> Module:
    """One pass over the top level: what the module imports, defines and exports."""
    module = Module(source)
    for stmt in source.root.named_children:
        _top_level(module, stmt, resolver, exported=False)
    return module


def _target(module: Module, resolver: Resolver, node: Node | None) -> tuple[str | None, str | None]:
    """Where an import's specifier leads. One that looks local but names no file (a generated module
    not checked in) is recorded, never mistaken for a package: a reference value handed to what it
    exports, or a reference helper imported from it, is a `dynamic-use` error."""
    spec = string_value(node)
    if spec is None or node is None:
        return None, None
    target, package = resolver.resolve(module.rel, spec)
    if package == MISSING:
        module.missing.setdefault(spec, node.start_point[0] + 1)
        return None, MISSING + spec
    return target, package


def _top_level(module: Module, stmt: Node, resolver: Resolver, exported: bool) -> None:
    kind = stmt.type
    if kind == "import_statement":
        _import(module, stmt, resolver)
    elif kind == "export_statement":
        _export(module, stmt, resolver)
    elif kind in FUNCTION_NODES:
        name = stmt.child_by_field_name("name")
        if name is not None:
            module.functions[text_of(name)] = stmt
            if exported:
                module.exports[text_of(name)] = ("local", None, text_of(name))
    elif kind in ("class_declaration", "abstract_class_declaration"):
        _class(module, stmt, exported)
    elif kind == "expression_statement" and stmt.named_children:
        _commonjs_export(module, stmt.named_children[0])
    elif kind in ("lexical_declaration", "variable_declaration"):
        for decl in stmt.named_children:
            if decl.type != "variable_declarator":
                continue
            name, value = decl.child_by_field_name("name"), decl.child_by_field_name("value")
            if _require(module, resolver, name, value):
                continue
            names = [text_of(name)] if name is not None and name.type == "identifier" else _pattern_names(name)
            for ident in names:
                plain = name is not None and name.type == "identifier"
                if value is not None and value.type in FUNCTION_VALUES and plain:
                    module.functions[ident] = value
                else:
                    module.variables.add(ident)
                if value is not None and plain:
                    module.literals[ident] = value
                    _object_methods(module, ident, value)
                if exported:
                    module.exports[ident] = ("local", None, ident)


def _require(module: Module, resolver: Resolver, name: Node | None, value: Node | None) -> bool:
    """`const x = require("spec")` / `const { a, b: c } = require("spec")` at module level."""
    if name is None or value is None or value.type != "call_expression":
        return False
    fn, args = value.child_by_field_name("function"), value.child_by_field_name("arguments")
    if fn is None or text_of(fn) != "require" or args is None or len(args.named_children) != 1:
        return False
    target, package = _target(module, resolver, args.named_children[0])
    if name.type == "identifier":
        module.imports[text_of(name)] = Import(target, package, "*" if target else "default")
        return True
    for part in name.named_children if name.type == "object_pattern" else ():
        if part.type == "shorthand_property_identifier_pattern":
            module.imports[text_of(part)] = Import(target, package, text_of(part))
        elif part.type == "pair_pattern":
            key, alias = part.child_by_field_name("key"), part.child_by_field_name("value")
            if key is not None and alias is not None and alias.type == "identifier":
                module.imports[text_of(alias)] = Import(target, package, text_of(key))
    return True


def _commonjs_export(module: Module, expr: Node) -> None:
    """`module.exports = {...}` / `module.exports = f` / `exports.a = ...` / `module.exports.a = ...`."""
    if expr.type != "assignment_expression":
        return
    left, right = expr.child_by_field_name("left"), expr.child_by_field_name("right")
    if left is None or right is None:
        return
    target = text_of(left)
    if target == "module.exports":
        if right.type == "identifier":
            module.exports["default"] = ("local", None, text_of(right))
        elif right.type in FUNCTION_VALUES:
            module.functions["default"] = right
            module.exports["default"] = ("local", None, "default")
        elif right.type == "object":
            for member in right.named_children:
                if member.type == "shorthand_property_identifier":
                    module.exports[text_of(member)] = ("local", None, text_of(member))
                elif member.type == "pair":
                    _commonjs_member(module, text_of(member.child_by_field_name("key")),
                                     member.child_by_field_name("value"))
                elif member.type == "method_definition":
                    _commonjs_member(module, text_of(member.child_by_field_name("name")), member)
    elif target.startswith(("exports.", "module.exports.")):
        _commonjs_member(module, target.rsplit(".", 1)[1], right)


def _commonjs_member(module: Module, name: str, value: Node | None) -> None:
    if value is None:
        return
    if value.type == "identifier":
        module.exports[name] = ("local", None, text_of(value))
    elif value.type in FUNCTION_VALUES or value.type == "method_definition":
        module.functions.setdefault(name, value)
        module.exports[name] = ("local", None, name)


def _object_methods(module: Module, name: str, value: Node) -> None:
    """Functions in a module-level object literal (`const repo = { insert: (db) => ... }`) are
    summarised like top-level functions, as `repo.insert`."""
    while value.type in ("as_expression", "satisfies_expression", "parenthesized_expression") and value.named_children:
        value = value.named_children[0]
    if value.type != "object":
        return
    for member in value.named_children:
        if member.type == "method_definition":
            key = member.child_by_field_name("name")
            module.functions[f"{name}.{text_of(key)}"] = member
        elif member.type == "pair":
            key, fn = member.child_by_field_name("key"), member.child_by_field_name("value")
            if key is not None and fn is not None and fn.type in FUNCTION_VALUES:
                module.functions[f"{name}.{string_value(key) or text_of(key)}"] = fn


def _pattern_names(node: Node | None) -> list[str]:
    if node is None:
        return []
    if node.type in ("identifier", "shorthand_property_identifier_pattern"):
        return [text_of(node)]
    names: list[str] = []
    for child in node.named_children:
        if node.type == "pair_pattern" and child == node.child_by_field_name("key"):
            continue
        names += _pattern_names(child)
    return names


def _class(module: Module, node: Node, exported: bool) -> None:
    name_node = node.child_by_field_name("name")
    if name_node is None:
        return
    info = ClassInfo(text_of(name_node), node)
    body = node.child_by_field_name("body")
    for member in body.named_children if body is not None else ():
        if member.type == "method_definition":
            key = member.child_by_field_name("name")
            info.methods[text_of(key)] = member
        elif member.type in ("public_field_definition", "field_definition"):
            info.fields.append(member)
    module.classes[info.name] = info
    if exported:
        module.exports[info.name] = ("local", None, info.name)


def _import(module: Module, stmt: Node, resolver: Resolver) -> None:
    if any(c.type == "type" for c in stmt.children):
        return
    target, package = _target(module, resolver, stmt.child_by_field_name("source"))
    clause = next((c for c in stmt.named_children if c.type == "import_clause"), None)
    for part in clause.named_children if clause is not None else ():
        if part.type == "identifier":
            module.imports[text_of(part)] = Import(target, package, "default")
        elif part.type == "namespace_import":
            ident = next(c for c in part.named_children if c.type == "identifier")
            module.imports[text_of(ident)] = Import(target, package, "*")
        elif part.type == "named_imports":
            for spec in part.named_children:
                if spec.type != "import_specifier" or any(c.type == "type" for c in spec.children):
                    continue
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias") or name
                module.imports[text_of(alias)] = Import(target, package, text_of(name))


def _export(module: Module, stmt: Node, resolver: Resolver) -> None:
    source = stmt.child_by_field_name("source")
    declaration = stmt.child_by_field_name("declaration")
    value = stmt.child_by_field_name("value")
    is_default = any(c.type == "default" for c in stmt.children)
    if source is not None:
        target, _package = _target(module, resolver, source)
        clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
        namespace = next((c for c in stmt.named_children if c.type == "namespace_export"), None)
        if clause is None and namespace is None:
            if target:
                module.star_exports.append(target)
        elif namespace is not None:
            ident = namespace.named_children[-1]
            module.exports[text_of(ident)] = ("module", target, "*")
        elif clause is not None:
            for spec in clause.named_children:
                name = spec.child_by_field_name("name")
                alias = spec.child_by_field_name("alias") or name
                module.exports[text_of(alias)] = ("module", target, text_of(name))
        return
    if declaration is not None:
        if is_default and declaration.type in FUNCTION_NODES + FUNCTION_VALUES + ("class_declaration",):
            name = declaration.child_by_field_name("name")
            local = text_of(name) if name is not None else "default"
            if declaration.type in ("class_declaration",):
                _class(module, declaration, exported=False)
            else:
                module.functions[local] = declaration
            module.exports["default"] = ("local", None, local)
            return
        _top_level(module, declaration, resolver, exported=True)
        return
    if value is not None:
        if value.type in FUNCTION_VALUES:
            module.functions["default"] = value
            module.exports["default"] = ("local", None, "default")
        elif value.type == "identifier":
            module.exports["default"] = ("local", None, text_of(value))
        else:
            module.variables.add("default")
            module.literals["default"] = value
            _object_methods(module, "default", value)
            module.exports["default"] = ("local", None, "default")
        return
    clause = next((c for c in stmt.named_children if c.type == "export_clause"), None)
    for spec in clause.named_children if clause is not None else ():
        name = spec.child_by_field_name("name")
        alias = spec.child_by_field_name("alias") or name
        module.exports[text_of(alias)] = ("local", None, text_of(name))
