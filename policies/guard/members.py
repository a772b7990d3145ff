"""Members of values: `obj.prop` and `obj[index]`. On a driver object a write method taken as a
value is a write (`coll.insertOne.bind(coll)`, `const { insertOne } = coll`, `coll["insertOne"]`)
and any member not known to read is a use the guard cannot resolve (deny by default); on an object
literal only the values under that property carry over; on `process.env` the reference variable is
the reference URI."""
from __future__ import annotations

from tree_sitter import Node

from attest.policies.guard.environment import Environment
from attest.policies.guard.interp import NONE, Interp, Vals
from attest.policies.guard.model import PLAIN_PROPERTIES, Val, join
from attest.policies.guard.mongo import DRIVER_KINDS, READ_METHODS, READ_PROPERTIES, is_write_method
from attest.policies.guard.sources import global_property, string_value, text_of


def member_effect(prop: str, val: Val, called: bool) -> str | None:
    """What touching `.prop` of `val` is: a write, an unresolvable use, a deferred check on a
    parameter (`member`, settled where the caller's value is known), or nothing."""
    if val.kind in DRIVER_KINDS and val.is_handle():
        if is_write_method(prop):
            return "write"
        known = READ_METHODS if called else READ_METHODS | READ_PROPERTIES
        return None if prop in known else "dynamic"
    if isinstance(val.root, int) and val.kind == "any":
        return "member"
    return None


