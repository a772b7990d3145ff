"""Calls in the interpreter: the reference helper, local closures, summarised functions across
modules, driver methods (collection, writes, aggregate with $out/$merge, command), third-party
packages and `new MongoClient(...)`. Mixed into `Evaluator`."""
from __future__ import annotations

from typing import TYPE_CHECKING, Iterable, Sequence

from tree_sitter import Node

from attest.policies.guard.callbacks import BUILTINS, CONTAINER_CLASSES, Callbacks
from attest.policies.guard.model import Val, contained, join
from attest.policies.guard.modules import FUNCTION_VALUES
from attest.policies.guard.mongo import CLIENT_FACTORIES, PASS_THROUGH, WRITE_COMMANDS, is_write_method
from attest.policies.guard.sources import string_value, text_of

if TYPE_CHECKING:
    from attest.policies.guard.engine import Symbol, UnitKey
    from attest.policies.guard.evaluate import Evaluator

Vals = tuple[Val, ...]
NONE: Vals = ()
ITERATORS = frozenset({"forEach", "map", "flatMap", "filter", "find", "some", "every", "reduce", "then"})
# Methods of arrays, maps, sets and promises that hold or pass values on (tracked as containers).
CONTAINER_METHODS = frozenset({
    "push", "unshift", "set", "add", "get", "then", "catch", "finally", "concat", "includes", "indexOf",
    "has", "delete", "splice", "slice", "fill",
}) | PASS_THROUGH
UNWRAP = frozenset({
    "parenthesized_expression", "await_expression", "as_expression", "satisfies_expression",
    "non_null_expression", "type_assertion", "spread_element",
})


