"""Members of reference values taken without a plain call: a write method used as a value
(`coll.insertOne.bind(coll)`, `const { insertOne } = coll`, `coll["insertOne"]`), unknown methods
and properties of driver objects (deny by default), and names destructured from `process.env`.
Mixed into `Evaluator`."""
from __future__ import annotations

from typing import TYPE_CHECKING

from tree_sitter import Node

from attest.policies.guard.model import Effect, Hop, Val
from attest.policies.guard.mongo import DRIVER_KINDS, READ_METHODS, READ_PROPERTIES, is_write_method
from attest.policies.guard.calls import UNWRAP
from attest.policies.guard.sources import string_value, text_of

if TYPE_CHECKING:
    from attest.policies.guard.evaluate import Evaluator

Vals = tuple[Val, ...]
NONE: Vals = ()


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
    """Member handling; every method runs on an `Evaluator`."""

    def property_use(self: Evaluator, node: Node, vals: Vals, prop: str, called: bool = False) -> None:
        for val in vals:
            kind = member_effect(prop, val, called)
            if kind == "write":
                self.effect("write", val, f"{prop} (taken as a value)", self.hop(node, f".{prop} taken as a value writes"))
            elif kind == "dynamic":
                what = f".{prop}()" if called else f".{prop}"
                self.effect("dynamic", val, f"unknown member {what}", self.hop(node, f"unknown member {what}"))
            elif kind == "member":
                self.effect("member", val, f"{'()' if called else ''}{prop}", self.hop(node, f".{prop}"))

    def rebase(self: Evaluator, eff: Effect, val: Val, site: Hop) -> Effect | None:
        """A callee's effect on its parameter, applied to the value the caller passes."""
        kind = eff.kind
        if kind == "member":
            called = eff.detail.startswith("()")
            prop = eff.detail[2:] if called else eff.detail
            kind = member_effect(prop, val, called) or ""
            detail = eff.detail if kind == "member" else (
                f"{prop} (taken as a value)" if kind == "write" and not called else
                prop if kind == "write" else f"unknown member .{prop}{'()' if called else ''}")
        elif val.is_handle() or (kind == "uri" and val.kind == "uri"):
            detail = eff.detail
        else:
            return None
        if not kind:
            return None
        return Effect(kind, val.root, detail, eff.coll or val.coll, (val.hops + (site,) + eff.hops)[:32], site)

    def destructure(self: Evaluator, pattern: Node, vals: Vals) -> None:
        """`const { insertOne } = coll`: each destructured name is a member taken as a value."""
        for child in pattern.named_children:
            key = child.child_by_field_name("key") if child.type == "pair_pattern" else (
                child.child_by_field_name("left") if child.type == "object_assignment_pattern" else child)
            if key is not None and key.type in ("shorthand_property_identifier_pattern", "property_identifier",
                                                "string", "identifier"):
                self.property_use(child, vals, string_value(key) or text_of(key))

    def bind_env(self: Evaluator, pattern: Node) -> None:
        """`const { MONGODB_REFERENCE_URI: uri, OTHER } = process.env`: each name gets its variable."""
        for child in pattern.named_children:
            if child.type == "shorthand_property_identifier_pattern":
                self.bind(child, self.env_var(text_of(child), child), None)
            elif child.type == "pair_pattern":
                key = child.child_by_field_name("key")
                name = (string_value(key) or text_of(key)) if key is not None else None
                self.bind(child.child_by_field_name("value"), self.env_var(name, child), None)
            elif child.type == "object_assignment_pattern":
                left, right = child.child_by_field_name("left"), child.child_by_field_name("right")
                if left is not None:
                    self.bind(left, self.env_var(text_of(left), child) + self.eval(right), None)

    def is_process_env(self: Evaluator, node: Node | None, depth: int = 0) -> bool:
        """`process.env`, a name bound to it (`const env = process.env`), here or at module level, or
        an object spreading it (`{ ...process.env, PORT: "3000" }`: its other keys may shadow a
        variable, which then counts as the environment's: a false alarm, never a miss)."""
        while node is not None and node.type in UNWRAP and node.named_children:
            node = node.named_children[0]
        if node is None or depth > 4:
            return False
        if node.type == "identifier":
            return self.is_process_env(self.definition(text_of(node)), depth + 1)
        if node.type == "object":
            return any(child.type == "spread_element" and child.named_children
                       and self.is_process_env(child.named_children[0], depth + 1) for child in node.named_children)
        return text_of(node) == "process.env"

    def env_var(self: Evaluator, name: str | None, node: Node) -> Vals:
        if name == self.engine.config.reference_uri_env:
            return (Val("ref", "uri", None, (self.hop(node, f"process.env.{name}"),)),)
        return NONE