class Members:
    def __init__(self, ev: Interp, env: Environment) -> None:
        self.ev = ev
        self.env = env

    def property_use(self, node: Node, vals: Vals, prop: str, called: bool = False) -> None:
        ev = self.ev
        for val in vals:
            kind = member_effect(prop, val, called)
            if kind == "write":
                ev.effect("write", val, f"{prop} (taken as a value)", ev.hop(node, f".{prop} taken as a value writes"))
            elif kind == "dynamic":
                what = f".{prop}()" if called else f".{prop}"
                ev.effect("dynamic", val, f"unknown member {what}", ev.hop(node, f"unknown member {what}"))
            elif kind == "member":
                ev.effect("member", val, f"{'()' if called else ''}{prop}", ev.hop(node, f".{prop}"))

    def select(self, vals: Vals, prop: str | None, node: Node) -> Vals:
        """The values `.prop` of `vals` can be: a driver object's member is a method value; an object
        literal's property only what was put under it (any, for an unknown `prop`); on the
        environment, the reference URI."""
        out: list[Val] = []
        for val in vals:
            if val.kind == "env":
                out += self.env.variable(prop, node)
            elif val.kind == "namespace":
                out += self.exported(val, prop, node)
            elif val.kind in DRIVER_KINDS:
                out.append(Val(val.root, "method", val.coll, val.hops, None, f"{val.kind}.{prop}"))
            elif val.kind in PLAIN_PROPERTIES or val.kind == "method":
                continue
            elif val.field is None or prop is None:
                out.append(val)
            elif val.field == prop:
                out.append(Val(val.root, val.kind, val.coll, val.hops, None, val.bound))
        return join(tuple(out))

    def exported(self, val: Val, prop: str | None, node: Node) -> Vals:
        """`name` of a module loaded at run time: a variable's values, or the function to call."""
        ev = self.ev
        symbol = ev.engine.resolve_export(val.coll or "", prop) if prop is not None else None
        if symbol is not None and symbol.kind == "var":
            return tuple(v.extend(ev.hop(node, f"uses {prop} from {symbol.module}"))
                         for v in ev.engine.read_cell(symbol.key, ev.unit))
        if symbol is not None and symbol.kind == "fn":
            return (Val("ns", "export", f"{symbol.module}#{symbol.name}", val.hops),)
        return NONE

    def member(self, node: Node) -> Vals:
        ev = self.ev
        obj = node.child_by_field_name("object")
        prop = text_of(node.child_by_field_name("property"))
        if obj is None:
            return NONE
        if obj.type == "this":
            return self.field(prop, node)
        shared = global_property(node, lambda name: ev.declared(name) is not None)
        if shared is not None:
            return ev.engine.read_cell(("global", shared), ev.unit)
        if obj.type == "identifier" and ev.declared(text_of(obj)) is None:
            static = self.static_member(node, text_of(obj), prop)
            if static is not None:
                return static
        vals = ev.eval(obj)
        self.property_use(node, vals, prop)
        return self.select(vals, prop, node)

    def static_member(self, node: Node, name: str, prop: str) -> Vals | None:
        """`ns.value` of a namespace import, and `Store.ref`, a static getter of a repo class."""
        ev = self.ev
        symbol = ev.engine.resolve_local(ev.module.rel, name)
        if symbol is None:
            return None
        if symbol.kind == "namespace":
            target = ev.engine.resolve_export(symbol.module, prop)
            if target is not None and target.kind == "var":
                return tuple(v.extend(ev.hop(node, f"uses {prop} from {target.module}"))
                             for v in ev.engine.read_cell(target.key, ev.unit))
            return NONE
        if symbol.kind == "class":
            module = ev.engine.modules.get(symbol.module)
            cls = module.classes.get(symbol.name) if module is not None else None
            getter = cls.methods.get(prop) if cls is not None else None
            if getter is not None and any(c.type == "get" for c in getter.children):
                unit = (symbol.module, "method", f"{symbol.name}.{prop}")
                return ev.apply_unit(node, unit, f"get {symbol.name}.{prop}", [])
        return None

    def field(self, name: str, node: Node) -> Vals:
        ev = self.ev
        if ev.cls is None:
            return NONE
        vals = ev.engine.read_cell(("field", ev.module.rel, ev.cls.name, name), ev.unit)
        getter = ev.cls.methods.get(name)
        if getter is not None and any(c.type == "get" for c in getter.children):
            unit = (ev.module.rel, "method", f"{ev.cls.name}.{name}")
            vals = join(vals, ev.apply_unit(node, unit, f"get {name}", []))
        return tuple(v.extend(ev.hop(node, f"this.{name}")) for v in vals)

    def subscript(self, node: Node) -> Vals:
        ev = self.ev
        obj = node.child_by_field_name("object")
        index = node.child_by_field_name("index")
        vals = ev.eval(obj)
        name = ev.literal(index)
        keys = ev.eval(index) if name is None else NONE
        out: list[Val] = []
        for val in vals:
            if val.kind == "env" and name is None:
                out += self.env.computed(keys, node)
            elif val.kind in ("db", "client") and val.is_handle():
                label = name or text_of(index)
                site = ev.hop(node, f"collection [{label}]")
                if name is not None:
                    ev.effect("access", val, "collection", site, coll=name)
                out.append(val.extend(site, kind="coll", coll=name or "?"))
            elif val.kind == "coll" and val.is_handle():
                if name is None:
                    ev.effect("dynamic", val, "computed member", ev.hop(node, f"member [{text_of(index)}]"))
                else:
                    self.property_use(node, (val,), name)
                    out += self.select((val,), name, node)
            else:
                out += self.select((val,), name, node)
        return join(tuple(out))

    def destructure(self, pattern: Node, vals: Vals) -> None:
        """`const { insertOne } = coll`: each destructured name is a member taken as a value."""
        for child in pattern.named_children:
            key = pattern_key(child)
            if key is not None:
                self.property_use(child, vals, key)


def pattern_key(child: Node) -> str | None:
    """The property an object-pattern entry reads (`{ a }`, `{ a: b }`, `{ a = 1 }`), None for `...rest`."""
    key = child.child_by_field_name("key") if child.type == "pair_pattern" else (
        child.child_by_field_name("left") if child.type == "object_assignment_pattern" else child)
    if key is None or key.type not in ("shorthand_property_identifier_pattern", "property_identifier", "string",
                                       "identifier"):
        return None
    return string_value(key) or text_of(key)