class Calls(Callbacks):
    """Call handling; every method runs on an `Evaluator`."""

    def arguments(self: Evaluator, node: Node) -> list[Node]:
        args = node.child_by_field_name("arguments")
        if args is None or args.type == "template_string":
            return []
        return [a for a in args.named_children if a.type != "comment"]

    def call(self: Evaluator, node: Node) -> Vals:
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

    def eval_args(self: Evaluator, args: Iterable[Node], bind: Vals) -> list[Vals]:
        """Evaluate arguments; callbacks (inline or named) get the receiver's values as their first
        parameter."""
        out: list[Vals] = []
        for arg in args:
            if arg.type in FUNCTION_VALUES:
                out.append(self.closure(arg, [bind]))
            elif bind and arg.type == "identifier" and any(v.is_handle() for v in bind):
                out.append(join(self.eval(arg), self.callback(arg, [bind])))
            else:
                out.append(self.eval(arg))
        return out

    def call_name(self: Evaluator, node: Node, name: str, args: list[Node]) -> Vals:
        argvals = self.eval_args(args, NONE)
        if name in self.engine.config.reference_helpers:
            return (Val("ref", "db", None, (self.hop(node, f"{name}() opens the reference database"),)),)
        local = self.declared(name)
        if local is not None:
            if local.type in FUNCTION_VALUES or local.type.endswith("function_declaration"):
                return self.closure(local, argvals)
            if local.type == "identifier" and self.declared(text_of(local)) is None:
                alias = self.engine.resolve_local(self.module.rel, text_of(local))
                return self.apply(node, alias, text_of(local), argvals, args)
        callee = self.local_vals(name)
        if callee is not None:
            self.invoke_param(node, name, callee, argvals)
            return NONE
        symbol = self.engine.resolve_local(self.module.rel, name)
        if symbol is None and name not in BUILTINS:
            self.unknown_callee(node, name, argvals)
        return self.apply(node, symbol, name, argvals, args)

    def call_routed(self: Evaluator, node: Node, obj: Node | None, prop: str, args: list[Node]) -> Vals | None:
        """Calls whose target is known by name: `this.method()`, `ns.fn()`, `pkg.fn()`."""
        if obj is None:
            return None
        if obj.type == "this" and self.cls is not None and prop in self.cls.methods:
            unit = (self.module.rel, "method", f"{self.cls.name}.{prop}")
            return self.apply_unit(node, unit, f"this.{prop}", self.eval_args(args, NONE), args)
        if obj.type != "identifier" or self.declared(text_of(obj)) is not None:
            return None
        symbol = self.engine.resolve_local(self.module.rel, text_of(obj))
        if symbol is None:
            return None
        if symbol.kind == "unresolved":
            self.unresolved(node, f"{text_of(obj)}.{prop}", self.eval_args(args, NONE))
            return NONE
        if symbol.kind == "namespace":
            target = self.engine.resolve_export(symbol.module, prop)
            return self.apply(node, target, f"{text_of(obj)}.{prop}", self.eval_args(args, NONE), args)
        if symbol.kind == "var" and f"{symbol.name}.{prop}" in self.engine.modules[symbol.module].functions:
            unit = (symbol.module, "fn", f"{symbol.name}.{prop}")
            return self.apply_unit(node, unit, f"{text_of(obj)}.{prop}", self.eval_args(args, NONE), args)
        if symbol.kind == "class":
            module = self.engine.modules.get(symbol.module)
            cls = module.classes.get(symbol.name) if module is not None else None
            if cls is not None and prop in cls.methods:
                unit = (symbol.module, "method", f"{symbol.name}.{prop}")
                return self.apply_unit(node, unit, f"{symbol.name}.{prop}", self.eval_args(args, NONE), args)
            return None
        if symbol.kind == "package":
            argvals = self.eval_args(args, NONE)
            if symbol.name in CLIENT_FACTORIES and prop == "connect":
                return self.client_from(node, argvals)
            return self.third_party(node, symbol.package or "", argvals)
        return None

    def apply(self: Evaluator, node: Node, symbol: Symbol | None, label: str, argvals: list[Vals],
              args: list[Node]) -> Vals:
        if symbol is None:
            return join(*argvals) if label.split(".")[-1] in PASS_THROUGH else NONE
        if symbol.kind == "namespace":
            symbol = self.engine.resolve_export(symbol.module, "default") or symbol
        if symbol.kind == "fn":
            return self.apply_unit(node, symbol.key, label, argvals, args)
        if symbol.kind == "package":
            return self.third_party(node, symbol.package or "", argvals)
        if symbol.kind == "unresolved":
            self.unresolved(node, symbol.name, argvals)
        return NONE

    def unresolved(self: Evaluator, node: Node, name: str, argvals: list[Vals]) -> None:
        """A reference value handed to an import the guard cannot find cannot be vouched for."""
        site = self.hop(node, f"handed to {name}, an import the guard cannot resolve")
        for vals in argvals:
            for val in vals:
                if val.is_handle() or val.kind == "uri":
                    self.effect("dynamic", val, f"handed to unresolved import {name}", site)

    def apply_unit(self: Evaluator, node: Node, unit: UnitKey, label: str, argvals: list[Vals],
                   args: Sequence[Node] = ()) -> Vals:
        summary = self.engine.summary(unit, self.unit)
        site = self.hop(node, f"passes to {label}()")
        if args:
            self.run_callbacks(summary.effects, list(args), argvals, site)
        if args and any(e.kind == "invoke" for e in summary.effects):
            self.engine.settled.add(unit)
        for eff in summary.effects:
            if not isinstance(eff.param, int) or eff.param >= len(argvals) or eff.kind == "invoke":
                continue
            for val in argvals[eff.param]:
                made = self.rebase(eff, val, site)
                if made is not None:
                    self.effects.setdefault(made.key, made)
        out: list[Val] = []
        back = self.hop(node, f"returned from {label}()")
        for ret in summary.returns:
            if isinstance(ret.root, int):
                for val in argvals[ret.root] if ret.root < len(argvals) else ():
                    kind = val.kind if ret.kind == "any" else ret.kind
                    out.append(Val(val.root, kind, ret.coll or val.coll, (val.hops + (site,) + ret.hops)[:32]))
            elif not str(ret.root).startswith("ctor:"):
                out.append(ret.extend(back))
        return join(tuple(out))

    def instance_call(self: Evaluator, node: Node, recv: Vals, prop: str, argvals: list[Vals],
                      args: list[Node]) -> Vals:
        """`repo.insert(db)` on an instance of a class in the repo: that method's summary applies."""
        out: list[Vals] = []
        for val in recv:
            if val.kind != "instance" or not val.coll:
                continue
            rel, _sep, name = val.coll.partition("#")
            module = self.engine.modules.get(rel)
            cls = module.classes.get(name) if module is not None else None
            if cls is not None and prop in cls.methods:
                out.append(self.apply_unit(node, (rel, "method", f"{name}.{prop}"), f"{name}.{prop}", argvals, args))
        return join(*out)

    def construct(self: Evaluator, node: Node, symbol: Symbol, argvals: list[Vals]) -> None:
        """`new Store(refDb)`: a class whose methods write through what its constructor stored in a
        field writes through the reference handle; reported at the `new`."""
        module = self.engine.modules.get(symbol.module)
        cls = module.classes.get(symbol.name) if module is not None else None
        if cls is None:
            return
        site = self.hop(node, f"constructs {symbol.name}")
        for method in sorted(cls.methods):
            summary = self.engine.summary((symbol.module, "method", f"{symbol.name}.{method}"), self.unit)
            for eff in summary.effects:
                if not str(eff.param).startswith("ctor:"):
                    continue
                index = int(str(eff.param)[5:])
                for val in argvals[index] if index < len(argvals) else ():
                    made = self.rebase(eff, val, site)
                    if made is not None and eff.kind != "invoke":
                        self.effects.setdefault(made.key, made)

    def third_party(self: Evaluator, node: Node, package: str, argvals: list[Vals]) -> Vals:
        if package in self.engine.config.read_only_packages or package == "mongodb":
            return NONE
        site = self.hop(node, f"handed to third-party package {package}")
        for vals in argvals:
            for val in vals:
                if val.is_handle() or val.kind == "uri":
                    self.effect("thirdparty", val, package, site)
        return NONE

    def client_from(self: Evaluator, node: Node, argvals: list[Vals]) -> Vals:
        first = argvals[0] if argvals else NONE
        site = self.hop(node, "MongoClient for the reference URI")
        return tuple(v.extend(site, kind="client") for v in first if v.kind == "uri" or isinstance(v.root, int))

    def new(self: Evaluator, node: Node) -> Vals:
        ctor = node.child_by_field_name("constructor")
        argvals = self.eval_args(self.arguments(node), NONE)
        if ctor is not None and ctor.type == "member_expression":
            if text_of(ctor.child_by_field_name("property")) in CLIENT_FACTORIES:
                return self.client_from(node, argvals)  # `new mongodb.MongoClient(uri)`
            self.unknown_callee(node, f"new {text_of(ctor)}", argvals)
            return NONE
        if ctor is None or ctor.type != "identifier":
            self.unknown_callee(node, "new (an expression)", argvals)
            return NONE
        name = text_of(ctor)
        symbol = self.engine.resolve_local(self.module.rel, name) if self.declared(name) is None else None
        if name in CLIENT_FACTORIES and (symbol is None or symbol.kind == "package"):
            return self.client_from(node, argvals)
        if symbol is not None and symbol.package == "mongodb":
            site = self.hop(node, f"new {name}")
            return tuple(v.extend(site, kind="any") for vals in argvals for v in vals if v.is_handle())
        if symbol is not None and symbol.kind == "package":
            return self.third_party(node, symbol.package or "", argvals)
        if symbol is not None and symbol.kind == "unresolved":
            self.unresolved(node, name, argvals)
        if symbol is not None and symbol.kind == "class":
            self.construct(node, symbol, argvals)
            where = self.hop(node, f"new {symbol.name}")
            return (Val("inst", "instance", f"{symbol.module}#{symbol.name}", (where,)),)
        if symbol is None and name in CONTAINER_CLASSES:
            return contained(join(*argvals))  # `new Map([["f", coll]])` holds the handle
        if symbol is None and name not in BUILTINS:
            self.unknown_callee(node, f"new {name}", argvals)
        return NONE

    def method_call(self: Evaluator, node: Node, recv: Vals, prop: str, args: list[Node]) -> Vals:
        handles = tuple(v for v in recv if v.is_handle())
        argvals = self.eval_args(args, handles if prop in ITERATORS else NONE)
        params = tuple(v for v in recv if isinstance(v.root, int))
        if prop in ("call", "apply") and params and argvals:
            fn = node.child_by_field_name("function")
            name = text_of(fn.child_by_field_name("object")) if fn is not None else "?"
            if prop == "call":
                self.invoke_param(node, name, params, argvals[1:])
            else:
                self.unknown_callee(node, name, argvals[1:])
        if prop in ("push", "unshift", "set", "add") and argvals:
            target = node.child_by_field_name("function").child_by_field_name("object")
            self.assign(target, contained(join(*argvals)))
        out: list[Val] = list(self.instance_call(node, recv, prop, argvals, args))
        if not handles:
            if not any(v.kind == "instance" for v in recv) and prop not in CONTAINER_METHODS:
                self.unknown_receiver(node, prop, argvals)
            if prop == "then" and argvals:
                return join(argvals[0], tuple(out))
            return join(*argvals, tuple(out)) if prop in PASS_THROUGH else join(tuple(out))
        site = self.hop(node, f".{prop}()")
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
            elif prop in ("connect", "get", "valueOf", "catch", "finally"):
                out.append(val)
            elif prop == "collections":
                out.append(val.extend(site, kind="any", coll="?"))
            else:
                self.property_use(node, (val,), prop, called=True)
        return join(tuple(out))

    def command(self: Evaluator, node: Node, val: Val, args: list[Node]) -> None:
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
