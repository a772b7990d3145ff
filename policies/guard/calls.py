"""Calls in the interpreter: the reference helper, local closures, summarised functions across
modules, driver methods (collection, writes, aggregate with $out/$merge, command), third-party
packages and `new MongoClient(...)`. Mixed into `Evaluator`."""
from __future__ import annotations

from typing import Iterable

from tree_sitter import Node

from attest.policies.guard.callbacks import BUILTINS, CONTAINER_CLASSES, Callbacks
from attest.policies.guard.interp import NONE, UNWRAP, Interp, Symbol, Vals
from attest.policies.guard.members import Members
from attest.policies.guard.model import Val, contained, join
from attest.policies.guard.modules import FUNCTION_VALUES
from attest.policies.guard.mongo import CLIENT_FACTORIES, PASS_THROUGH, WRITE_COMMANDS, is_write_method
from attest.policies.guard.sources import string_value, text_of
from attest.policies.guard.summaries import Summaries

ITERATORS = frozenset({"forEach", "map", "flatMap", "filter", "find", "some", "every", "reduce", "then"})
# Methods of arrays, maps, sets and promises that hold or pass values on (tracked as containers).
CONTAINER_METHODS = frozenset({
    "push", "unshift", "set", "add", "get", "then", "catch", "finally", "concat", "includes", "indexOf",
    "has", "delete", "splice", "slice", "fill",
}) | PASS_THROUGH


