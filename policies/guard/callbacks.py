"""Callbacks and callees the guard cannot see into: a function named as a callback (`.then(fn)`), a
parameter called with the reference handle (`cb(db)`, settled by each caller or, with no caller in
the repo, reported), and deny by default for a reference value handed to an unknown callee or to a
method of an unknown object."""
from __future__ import annotations

from tree_sitter import Node

from attest.policies.guard.interp import NONE, Interp, Vals
from attest.policies.guard.model import Effect, Hop, Val
from attest.policies.guard.modules import FUNCTION_VALUES
from attest.policies.guard.sources import text_of

# Global functions that may see a reference value without writing through it; any other name that
# is neither local nor imported is a callee the guard cannot resolve.
BUILTINS = frozenset({
    "String", "Number", "Boolean", "BigInt", "Symbol", "isNaN", "isFinite", "parseInt", "parseFloat",
    "encodeURIComponent", "decodeURIComponent", "encodeURI", "decodeURI", "setTimeout", "setInterval",
    "setImmediate", "queueMicrotask", "clearTimeout", "clearInterval", "require", "URL", "Error", "TypeError",
    "RangeError", "Date", "RegExp",
})
CONTAINER_CLASSES = frozenset({"Map", "Set", "WeakMap", "WeakSet", "Array"})
BENIGN_RECEIVERS = frozenset({"console", "JSON", "Object", "Array", "Promise", "Math", "Number", "String", "Date"})
UNWRAP_CHAIN = ("member_expression", "subscript_expression", "parenthesized_expression", "await_expression",
                "as_expression", "satisfies_expression", "non_null_expression", "type_assertion")


class Callbacks:
    def __init__(self, ev: Interp) -> None:
        self.ev = ev

    def callback(self, node: Node, bound: list[Vals]) -> Vals:
        """Run the function a name refers to with `bound` as its arguments: a local function, a
        parameter (recorded in the summary, settled by each caller), or a function of the repo. Any
        other callee receiving a reference value is a use the guard cannot resolve."""
        name = text_of(node)
        local = self.ev.declared(name)
        if local is not None and (local.type in FUNCTION_VALUES or local.type.endswith("function_declaration")):
            return self.ev.closure(local, bound, called=True)
        vals = self.ev.local_vals(name)
        if vals is not None:
            self.invoke_param(node, name, vals, bound)
            return NONE
        symbol = self.ev.engine.resolve_local(self.ev.module.rel, name)
        if symbol is not None and symbol.kind == "fn":
            return self.ev.apply_unit(node, symbol.unit, name, bound)
        self.unknown_callee(node, name, bound)
        return NONE

    def unknown_callee(self, node: Node, name: str, argvals: list[Vals]) -> None:
        site = self.ev.hop(node, f"handed to {name}, a callee the guard cannot resolve")
        for vals in argvals:
            for val in vals:
                if val.is_handle() or val.kind == "uri":
                    self.ev.effect("dynamic", val, f"handed to {name}, a callee the guard cannot resolve", site)

    def invoke_param(self, node: Node, name: str, callee: Vals, argvals: list[Vals]) -> None:
        """A parameter called with a reference value (`withReferenceDb(cb)` calling `cb(db)`): the
        summary records it, and each call site runs its callback with that value bound. A local
        callee that is not a parameter (`const run = pick(); run(db)`) cannot be resolved."""
        site = self.ev.hop(node, "calls back with the reference handle")
        params = [v.root for v in callee if isinstance(v.root, int)]
        if not params:
            self.unknown_callee(node, name, argvals)
        for param in params:
            for index, vals in enumerate(argvals):
                for val in vals:
                    if val.root == "ref" and (val.is_handle() or val.kind == "uri"):
                        made = Effect("invoke", param, f"{index}:{val.kind}", val.coll, (val.hops + (site,))[:32], site)
                        self.ev.record(made)
                    elif isinstance(val.root, int):
                        made = Effect("invoke", param, f"{index}:param{val.root}", None, (val.hops + (site,))[:32], site)
                        self.ev.record(made)

    def run_callbacks(self, summary_effects: tuple[Effect, ...], args: list[Node], argvals: list[Vals],
                      site: Hop) -> None:
        """Run each callback the callee calls with a reference value: one it opened itself, or one the
        caller passed in another argument (`run(db, cb)` calling `cb(db)`)."""
        for eff in summary_effects:
            if eff.kind != "invoke" or not isinstance(eff.param, int) or eff.param >= len(args):
                continue
            callback = args[eff.param]
            position, kind = eff.detail.split(":")
            if kind.startswith("param"):
                source = int(kind[5:])
                passed = tuple(v.extend(site) for v in (argvals[source] if source < len(argvals) else NONE)
                               if v.is_handle())
                if not passed:
                    continue
            else:
                passed = (Val("ref", kind, eff.coll, (*eff.hops, site)[:32]),)
            bound: list[Vals] = [NONE] * int(position) + [passed]
            if callback.type in FUNCTION_VALUES:
                self.ev.closure(callback, bound)
            elif callback.type == "identifier":
                self.callback(callback, bound)
            else:
                self.unknown_callee(callback, text_of(callback), bound)

    def unknown_receiver(self, node: Node, prop: str, argvals: list[Vals]) -> bool:
        """A reference value handed to a method of an object the guard knows nothing about (`this.cb`
        of a class field, `globalThis.keep`, a logger): deny by default, except the builtins that only
        read or copy what they are given (`console`, `JSON`, `Object`, `Array`, `Promise`, ...): True for
        those, whose result carries what they were given."""
        fn = node.child_by_field_name("function")
        obj = fn.child_by_field_name("object") if fn is not None else None
        if prop in ("bind", "call", "apply") and any(v.kind == "method" for v in self.ev.eval(obj)):
            return False  # `coll.findOne.call(coll, ...)`: the member itself was checked
        while obj is not None and obj.type in UNWRAP_CHAIN:
            obj = obj.child_by_field_name("object") or (obj.named_children[0] if obj.named_children else None)
        if obj is not None and text_of(obj) in BENIGN_RECEIVERS:
            return True
        name = f"{text_of(obj) if obj is not None else '?'}...{prop}"
        site = self.ev.hop(node, f"handed to .{prop}() of an object the guard cannot resolve")
        for vals in argvals:
            for val in vals:
                if val.root == "ref" and (val.is_handle() or val.kind == "uri"):
                    self.ev.effect("dynamic", val, f"handed to {name}(), a method the guard cannot resolve", site)
        return False
