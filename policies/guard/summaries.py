"""Callee summaries applied at a call site: a function's effects on its parameters become effects on
the values the caller passes (a handle, or a URI the callee opens a client with), its returns become
the caller's values, and callbacks it calls with a reference value run with that value bound."""
from __future__ import annotations

from typing import Sequence

from tree_sitter import Node

from attest.policies.guard.callbacks import Callbacks
from attest.policies.guard.environment import Environment
from attest.policies.guard.interp import Interp, Symbol, UnitKey, Vals
from attest.policies.guard.members import member_effect
from attest.policies.guard.model import Effect, Hop, Val, join


def rebase(eff: Effect, val: Val, site: Hop) -> Effect | None:
    """A callee's effect on its parameter, applied to the value the caller passes."""
    kind = eff.kind
    if kind == "member":
        called = eff.detail.startswith("()")
        prop = eff.detail[2:] if called else eff.detail
        kind = member_effect(prop, val, called) or ""
        detail = eff.detail if kind == "member" else (
            f"{prop} (taken as a value)" if kind == "write" and not called else
            prop if kind == "write" else f"unknown member .{prop}{'()' if called else ''}")
    elif val.is_handle() or val.kind == "uri":
        detail = eff.detail
    else:
        return None
    if not kind:
        return None
    return Effect(kind, val.root, detail, eff.coll or val.coll, (val.hops + (site,) + eff.hops)[:32], site,
                  eff.origin)


class Summaries:
    def __init__(self, ev: Interp, callbacks: Callbacks, env: Environment) -> None:
        self.ev = ev
        self.callbacks = callbacks
        self.env = env

    def apply_unit(self, node: Node, unit: UnitKey, label: str, argvals: list[Vals],
                   args: Sequence[Node] = ()) -> Vals:
        ev = self.ev
        summary = ev.engine.summary(unit, ev.unit)
        site = ev.hop(node, f"passes to {label}()")
        if args:
            self.callbacks.run_callbacks(summary.effects, list(args), argvals, site)
        if args and any(e.kind == "invoke" for e in summary.effects):
            ev.engine.settled.add(unit)
        for eff in summary.effects:
            if not isinstance(eff.param, int) or eff.param >= len(argvals) or eff.kind == "invoke":
                continue
            for val in argvals[eff.param]:
                made = rebase(eff, val, site)
                if made is not None:
                    ev.record(made)
        out: list[Val] = []
        back = ev.hop(node, f"returned from {label}()")
        for ret in summary.returns:
            if isinstance(ret.root, int) and ret.kind == "envname":
                arg = args[ret.root] if ret.root < len(args) else None
                passed = argvals[ret.root] if ret.root < len(argvals) else ()
                out += self.env.named(ev.literal(arg) if arg is not None else None, arg or node, passed)
            elif isinstance(ret.root, int):
                for val in argvals[ret.root] if ret.root < len(argvals) else ():
                    kind = val.kind if ret.kind == "any" else ret.kind
                    out.append(Val(val.root, kind, ret.coll or val.coll, (val.hops + (site,) + ret.hops)[:32],
                                   ret.field, ret.bound))
            elif not str(ret.root).startswith("ctor:"):
                out.append(ret.extend(back))
        return join(tuple(out))

    def instance_call(self, node: Node, recv: Vals, prop: str, argvals: list[Vals], args: list[Node]) -> Vals:
        """`repo.insert(db)` on an instance of a class in the repo: that method's summary applies."""
        out: list[Vals] = []
        for val in recv:
            if val.kind != "instance" or not val.coll:
                continue
            rel, _sep, name = val.coll.partition("#")
            module = self.ev.engine.modules.get(rel)
            cls = module.classes.get(name) if module is not None else None
            if cls is not None and prop in cls.methods:
                out.append(self.apply_unit(node, (rel, "method", f"{name}.{prop}"), f"{name}.{prop}", argvals, args))
        return join(*out)

    def construct(self, node: Node, symbol: Symbol, argvals: list[Vals]) -> None:
        """`new Store(refDb)`: a class whose methods write through what its constructor stored in a
        field writes through the reference handle; reported at the `new`."""
        ev = self.ev
        module = ev.engine.modules.get(symbol.module)
        cls = module.classes.get(symbol.name) if module is not None else None
        if cls is None:
            return
        site = ev.hop(node, f"constructs {symbol.name}")
        for method in sorted(cls.methods):
            summary = ev.engine.summary((symbol.module, "method", f"{symbol.name}.{method}"), ev.unit)
            for eff in summary.effects:
                if not str(eff.param).startswith("ctor:"):
                    continue
                index = int(str(eff.param)[5:])
                for val in argvals[index] if index < len(argvals) else ():
                    made = rebase(eff, val, site)
                    if made is not None and eff.kind != "invoke":
                        ev.record(made)
