"""The per-function interpreter: walks one function's syntax tree once, in source order, tracking
which values derive from the reference handle (or from a parameter, for the function's summary).

It is flow-insensitive within a function (assignments join), property-insensitive on objects (a
registry of handles is itself a handle), and context-insensitive across functions (summaries)."""
from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from attest.policies.guard.calls import UNWRAP, Calls
from attest.policies.guard.members import Members
from attest.policies.guard.model import PLAIN_PROPERTIES, Effect, Hop, Val, contained, join
from attest.policies.guard.modules import FUNCTION_NODES, FUNCTION_VALUES, ClassInfo, Module
from attest.policies.guard.mongo import DRIVER_KINDS, WRITE_STAGES
from attest.policies.guard.sources import parameters, string_value, text_of

if TYPE_CHECKING:
    from attest.policies.guard.engine import Engine, UnitKey

Vals = tuple[Val, ...]
NONE: Vals = ()
SKIP = frozenset({
    "comment", "type_alias_declaration", "interface_declaration", "import_statement", "type_annotation",
    "type_arguments", "type_parameters", "ambient_declaration", "enum_declaration", "debugger_statement",
    "abstract_class_declaration", "class_declaration", "module", "internal_module",
})
MAX_INLINE = 3


class Scope(dict[str, tuple[Vals, "Node | None"]]):
    """Local names: their values and the node they were declared with (for literals, local functions)."""


