"""The reference helper's own module: when the repo defines the helper (`getReferenceDb`), every
MongoClient the helper builds, or that a module variable it reads is built from, is a reference
client from where it is built, whatever URI it is given. So a shared client module's bootstrap
(`createIndexes` at load time) and a client or database handed from it to a library count."""
from __future__ import annotations

from tree_sitter import Node

from attest.policies.guard.model import Hop
from attest.policies.guard.modules import FUNCTION_NODES, FUNCTION_VALUES, Module
from attest.policies.guard.mongo import CLIENT_FACTORIES
from attest.policies.guard.sources import global_property, text_of

Span = tuple[int, int]


def helper_definitions(module: Module, helpers: tuple[str, ...]) -> list[tuple[str, Node]]:
    """The module's functions named like a reference helper (also as an object method `db.getReferenceDb`)."""
    return [(name, fn) for name, fn in sorted(module.functions.items()) if name.rsplit(".", 1)[-1] in helpers]


def definition_sites(module: Module, helpers: tuple[str, ...]) -> list[Hop]:
    return [Hop(module.rel, fn.start_point[0] + 1, f"defines the reference helper {name}")
            for name, fn in helper_definitions(module, helpers)]


def _walk(node: Node) -> list[Node]:
    out: list[Node] = []
    stack = [node]
    while stack:
        current = stack.pop()
        out.append(current)
        stack.extend(current.children)
    return out


def _in_function(node: Node) -> bool:
    parent = node.parent
    while parent is not None:
        if parent.type in FUNCTION_VALUES or parent.type in FUNCTION_NODES or parent.type == "method_definition":
            return True
        parent = parent.parent
    return False


def _writes(module: Module) -> dict[str, list[Node]]:
    """What each module-level name (a module variable, a name declared in a top-level block such as
    `if (!global._client) { const client = ... }`, a property of the global object) is given:
    initialisers and right-hand sides of assignments."""
    found: dict[str, list[Node]] = {}
    for node in _walk(module.source.root):
        if node.type == "variable_declarator":
            name, value = node.child_by_field_name("name"), node.child_by_field_name("value")
        elif node.type in ("assignment_expression", "augmented_assignment_expression"):
            name, value = node.child_by_field_name("left"), node.child_by_field_name("right")
        else:
            continue
        if name is None or value is None:
            continue
        if name.type == "identifier" and (text_of(name) in module.variables or not _in_function(node)):
            found.setdefault(text_of(name), []).append(value)
        shared = global_property(name)
        if shared is not None:
            found.setdefault(f"global.{shared}", []).append(value)
    return found


def _builds_client(node: Node) -> bool:
    if node.type == "new_expression":
        ctor = node.child_by_field_name("constructor")
        return ctor is not None and text_of(ctor).rsplit(".", 1)[-1] in CLIENT_FACTORIES
    if node.type == "call_expression":
        fn = node.child_by_field_name("function")
        if fn is None or fn.type != "member_expression":
            return False
        obj = fn.child_by_field_name("object")
        return (obj is not None and text_of(obj).rsplit(".", 1)[-1] in CLIENT_FACTORIES
                and text_of(fn.child_by_field_name("property")) == "connect")
    return False


def reference_builds(module: Module, helpers: tuple[str, ...]) -> frozenset[Span]:
    """The spans of the MongoClient constructions that feed the module's reference helper(s)."""
    regions = [fn for _name, fn in helper_definitions(module, helpers)]
    if not regions:
        return frozenset()
    writes = _writes(module)
    seen_vars: set[str] = set()
    seen_fns: set[str] = set()
    builds: set[Span] = set()
    while regions:
        region = regions.pop()
        for node in _walk(region):
            if _builds_client(node):
                builds.add((node.start_byte, node.end_byte))
            shared = global_property(node)
            if shared is not None and f"global.{shared}" not in seen_vars:
                seen_vars.add(f"global.{shared}")
                regions += writes.get(f"global.{shared}", [])
            if node.type != "identifier":
                continue
            name = text_of(node)
            if name in writes and name not in seen_vars:
                seen_vars.add(name)
                regions += writes.get(name, [])
            elif name in module.functions and name not in seen_fns:
                seen_fns.add(name)
                regions.append(module.functions[name])
    return frozenset(builds)
