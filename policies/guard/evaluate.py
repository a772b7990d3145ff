"""The per-function interpreter: walks one function's syntax tree once, in source order, tracking
which values derive from the reference handle (or from a parameter, for the function's summary).

It is flow-insensitive within a function (assignments join), property-insensitive on objects (a
registry of handles is itself a handle), and context-insensitive across functions (summaries)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable

from tree_sitter import Node

from policies.guard.model import Effect, Hop, Val, join
from policies.guard.modules import FUNCTION_NODES, FUNCTION_VALUES, ClassInfo, Module
from policies.guard.mongo import (
    CLIENT_FACTORIES, PASS_THROUGH, WRITE_COMMANDS, WRITE_STAGES, is_write_method,
)
from policies.guard.sources import string_value, text_of

if TYPE_CHECKING:
    from policies.guard.engine import Engine, Symbol, UnitKey

Vals = tuple[Val, ...]
NONE: Vals = ()
SKIP = frozenset({
    "comment", "type_alias_declaration", "interface_declaration", "import_statement", "type_annotation",
    "type_arguments", "type_parameters", "ambient_declaration", "enum_declaration", "debugger_statement",
    "abstract_class_declaration", "class_declaration", "module", "internal_module",
})
UNWRAP = frozenset({
    "parenthesized_expression", "await_expression", "as_expression", "satisfies_expression",
    "non_null_expression", "type_assertion", "spread_element",
})
ITERATORS = frozenset({"forEach", "map", "flatMap", "filter", "find", "some", "every", "reduce", "then"})
MAX_INLINE = 3


class Scope(dict[str, tuple[Vals, "Node | None"]]):
    """Local names: their values and the node they were declared with (for literals, local functions)."""


class Evaluator:
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
    def run_function(self, fn: Node, bind_params: bool = True) -> None:
        for index, param in enumerate(self._params(fn)):
            pattern = param.child_by_field_name("pattern") or param
            if pattern.type == "assignment_pattern":
                pattern = pattern.child_by_field_name("left") or pattern
            vals: Vals = ()
            if bind_params:
                vals = (Val(index, "any", None, (self.hop(param, f"parameter {text_of(pattern)} of {self.label}"),)),)
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

    @staticmethod
    def _params(fn: Node) -> list[Node]:
        single = fn.child_by_field_name("parameter")
        if single is not None:
            return [single]
        params = fn.child_by_field_name("parameters")
        return [p for p in params.named_children if p.type != "comment"] if params is not None else []

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
            left = base
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
        kept = tuple(v for v in vals if not isinstance(v.root, int))
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
            return (parts[-1] if parts else NONE) if kind == "sequence_expression" else join(*parts)
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
        return join(*parts)

    def closure(self, fn: Node, args: list[Vals]) -> Vals:
        """Run a nested function in a child scope (closures see the enclosing names); its returns."""
        if self.depth > MAX_INLINE:
            return NONE
        saved_returns, self.returns = self.returns, []
        self.scopes.append(Scope())
        self.depth += 1
        try:
            for index, param in enumerate(self._params(fn)):
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
        if text_of(obj) == "process.env":
            return self.env_var(prop, node)
        if obj.type == "identifier" and self.declared(text_of(obj)) is None:
            symbol = self.engine.resolve_local(self.module.rel, text_of(obj))
            if symbol is not None and symbol.kind == "namespace":
                target = self.engine.resolve_export(symbol.module, prop)
                if target is not None and target.kind == "var":
                    return tuple(v.extend(self.hop(node, f"uses {prop} from {target.module}"))
                                 for v in self.engine.read_cell(target.key, self.unit))
                return NONE
        return self.eval(obj)

    def field(self, name: str, node: Node) -> Vals:
        if self.cls is None:
            return NONE
        vals = self.engine.read_cell(("field", self.module.rel, self.cls.name, name), self.unit)
        return tuple(v.extend(self.hop(node, f"this.{name}")) for v in vals)

    def env_var(self, name: str | None, node: Node) -> Vals:
        if name == self.engine.config.reference_uri_env:
            return (Val("ref", "uri", None, (self.hop(node, f"process.env.{name}"),)),)
        return NONE

    def subscript(self, node: Node) -> Vals:
        obj = node.child_by_field_name("object")
        index = node.child_by_field_name("index")
        if obj is not None and text_of(obj) == "process.env":
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
            else:
                out.append(val)
        return join(tuple(out))

    # -- calls --------------------------------------------------------------------------------
    def arguments(self, node: Node) -> list[Node]:
        args = node.child_by_field_name("arguments")
        if args is None or args.type == "template_string":
            return []
        return [a for a in args.named_children if a.type != "comment"]

    def call(self, node: Node) -> Vals:
        fn = node.child_by_field_name("function")
        args = self.arguments(node)
        if fn is None:
            return NONE
        if fn.type == "identifier":
            return self.call_name(node, text_of(fn), args)
        if fn.type == "member_expression":
            obj = fn.child_by_field_name("object")
            prop = text_of(fn.child_by_field_name("property"))
            routed = self.call_routed(node, obj, prop, args)
            if routed is not None:
                return routed
            return self.method_call(node, self.eval(obj), prop, args)
        if fn.type == "subscript_expression":
            recv = self.eval(fn.child_by_field_name("object"))
            index = fn.child_by_field_name("index")
            name = self.literal(index)
            if name is not None:
                return self.method_call(node, recv, name, args)
            site = self.hop(node, f"computed method [{text_of(index)}]")
            for val in recv:
                if val.is_handle():
                    self.effect("dynamic", val, "computed method name", site)
            self.eval_args(args, NONE)
            return NONE
        self.eval(fn)
        self.eval_args(args, NONE)
        return NONE

    def eval_args(self, args: Iterable[Node], bind: Vals) -> list[Vals]:
        """Evaluate arguments; callbacks get the receiver's values as their first parameter."""
        return [self.closure(a, [bind]) if a.type in FUNCTION_VALUES else self.eval(a) for a in args]

    def call_name(self, node: Node, name: str, args: list[Node]) -> Vals:
        argvals = self.eval_args(args, NONE)
        if name in self.engine.config.reference_helpers:
            return (Val("ref", "db", None, (self.hop(node, f"{name}() opens the reference database"),)),)
        local = self.declared(name)
        if local is not None:
            if local.type in FUNCTION_VALUES or local.type.endswith("function_declaration"):
                return self.closure(local, argvals)
            return NONE
        symbol = self.engine.resolve_local(self.module.rel, name)
        return self.apply(node, symbol, name, argvals)

    def call_routed(self, node: Node, obj: Node | None, prop: str, args: list[Node]) -> Vals | None:
        """Calls whose target is known by name: `this.method()`, `ns.fn()`, `pkg.fn()`."""
        if obj is None:
            return None
        if obj.type == "this" and self.cls is not None and prop in self.cls.methods:
            unit = (self.module.rel, "method", f"{self.cls.name}.{prop}")
            return self.apply_unit(node, unit, f"this.{prop}", self.eval_args(args, NONE))
        if obj.type != "identifier" or self.declared(text_of(obj)) is not None:
            return None
        symbol = self.engine.resolve_local(self.module.rel, text_of(obj))
        if symbol is None:
            return None
        if symbol.kind == "namespace":
            target = self.engine.resolve_export(symbol.module, prop)
            return self.apply(node, target, f"{text_of(obj)}.{prop}", self.eval_args(args, NONE))
        if symbol.kind == "package":
            argvals = self.eval_args(args, NONE)
            if symbol.name in CLIENT_FACTORIES and prop == "connect":
                return self.client_from(node, argvals)
            return self.third_party(node, symbol.package or "", argvals)
        return None

    def apply(self, node: Node, symbol: Symbol | None, label: str, argvals: list[Vals]) -> Vals:
        if symbol is None:
            return join(*argvals) if label.split(".")[-1] in PASS_THROUGH else NONE
        if symbol.kind == "fn":
            return self.apply_unit(node, symbol.key, label, argvals)
        if symbol.kind == "package":
            return self.third_party(node, symbol.package or "", argvals)
        return NONE

    def apply_unit(self, node: Node, unit: UnitKey, label: str, argvals: list[Vals]) -> Vals:
        summary = self.engine.summary(unit, self.unit)
        site = self.hop(node, f"passes to {label}()")
        for eff in summary.effects:
            if not isinstance(eff.param, int) or eff.param >= len(argvals):
                continue
            for val in argvals[eff.param]:
                if val.is_handle() or (eff.kind == "uri" and val.kind == "uri"):
                    made = Effect(eff.kind, val.root, eff.detail, eff.coll or val.coll,
                                  (val.hops + (site,) + eff.hops)[:32], site)
                    self.effects.setdefault(made.key, made)
        out: list[Val] = []
        back = self.hop(node, f"returned from {label}()")
        for ret in summary.returns:
            if isinstance(ret.root, int):
                for val in argvals[ret.root] if ret.root < len(argvals) else ():
                    kind = val.kind if ret.kind == "any" else ret.kind
                    out.append(Val(val.root, kind, ret.coll or val.coll, (val.hops + (site,) + ret.hops)[:32]))
            else:
                out.append(ret.extend(back))
        return join(tuple(out))

    def third_party(self, node: Node, package: str, argvals: list[Vals]) -> Vals:
        if package in self.engine.config.read_only_packages or package == "mongodb":
            return NONE
        site = self.hop(node, f"handed to third-party package {package}")
        for vals in argvals:
            for val in vals:
                if val.is_handle() or val.kind == "uri":
                    self.effect("thirdparty", val, package, site)
        return NONE

    def client_from(self, node: Node, argvals: list[Vals]) -> Vals:
        first = argvals[0] if argvals else NONE
        site = self.hop(node, "MongoClient for the reference URI")
        return tuple(v.extend(site, kind="client") for v in first if v.kind == "uri" or isinstance(v.root, int))

    def new(self, node: Node) -> Vals:
        ctor = node.child_by_field_name("constructor")
        argvals = self.eval_args(self.arguments(node), NONE)
        if ctor is None or ctor.type != "identifier":
            return NONE
        name = text_of(ctor)
        symbol = self.engine.resolve_local(self.module.rel, name) if self.declared(name) is None else None
        if name in CLIENT_FACTORIES and (symbol is None or symbol.kind == "package"):
            return self.client_from(node, argvals)
        if symbol is not None and symbol.kind == "package":
            return self.third_party(node, symbol.package or "", argvals)
        return NONE

    def method_call(self, node: Node, recv: Vals, prop: str, args: list[Node]) -> Vals:
        handles = tuple(v for v in recv if v.is_handle())
        argvals = self.eval_args(args, handles if prop in ITERATORS else NONE)
        if prop in ("push", "unshift") and argvals:
            target = node.child_by_field_name("function").child_by_field_name("object")
            self.assign(target, join(*argvals))
        if not handles:
            if prop == "then" and argvals:
                return argvals[0]
            return join(*argvals) if prop in PASS_THROUGH else NONE
        site = self.hop(node, f".{prop}()")
        out: list[Val] = []
        for val in handles:
            if prop == "collection":
                name = self.literal(args[0]) if args else None
                if name is None:
                    self.effect("dynamic", val, "collection name from a variable", site)
                else:
                    self.effect("access", val, "collection", self.hop(node, f"collection {name}"), coll=name)
                out.append(val.extend(self.hop(node, f"collection {name or '?'}"), kind="coll", coll=name or "?"))
            elif prop in ("db", "admin"):
                out.append(val.extend(site, kind="db"))
            elif is_write_method(prop):
                self.effect("write", val, prop, self.hop(node, f".{prop}() writes"))
            elif prop == "aggregate":
                if any(v.root == "stage" for v in (argvals[0] if argvals else NONE)):
                    self.effect("write", val, "aggregate with $out/$merge", self.hop(node, ".aggregate() with $out/$merge writes"))
            elif prop in ("command", "runCommand", "runCursorCommand"):
                self.command(node, val, args)
            elif prop == "then" and argvals:
                out.extend(argvals[0])
            elif prop in ("connect", "get", "valueOf"):
                out.append(val)
        return join(tuple(out))

    def command(self, node: Node, val: Val, args: list[Node]) -> None:
        doc = args[0] if args else None
        if doc is not None and doc.type == "identifier":
            doc = self.definition(text_of(doc))
        while doc is not None and doc.type in UNWRAP and doc.named_children:
            doc = doc.named_children[0]
        if doc is None or doc.type != "object":
            self.effect("dynamic", val, "command document not resolvable", self.hop(node, ".command(?)"))
            return
        first = next((c for c in doc.named_children if c.type in ("pair", "shorthand_property_identifier")), None)
        key = first.child_by_field_name("key") if first is not None and first.type == "pair" else first
        name = (string_value(key) if key is not None and key.type == "string" else text_of(key)) if key is not None else ""
        if name in WRITE_COMMANDS:
            self.effect("write", val, f"command {name}", self.hop(node, f".command({{{name}}}) writes"))
