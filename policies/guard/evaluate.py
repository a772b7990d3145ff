"""The per-function interpreter: walks one function's syntax tree once, in source order, tracking
which values derive from the reference handle (or from a parameter, for the function's summary).

It is flow-insensitive within a function (assignments join), property-sensitive on object literals
only (a value remembers the property it was put under; a container of handles holds them), and
context-insensitive across functions (summaries)."""
from __future__ import annotations

from typing import Sequence

from tree_sitter import Node

from attest.policies.guard.calls import Calls
from attest.policies.guard.callbacks import Callbacks
from attest.policies.guard.environment import Environment
from attest.policies.guard.interp import NONE, UNWRAP, Program, UnitKey, Vals
from attest.policies.guard.literals import Literals
from attest.policies.guard.members import Members, pattern_key
from attest.policies.guard.model import Effect, Hop, Val, contained, join
from attest.policies.guard.modules import FUNCTION_NODES, FUNCTION_VALUES, ClassInfo, Module
from attest.policies.guard.sources import global_property, parameters, string_value, text_of
from attest.policies.guard.summaries import Summaries

SKIP = frozenset({
    "comment", "type_alias_declaration", "interface_declaration", "import_statement", "type_annotation",
    "type_arguments", "type_parameters", "ambient_declaration", "enum_declaration", "debugger_statement",
    "abstract_class_declaration", "class_declaration", "module", "internal_module",
})
# A local function called from a local function called from ... is inlined this deep; deeper, or a
# recursive call with reference values the active call did not have, is a `dynamic-use` error.
MAX_INLINE = 16


class Scope(dict[str, tuple[Vals, "Node | None"]]):
    """Local names: their values and the node they were declared with (for literals, local functions)."""