class Evaluator(Calls, Members):
    def __init__(self, engine: Engine, module: Module, unit: UnitKey, label: str,
                 cls: ClassInfo | None = None) -> None:
        self.engine = engine
        self.module = module
        self.unit = unit
        self.label = label
        self.cls = cls
        self.scopes: list[Scope] = [Scope()]
        self.effects: dict[tuple[object, ...], Effect] = {}
        self.returns: list[Val] = []
        self.depth = 0
        self.top_level = unit[1] == "top"

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
        return Hop(self.module.rel, node.start_point[0] + 1, label)

    def effect(self, kind: str, val: Val, detail: str, site: Hop, coll: str | None = None) -> None:
        hops = (val.hops + (site,))[:32]
        made = Effect(kind, val.root, detail, coll if coll is not None else val.coll, hops, site)
        self.effects.setdefault(made.key, made)

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
        if node is None or depth > 4:
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
        if kind == "object_pattern" and any(v.is_handle() for v in vals):
            self.destructure(pattern, vals)
            vals = tuple(v.extend(kind="method") if v.kind in DRIVER_KINDS else v for v in vals)
        if kind in ("identifier", "shorthand_property_identifier_pattern", "this"):
            name = text_of(pattern)
            scope = self.scopes[-1]
            old = scope.get(name, (NONE, None))
            scope[name] = (join(old[0], vals), node if node is not None else old[1])
            if self.top_level and len(self.scopes) == 1:
                self.engine.join_cell(("var", self.module.rel, name), vals)
            return
        for child in pattern.named_children:
            if kind == "pair_pattern" and child == pattern.child_by_field_name("key"):
                continue
            if child.type in ("object_assignment_pattern", "assignment_pattern"):
                right = child.child_by_field_name("right")
                extra = self.eval(right) if right is not None else NONE
                self.bind(child.child_by_field_name("left"), join(vals, extra), None)
            elif child.type not in ("type_annotation", "comment", "property_identifier"):
                self.bind(child, vals, None)

    def assign(self, left: Node, vals: Vals) -> None:
        if left.type in ("member_expression", "subscript_expression"):
            base = left.child_by_field_name("object")
            if base is not None and base.type == "this" and self.cls is not None and left.type == "member_expression":
                self.store_field(text_of(left.child_by_field_name("property")), vals)
                return
            while base is not None and base.type in ("member_expression", "subscript_expression"):
                base = base.child_by_field_name("object")
            if base is None or base.type != "identifier":
                return
            left, vals = base, contained(vals)
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
                name = decl.child_by_field_name("name")
                if name is not None and name.type == "object_pattern" and self.is_process_env(value):
                    self.bind_env(name)
                    continue
                self.bind(decl.child_by_field_name("name"), self.eval(value) if value is not None else NONE, value)
        elif kind == "return_statement":
            for child in node.named_children:
                self.returns.extend(self.eval(child))
        elif kind in FUNCTION_NODES:
            if self.top_level and len(self.scopes) == 1:
                return
            name = node.child_by_field_name("name")
            self.scopes[-1][text_of(name)] = (NONE, node)
            self.closure(node, [])
        elif kind == "for_in_statement":
            vals = self.eval(node.child_by_field_name("right"))
            self.bind(node.child_by_field_name("left"), vals, None)
            self.exec(node.child_by_field_name("body"))
        elif kind == "export_statement":
            target = node.child_by_field_name("declaration") or node.child_by_field_name("value")
            if target is not None and node.child_by_field_name("source") is None:
                if target.type in FUNCTION_VALUES + FUNCTION_NODES and self.top_level:
                    return
                if target.type in FUNCTION_NODES:
                    self.exec(target)
                    return
                vals = self.eval(target) if target.type not in ("lexical_declaration", "variable_declaration") else None
                if vals is None:
                    self.exec(target)
                elif any(c.type == "default" for c in node.children):
                    self.engine.join_cell(("var", self.module.rel, "default"), vals)
        elif kind == "catch_clause":
            self.exec(node.child_by_field_name("body"))
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
            return self.call(node)
        if kind == "member_expression":
            return self.member(node)
        if kind == "subscript_expression":
            return self.subscript(node)
        if kind == "new_expression":
            return self.new(node)
        if kind in ("assignment_expression", "augmented_assignment_expression"):
            vals = self.eval(node.child_by_field_name("right"))
            self.assign(node.child_by_field_name("left"), vals)
            return vals
        if kind in ("binary_expression", "ternary_expression"):
            parts = [self.eval(c) for c in node.named_children]
            return join(*parts[1:]) if kind == "ternary_expression" else join(*parts)
        if kind == "object":
            return self.object(node)
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

    def object(self, node: Node) -> Vals:
        parts: list[Vals] = []
        for child in node.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                key_text = string_value(key) if key is not None and key.type == "string" else text_of(key)
                if key_text in WRITE_STAGES:
                    parts.append((Val("stage", "stage", None, (self.hop(child, f"{key_text} stage"),)),))
                if key is not None and key.type == "computed_property_name":
                    self.eval(key)
                parts.append(self.eval(child.child_by_field_name("value")))
            elif child.type == "shorthand_property_identifier":
                parts.append(self.lookup(text_of(child), child))
            elif child.type == "method_definition":
                parts.append(self.closure(child, []))
            else:
                parts.append(self.eval(child))
        return contained(join(*parts))

    def closure(self, fn: Node, args: list[Vals]) -> Vals:
        """Run a nested function in a child scope (closures see the enclosing names); its returns."""
        if self.depth > MAX_INLINE:
            return NONE
        saved_returns, self.returns = self.returns, []
        self.scopes.append(Scope())
        self.depth += 1
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
            self.depth -= 1
            self.scopes.pop()
            self.returns = saved_returns

    def member(self, node: Node) -> Vals:
        obj = node.child_by_field_name("object")
        prop = text_of(node.child_by_field_name("property"))
        if obj is None:
            return NONE
        if obj.type == "this":
            return self.field(prop, node)
        if self.is_process_env(obj):
            return self.env_var(prop, node)
        if obj.type == "identifier" and self.declared(text_of(obj)) is None:
            symbol = self.engine.resolve_local(self.module.rel, text_of(obj))
            if symbol is not None and symbol.kind == "namespace":
                target = self.engine.resolve_export(symbol.module, prop)
                if target is not None and target.kind == "var":
                    return tuple(v.extend(self.hop(node, f"uses {prop} from {target.module}"))
                                 for v in self.engine.read_cell(target.key, self.unit))
                return NONE
        vals = self.eval(obj)
        self.property_use(node, vals, prop)
        return tuple(v.extend(kind="method") if v.kind in DRIVER_KINDS else v
                     for v in vals if v.kind not in PLAIN_PROPERTIES or v.kind in DRIVER_KINDS)

    def field(self, name: str, node: Node) -> Vals:
        if self.cls is None:
            return NONE
        vals = self.engine.read_cell(("field", self.module.rel, self.cls.name, name), self.unit)
        getter = self.cls.methods.get(name)
        if getter is not None and any(c.type == "get" for c in getter.children):
            unit = (self.module.rel, "method", f"{self.cls.name}.{name}")
            vals = join(vals, self.apply_unit(node, unit, f"get {name}", []))
        return tuple(v.extend(self.hop(node, f"this.{name}")) for v in vals)

    def subscript(self, node: Node) -> Vals:
        obj = node.child_by_field_name("object")
        index = node.child_by_field_name("index")
        if obj is not None and self.is_process_env(obj):
            return self.env_var(self.literal(index), node)
        vals = self.eval(obj)
        name = self.literal(index)
        if name is None:
            self.eval(index)
        out: list[Val] = []
        for val in vals:
            if val.kind in ("db", "client") and val.is_handle():
                site = self.hop(node, f"collection [{name or text_of(index)}]")
                if name is None:
                    self.effect("dynamic", val, "collection name from a variable", site)
                    out.append(val.extend(site, kind="coll", coll="?"))
                else:
                    self.effect("access", val, "collection", site, coll=name)
                    out.append(val.extend(site, kind="coll", coll=name))
            elif val.kind == "coll" and val.is_handle():
                if name is None:
                    self.effect("dynamic", val, "computed member", self.hop(node, f"member [{text_of(index)}]"))
                else:
                    self.property_use(node, (val,), name)
                    out.append(val.extend(kind="method"))
            else:
                out.append(val)
        return join(tuple(out))