class Calls:
    def __init__(self, ev: Interp, callbacks: Callbacks, summaries: Summaries, members: Members) -> None:
        self.ev = ev
        self.callbacks = callbacks
        self.summaries = summaries
        self.members = members

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
        if fn.type == "import" or (fn.type == "identifier" and text_of(fn) == "require"
                                   and self.ev.declared("require") is None):
            return self.load(node, args)
        if fn.type == "identifier":
            return self.call_name(node, text_of(fn), args)
        if fn.type == "member_expression":
            obj = fn.child_by_field_name("object")
            prop = text_of(fn.child_by_field_name("property"))
            routed = self.call_routed(node, obj, prop, args)
            if routed is not None:
                return routed
            return self.method_call(node, self.ev.eval(obj), prop, args)
        if fn.type == "subscript_expression":
            recv = self.ev.eval(fn.child_by_field_name("object"))
            index = fn.child_by_field_name("index")
            name = self.ev.literal(index)
            if name is not None:
                return self.method_call(node, recv, name, args)
            site = self.ev.hop(node, f"computed method [{text_of(index)}]")
            for val in recv:
                if val.is_handle():
                    self.ev.effect("dynamic", val, "computed method name", site)
            self.eval_args(args, NONE)
            return NONE
        self.ev.eval(fn)
        self.eval_args(args, NONE)
        return NONE

    def eval_args(self, args: Iterable[Node], bind: Vals) -> list[Vals]:
        """Evaluate arguments; callbacks (inline or named) get the receiver's values as their first
        parameter."""
        out: list[Vals] = []
        for arg in args:
            if arg.type in FUNCTION_VALUES:
                out.append(self.ev.closure(arg, [bind]))
            elif bind and arg.type == "identifier" and any(v.is_handle() for v in bind):
                out.append(join(self.ev.eval(arg), self.callbacks.callback(arg, [bind])))
            else:
                out.append(self.ev.eval(arg))
        return out

    def call_name(self, node: Node, name: str, args: list[Node]) -> Vals:
        argvals = self.eval_args(args, NONE)
        if name in self.ev.engine.config.reference_helpers:
            site = self.ev.hop(node, f"{name}() opens the reference database")
            self.ev.engine.found_source("call", site)
            return (Val("ref", "db", None, (site,)),)
        local = self.ev.declared(name)
        if local is not None:
            if local.type in FUNCTION_VALUES or local.type.endswith("function_declaration"):
                return self.ev.closure(local, argvals, called=True)
            if local.type == "identifier" and self.ev.declared(text_of(local)) is None:
                alias = self.ev.engine.resolve_local(self.ev.module.rel, text_of(local))
                return self.apply(node, alias, text_of(local), argvals, args)
        callee = self.ev.local_vals(name)
        if callee is not None:
            methods = tuple(v for v in callee if v.bound is not None)
            if methods:
                return self.bound_call(node, methods, args, argvals)
            exports = tuple(v for v in callee if v.kind == "export")
            if exports:
                return self.call_exports(node, exports, args, argvals)
            self.callbacks.invoke_param(node, name, callee, argvals)
            return NONE
        symbol = self.ev.engine.resolve_local(self.ev.module.rel, name)
        if symbol is None and name not in BUILTINS:
            self.callbacks.unknown_callee(node, name, argvals)
        return self.apply(node, symbol, name, argvals, args)

    def call_routed(self, node: Node, obj: Node | None, prop: str, args: list[Node]) -> Vals | None:
        """Calls whose target is known by name: `this.method()`, `ns.fn()`, `pkg.fn()`."""
        if obj is None:
            return None
        if obj.type == "this" and self.ev.cls is not None and prop in self.ev.cls.methods:
            unit = (self.ev.module.rel, "method", f"{self.ev.cls.name}.{prop}")
            return self.summaries.apply_unit(node, unit, f"this.{prop}", self.eval_args(args, NONE), args)
        if obj.type != "identifier" or self.ev.declared(text_of(obj)) is not None:
            return None
        symbol = self.ev.engine.resolve_local(self.ev.module.rel, text_of(obj))
        if symbol is None:
            return None
        if symbol.kind == "unresolved":
            self.unresolved(node, f"{text_of(obj)}.{prop}", self.eval_args(args, NONE))
            return NONE
        if symbol.kind == "namespace":
            target = self.ev.engine.resolve_export(symbol.module, prop)
            return self.apply(node, target, f"{text_of(obj)}.{prop}", self.eval_args(args, NONE), args)
        if symbol.kind == "var" and f"{symbol.name}.{prop}" in self.ev.engine.modules[symbol.module].functions:
            unit = (symbol.module, "fn", f"{symbol.name}.{prop}")
            return self.summaries.apply_unit(node, unit, f"{text_of(obj)}.{prop}", self.eval_args(args, NONE), args)
        if symbol.kind == "class":
            module = self.ev.engine.modules.get(symbol.module)
            cls = module.classes.get(symbol.name) if module is not None else None
            if cls is not None and prop in cls.methods:
                unit = (symbol.module, "method", f"{symbol.name}.{prop}")
                return self.summaries.apply_unit(node, unit, f"{symbol.name}.{prop}", self.eval_args(args, NONE), args)
            return None
        if symbol.kind == "package":
            argvals = self.eval_args(args, NONE)
            if symbol.name in CLIENT_FACTORIES and prop == "connect":
                return self.client_from(node, argvals)
            return self.third_party(node, symbol.package or "", argvals)
        return None

    def apply(self, node: Node, symbol: Symbol | None, label: str, argvals: list[Vals],
              args: list[Node]) -> Vals:
        if symbol is None:
            return join(*argvals) if label.split(".")[-1] in PASS_THROUGH else NONE
        if symbol.kind == "namespace":
            symbol = self.ev.engine.resolve_export(symbol.module, "default") or symbol
        if symbol.kind == "fn":
            return self.summaries.apply_unit(node, symbol.unit, label, argvals, args)
        if symbol.kind == "package":
            return self.third_party(node, symbol.package or "", argvals)
        if symbol.kind == "unresolved":
            self.unresolved(node, symbol.name, argvals)
        return NONE

    def unresolved(self, node: Node, name: str, argvals: list[Vals]) -> None:
        """A reference value handed to an import the guard cannot find cannot be vouched for."""
        site = self.ev.hop(node, f"handed to {name}, an import the guard cannot resolve")
        for vals in argvals:
            for val in vals:
                if val.is_handle() or val.kind == "uri":
                    self.ev.effect("dynamic", val, f"handed to unresolved import {name}", site)

    def third_party(self, node: Node, package: str, argvals: list[Vals]) -> Vals:
        if package in self.ev.engine.config.read_only_packages or package == "mongodb":
            return NONE
        site = self.ev.hop(node, f"handed to third-party package {package}")
        for vals in argvals:
            for val in vals:
                if val.is_handle() or val.kind == "uri":
                    self.ev.effect("thirdparty", val, package, site)
        return NONE

    def client_from(self, node: Node, argvals: list[Vals]) -> Vals:
        """A client for the reference URI (however it was carried: a config property, a template
        literal, a parameter), or any client the reference helper's module builds for the helper."""
        if self.ev.engine.builds_reference_client(self.ev.module.rel, node):
            site = self.ev.hop(node, "MongoClient built for the reference helper")
            self.ev.engine.found_source("client", site)
            return (Val("ref", "client", None, (site,)),)
        first = argvals[0] if argvals else NONE
        for v in first:
            if v.kind in ("envvar", "envname"):  # it may be the reference URI: the guard cannot vouch
                made = Val("ref", "envvar", None, v.hops)
                self.ev.effect("dynamic", made, "MongoClient built from an environment variable named at run time",
                               self.ev.hop(node, "MongoClient from an environment variable the guard cannot name"))
        site = self.ev.hop(node, "MongoClient for the reference URI")
        return tuple(Val(v.root, "client", None, (*v.hops, site)[:32]) for v in first
                     if v.is_reference() and v.kind not in ("stage", "instance", "method", "envvar", "envname"))

    def load(self, node: Node, args: list[Node]) -> Vals:
        """`await import("./ref")`, `require("./ref")` in a function: the repo module, as a value."""
        spec = string_value(args[0]) if len(args) == 1 else None
        self.eval_args(args, NONE)
        if spec is None:
            return NONE
        where = f"{self.ev.module.rel}:{node.start_point[0] + 1}"
        target = self.ev.engine.dynamic_import(self.ev.module.rel, spec, where)
        if target is None:
            return NONE
        return (Val("ns", "namespace", target, (self.ev.hop(node, f"loads {target}"),)),)

    def call_exports(self, node: Node, exports: Vals, args: list[Node], argvals: list[Vals]) -> Vals:
        """A function of a module loaded at run time, called: its summary applies."""
        out: list[Vals] = []
        for export in exports:
            rel, _sep, name = (export.coll or "").partition("#")
            out.append(self.summaries.apply_unit(node, (rel, "fn", name), name, argvals, args))
        return join(*out)

    def bound_call(self, node: Node, methods: Vals, args: list[Node], argvals: list[Vals]) -> Vals:
        """A driver method called through a value (`const collection = db.collection.bind(db)`,
        `const { collection } = db`): the same as calling it on its object."""
        out: list[Vals] = []
        for method in methods:
            kind, _sep, prop = (method.bound or "").partition(".")
            recv = Val(method.root, kind, method.coll, method.hops)
            out.append(self.driver_call(node, recv, prop, args, argvals))
        return join(*out)

    def new(self, node: Node) -> Vals:
        ctor = node.child_by_field_name("constructor")
        argvals = self.eval_args(self.arguments(node), NONE)
        if ctor is not None and ctor.type == "member_expression":
            if text_of(ctor.child_by_field_name("property")) in CLIENT_FACTORIES:
                return self.client_from(node, argvals)  # `new mongodb.MongoClient(uri)`
            self.callbacks.unknown_callee(node, f"new {text_of(ctor)}", argvals)
            return NONE
        if ctor is None or ctor.type != "identifier":
            self.callbacks.unknown_callee(node, "new (an expression)", argvals)
            return NONE
        name = text_of(ctor)
        symbol = self.ev.engine.resolve_local(self.ev.module.rel, name) if self.ev.declared(name) is None else None
        if name in CLIENT_FACTORIES and (symbol is None or symbol.kind == "package"):
            return self.client_from(node, argvals)
        if symbol is not None and symbol.package == "mongodb":
            site = self.ev.hop(node, f"new {name}")
            return tuple(v.extend(site, kind="any") for vals in argvals for v in vals if v.is_handle())
        if symbol is not None and symbol.kind == "package":
            return self.third_party(node, symbol.package or "", argvals)
        if symbol is not None and symbol.kind == "unresolved":
            self.unresolved(node, name, argvals)
        if symbol is not None and symbol.kind == "class":
            self.summaries.construct(node, symbol, argvals)
            where = self.ev.hop(node, f"new {symbol.name}")
            return (Val("inst", "instance", f"{symbol.module}#{symbol.name}", (where,)),)
        if symbol is None and name in CONTAINER_CLASSES:
            return contained(join(*argvals))  # `new Map([["f", coll]])` holds the handle
        if symbol is None and name not in BUILTINS:
            self.callbacks.unknown_callee(node, f"new {name}", argvals)
        return NONE

    def method_call(self, node: Node, recv: Vals, prop: str, args: list[Node]) -> Vals:
        loaded = tuple(v for v in recv if v.kind == "namespace")
        if loaded:
            exports = self.members.select(loaded, prop, node)
            called = tuple(v for v in exports if v.kind == "export")
            if called:
                return self.call_exports(node, called, args, self.eval_args(args, NONE))
        handles = tuple(v for v in recv if v.is_handle())
        argvals = self.eval_args(args, handles if prop in ITERATORS else NONE)
        methods = tuple(v for v in recv if v.bound is not None)
        if prop == "bind" and methods:
            return methods
        if prop in ("call", "apply") and methods:
            rest = args[1:] if prop == "call" else []
            return self.bound_call(node, methods, rest, argvals[1:] if prop == "call" else [])
        params = tuple(v for v in recv if isinstance(v.root, int))
        if prop in ("call", "apply") and params and argvals:
            fn = node.child_by_field_name("function")
            name = text_of(fn.child_by_field_name("object")) if fn is not None else "?"
            if prop == "call":
                self.callbacks.invoke_param(node, name, params, argvals[1:])
            else:
                self.callbacks.unknown_callee(node, name, argvals[1:])
        if prop in ("push", "unshift", "set", "add") and argvals:
            fn = node.child_by_field_name("function")
            self.ev.assign(fn.child_by_field_name("object") if fn is not None else None, contained(join(*argvals)))
        out: list[Val] = list(self.summaries.instance_call(node, recv, prop, argvals, args))
        if not handles:
            if not any(v.kind == "instance" for v in recv) and prop not in CONTAINER_METHODS:
                if self.callbacks.unknown_receiver(node, prop, argvals):
                    return contained(join(*argvals, tuple(out)))  # `Array.from(colls)`, `Object.values(reg)`
            if prop == "then" and argvals:
                return join(argvals[0], tuple(out))
            return join(*argvals, tuple(out)) if prop in PASS_THROUGH else join(tuple(out))
        for val in handles:
            out += self.driver_call(node, val, prop, args, argvals)
        return join(tuple(out))

    def driver_call(self, node: Node, val: Val, prop: str, args: list[Node], argvals: list[Vals]) -> Vals:
        """`val.prop(...)` on a handle: a collection, a database, a write, a command, or a read. A
        computed collection name is `?`: a write through it still writes to the reference database."""
        ev = self.ev
        site = ev.hop(node, f".{prop}()")
        if prop == "collection":
            name = ev.literal(args[0]) if args else None
            if name is not None:
                ev.effect("access", val, "collection", ev.hop(node, f"collection {name}"), coll=name)
            return (val.extend(ev.hop(node, f"collection {name or '?'}"), kind="coll", coll=name or "?"),)
        if prop in ("db", "admin"):
            return (val.extend(site, kind="db"),)
        if is_write_method(prop):
            ev.effect("write", val, prop, ev.method_hop(node, f".{prop}() writes"))
        elif prop == "aggregate":
            if any(v.root == "stage" for v in (argvals[0] if argvals else NONE)):
                ev.effect("write", val, "aggregate with $out/$merge",
                          ev.method_hop(node, ".aggregate() with $out/$merge writes"))
        elif prop in ("command", "runCommand", "runCursorCommand"):
            self.command(node, val, args)
        elif prop == "then" and argvals:
            return argvals[0]
        elif prop in ("connect", "get", "valueOf", "catch", "finally"):
            return (val,)
        elif prop == "collections":
            return (val.extend(site, kind="any", coll="?"),)
        else:
            self.members.property_use(node, (val,), prop, called=True)
        return NONE

    def command(self, node: Node, val: Val, args: list[Node]) -> None:
        doc = args[0] if args else None
        if doc is not None and doc.type == "identifier":
            doc = self.ev.definition(text_of(doc))
        while doc is not None and doc.type in UNWRAP and doc.named_children:
            doc = doc.named_children[0]
        if doc is None or doc.type != "object":
            self.ev.effect("dynamic", val, "command document not resolvable", self.ev.hop(node, ".command(?)"))
            return
        first = next((c for c in doc.named_children if c.type in ("pair", "shorthand_property_identifier")), None)
        key = first.child_by_field_name("key") if first is not None and first.type == "pair" else first
        name = (string_value(key) if key is not None and key.type == "string" else text_of(key)) if key is not None else ""
        if name in WRITE_COMMANDS:
            self.ev.effect("write", val, f"command {name}", self.ev.method_hop(node, f".command({{{name}}}) writes"))