class Evaluator:
    """Statements, bindings and expressions of one unit; members, calls, callee summaries,
    callbacks and the environment are its parts, each behind the `Interp` interface."""

    def __init__(self, engine: Program, module: Module, unit: UnitKey, label: str,
                 cls: ClassInfo | None = None) -> None:
        self.engine = engine
        self.module = module
        self.unit = unit
        self.label = label
        self.cls = cls
        self.scopes: list[Scope] = [Scope()]
        self.effects: dict[tuple[object, ...], Effect] = {}
        self.returns: list[Val] = []
        self.inlining: list[tuple[int, tuple[frozenset[object], ...]]] = []
        self.top_level = unit[1] == "top"
        self.env = Environment(self)
        self.literals = Literals(self)
        self.members = Members(self, self.env)
        self.callbacks = Callbacks(self)
        self.summaries = Summaries(self, self.callbacks, self.env)
        self.calls = Calls(self, self.callbacks, self.summaries, self.members)

    # -- entry points -------------------------------------------------------------------------
    def run_function(self, fn: Node) -> None:
        """Summarise a function: each parameter is a symbolic value (its index) to track uses of."""
        for index, param in enumerate(parameters(fn)):
            pattern = param.child_by_field_name("pattern") or param
            if pattern.type == "assignment_pattern":
                pattern = pattern.child_by_field_name("left") or pattern
            vals: Vals = (Val(index, "any", None, (self.hop(param, f"parameter {text_of(pattern)} of {self.label}"),)),)
            default = param.child_by_field_name("value")
            if default is not None:
                vals = join(vals, self.eval(default))
            self.bind(pattern, vals, None)
            if self.cls is not None and any(c.type == "accessibility_modifier" for c in param.children):
                self.store_field(text_of(pattern), vals)
        self._body(fn)

    def run_top(self) -> None:
        for stmt in self.module.source.root.named_children:
            self.exec(stmt)

    def run_fields(self, cls: ClassInfo) -> None:
        for field in cls.fields:
            name, value = field.child_by_field_name("name"), field.child_by_field_name("value")
            if name is not None and value is not None:
                self.store_field(text_of(name), self.eval(value))

    # -- helpers ------------------------------------------------------------------------------
    def hop(self, node: Node, label: str) -> Hop:
        start, end = node.start_point, node.end_point
        return Hop(self.module.rel, start[0] + 1, label, start[1] + 1, end[0] + 1, end[1] + 1)

    def method_hop(self, node: Node, label: str) -> Hop:
        """A call's step located at its method: in a chain spread over lines (`db.collection("x")` then
        `.insertOne(...)` below it) the line of the method, not of the chain's start."""
        fn = node.child_by_field_name("function") if node.type == "call_expression" else None
        prop = fn.child_by_field_name("property") if fn is not None and fn.type == "member_expression" else None
        if prop is None:
            return self.hop(node, label)
        start, end = prop.start_point, node.end_point
        if end[0] != start[0]:
            end = prop.end_point
        return Hop(self.module.rel, start[0] + 1, label, start[1] + 1, end[0] + 1, end[1] + 1)

    def effect(self, kind: str, val: Val, detail: str, site: Hop, coll: str | None = None) -> None:
        hops = (val.hops + (site,))[:32]
        self.record(Effect(kind, val.root, detail, coll if coll is not None else val.coll, hops, site))

    def record(self, made: Effect) -> None:
        self.effects.setdefault(made.key, made)

    def apply_unit(self, node: Node, unit: UnitKey, label: str, argvals: list[Vals],
                   args: Sequence[Node] = ()) -> Vals:
        return self.summaries.apply_unit(node, unit, label, argvals, args)

    def limit(self, node: Node, what: str) -> None:
        """An analysis limit reached: fail closed, naming the place."""
        site = self.hop(node, f"analysis limit: {what}")
        self.effect("dynamic", Val("ref", "any", None, ()), f"analysis limit: {what}", site)

    def _body(self, fn: Node) -> None:
        body = fn.child_by_field_name("body")
        if body is None:
            return
        if body.type == "statement_block":
            self.exec(body)
        else:
            self.returns.extend(self.eval(body))

    def lookup(self, name: str, node: Node) -> Vals:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name][0]
        symbol = self.engine.resolve_local(self.module.rel, name)
        if symbol is not None and symbol.kind == "var":
            vals = self.engine.read_cell(symbol.key, self.unit)
            if symbol.module != self.module.rel:
                return tuple(v.extend(self.hop(node, f"uses {name} imported from {symbol.module}")) for v in vals)
            return vals
        return NONE

    def local_vals(self, name: str) -> Vals | None:
        """The values of a local name (None when the name is not local)."""
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name][0]
        return None

    def declared(self, name: str) -> Node | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name][1]
        return None

    def literal(self, node: Node | None, depth: int = 0) -> str | None:
        """A string the expression certainly evaluates to (literals and constants), else None."""
        if node is None or depth > 16:
            return None
        if node.type in UNWRAP and node.named_children:
            return self.literal(node.named_children[0], depth + 1)
        value = string_value(node)
        if value is not None or node.type != "identifier":
            return value
        return self.literal(self.definition(text_of(node)), depth + 1)

    def definition(self, name: str) -> Node | None:
        """The node a name was declared with, here or in the module it is imported from."""
        local = self.declared(name)
        if local is not None:
            return local
        symbol = self.engine.resolve_local(self.module.rel, name)
        return self.engine.definition_node(symbol) if symbol is not None else None

    def bind(self, pattern: Node | None, vals: Vals, node: Node | None) -> None:
        if pattern is None:
            return
        kind = pattern.type
        if kind in ("identifier", "shorthand_property_identifier_pattern", "this"):
            name = text_of(pattern)
            scope = self.scopes[-1]
            old = scope.get(name, (NONE, None))
            scope[name] = (join(old[0], vals), node if node is not None else old[1])
            if self.top_level and len(self.scopes) == 1:
                self.engine.join_cell(("var", self.module.rel, name), vals)
            return
        if kind == "object_pattern":
            self.bind_object(pattern, vals)
            return
        for child in pattern.named_children:
            if child.type in ("object_assignment_pattern", "assignment_pattern"):
                right = child.child_by_field_name("right")
                self.bind(child.child_by_field_name("left"), join(vals, self.eval(right)), None)
            elif child.type not in ("type_annotation", "comment", "property_identifier"):
                self.bind(child, vals, None)

    def bind_object(self, pattern: Node, vals: Vals) -> None:
        """`const { users, posts: p = x, ...rest } = value`: each name gets what sits under its key."""
        if any(v.is_handle() for v in vals):
            self.members.destructure(pattern, vals)
        for child in pattern.named_children:
            key = pattern_key(child)
            part = self.members.select(vals, key, child) if key is not None else vals
            if child.type == "pair_pattern":
                self.bind(child.child_by_field_name("value"), part, None)
            elif child.type == "object_assignment_pattern":
                right = child.child_by_field_name("right")
                self.bind(child.child_by_field_name("left"), join(part, self.eval(right)), None)
            elif child.type == "shorthand_property_identifier_pattern":
                self.bind(child, part, None)
            elif child.type not in ("type_annotation", "comment"):
                self.bind(child, part, None)

    def assign(self, left: Node | None, vals: Vals) -> None:
        if left is None:
            return
        shared = global_property(left, lambda name: self.declared(name) is not None)
        if shared is not None:
            self.engine.join_cell(("global", shared), vals)
            return
        if left.type in ("member_expression", "subscript_expression"):
            base = left.child_by_field_name("object")
            if base is not None and base.type == "this" and self.cls is not None and left.type == "member_expression":
                self.store_field(text_of(left.child_by_field_name("property")), vals)
                return
            direct = base is not None and base.type == "identifier" and left.type == "member_expression"
            while base is not None and base.type in ("member_expression", "subscript_expression"):
                base = base.child_by_field_name("object")
            if base is None or base.type != "identifier":
                return
            key = text_of(left.child_by_field_name("property")) if direct else None
            left, vals = base, contained(vals, key)
        if left.type != "identifier":
            self.bind(left, vals, None)
            return
        name = text_of(left)
        for scope in reversed(self.scopes):
            if name in scope:
                scope[name] = (join(scope[name][0], vals), scope[name][1])
                if scope is self.scopes[0] and self.top_level:
                    self.engine.join_cell(("var", self.module.rel, name), vals)
                return
        symbol = self.engine.resolve_local(self.module.rel, name)
        if symbol is not None and symbol.kind == "var":
            if symbol.module != self.module.rel:
                self.engine.foreign_store = True
            self.engine.join_cell(symbol.key, vals)

    def store_field(self, name: str, vals: Vals) -> None:
        if self.cls is None:
            return
        in_constructor = self.unit[2].endswith(".constructor")
        kept = tuple(
            Val(f"ctor:{v.root}", v.kind, v.coll, v.hops) if isinstance(v.root, int) else v
            for v in vals if in_constructor or not isinstance(v.root, int)
        )
        if kept:
            self.engine.join_cell(("field", self.module.rel, self.cls.name, name), kept)

    # -- statements ---------------------------------------------------------------------------
    def exec(self, node: Node) -> None:
        kind = node.type
        if kind in SKIP:
            return
        if kind in ("lexical_declaration", "variable_declaration"):
            for decl in node.named_children:
                if decl.type != "variable_declarator":
                    continue
                value = decl.child_by_field_name("value")
                if self.top_level and len(self.scopes) == 1 and value is not None and value.type in FUNCTION_VALUES:
                    continue
                self.bind(decl.child_by_field_name("name"), self.eval(value) if value is not None else NONE, value)
        elif kind == "return_statement":
            for child in node.named_children:
                self.returns.extend(self.eval(child))
        elif kind in FUNCTION_NODES:
            if self.top_level and len(self.scopes) == 1:
                return
            name = node.child_by_field_name("name")
            if name is not None:
                self.scopes[-1][text_of(name)] = (NONE, node)
            self.closure(node, [])
        elif kind == "for_in_statement":
            vals = self.eval(node.child_by_field_name("right"))
            self.bind(node.child_by_field_name("left"), vals, None)
            body = node.child_by_field_name("body")
            if body is not None:
                self.exec(body)
        elif kind == "export_statement":
            target = node.child_by_field_name("declaration") or node.child_by_field_name("value")
            if target is not None and node.child_by_field_name("source") is None:
                if target.type in FUNCTION_VALUES + FUNCTION_NODES and self.top_level:
                    return
                if target.type in FUNCTION_NODES:
                    self.exec(target)
                    return
                if target.type in ("lexical_declaration", "variable_declaration"):
                    self.exec(target)
                    return
                vals = self.eval(target)
                if any(c.type == "default" for c in node.children):
                    self.engine.join_cell(("var", self.module.rel, "default"), vals)
        elif kind == "catch_clause":
            body = node.child_by_field_name("body")
            if body is not None:
                self.exec(body)
        elif kind.endswith("_statement") or kind in ("statement_block", "else_clause", "switch_body",
                                                    "switch_case", "switch_default", "finally_clause",
                                                    "program"):
            for child in node.named_children:
                self.exec(child)
        else:
            self.eval(node)

    # -- expressions --------------------------------------------------------------------------
    def eval(self, node: Node | None) -> Vals:
        if node is None:
            return NONE
        kind = node.type
        if kind == "identifier":
            return self.lookup(text_of(node), node)
        if kind in UNWRAP:
            inner = [c for c in node.named_children if c.type not in ("type_arguments", "type_annotation")]
            return self.eval(inner[0]) if inner else NONE
        if kind == "call_expression":
            return self.calls.call(node)
        if kind == "member_expression":
            return self.env.value(node) or self.members.member(node)
        if kind == "subscript_expression":
            return self.members.subscript(node)
        if kind == "new_expression":
            return self.calls.new(node)
        if kind == "template_string":
            return self.literals.template(node)
        if kind == "yield_expression":
            yielded = join(*(self.eval(c) for c in node.named_children))
            self.returns.extend(yielded)
            return NONE
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            vals = self.eval(node.child_by_field_name("right"))
            self.assign(node.child_by_field_name("left"), vals)
            return vals
        if kind in ("binary_expression", "ternary_expression"):
            parts = [self.eval(c) for c in node.named_children]
            return join(*parts[1:]) if kind == "ternary_expression" else join(*parts)
        if kind == "object":
            return self.literals.object(node)
        if kind in ("array", "sequence_expression"):
            parts = [self.eval(c) for c in node.named_children]
            return (parts[-1] if parts else NONE) if kind == "sequence_expression" else contained(join(*parts))
        if kind in FUNCTION_VALUES:
            return self.closure(node, [])
        if kind in ("class", "class_declaration"):
            return NONE
        for child in node.named_children:
            if child.type not in SKIP:
                self.exec(child) if child.type == "statement_block" else self.eval(child)
        return NONE

    def closure(self, fn: Node, args: list[Vals], called: bool = False) -> Vals:
        """Run a nested function in a child scope (closures see the enclosing names); its returns.
        `called`: a local function called by name, inlined with the caller's arguments (a function
        written inline is analysed where it is written, however deep)."""
        if called:
            shapes = tuple(frozenset(v.shape for v in vals if v.is_reference()) for vals in args)
            active = [frame for frame in self.inlining if frame[0] == fn.id]
            if active and all(shape <= (active[-1][1][i] if i < len(active[-1][1]) else frozenset())
                              for i, shape in enumerate(shapes)):
                return NONE  # a recursive call with nothing new: the active call covers it
            if active or len(self.inlining) >= MAX_INLINE:
                self.limit(fn, f"local function calls nested more than {MAX_INLINE} deep or recursive")
                return NONE
            self.inlining.append((fn.id, shapes))
        saved_returns, self.returns = self.returns, []
        self.scopes.append(Scope())
        try:
            for index, param in enumerate(parameters(fn)):
                pattern = param.child_by_field_name("pattern") or param
                vals = args[index] if index < len(args) else NONE
                default = param.child_by_field_name("value")
                if default is not None:
                    vals = join(vals, self.eval(default))
                self.bind(pattern, vals, None)
            self._body(fn)
            return join(tuple(self.returns))
        finally:
            if called:
                self.inlining.pop()
            self.scopes.pop()
            self.returns = saved_returns
