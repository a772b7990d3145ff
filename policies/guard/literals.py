"""Values of literal expressions: an object literal holds each value under its property (a `$out` or
`$merge` key marks a writing aggregation stage), a template literal carries the URI it is built from."""
from __future__ import annotations

from tree_sitter import Node

from attest.policies.guard.interp import Interp, Vals
from attest.policies.guard.model import Val, contained, join
from attest.policies.guard.mongo import WRITE_STAGES
from attest.policies.guard.sources import string_value, text_of


class Literals:
    def __init__(self, ev: Interp) -> None:
        self.ev = ev

    def object(self, node: Node) -> Vals:
        """An object literal's values, each under its property (a computed key: under any)."""
        parts: list[Vals] = []
        for child in node.named_children:
            if child.type == "pair":
                key = child.child_by_field_name("key")
                key_text = string_value(key) if key is not None and key.type == "string" else text_of(key)
                if key_text in WRITE_STAGES:
                    parts.append((Val("stage", "stage", None, (self.ev.hop(child, f"{key_text} stage"),)),))
                computed = key is not None and key.type == "computed_property_name"
                if computed:
                    self.ev.eval(key)
                value = self.ev.eval(child.child_by_field_name("value"))
                parts.append(contained(value, None if computed else key_text))
            elif child.type == "shorthand_property_identifier":
                parts.append(contained(self.ev.lookup(text_of(child), child), text_of(child)))
            elif child.type == "method_definition":
                parts.append(contained(self.ev.closure(child, []), text_of(child.child_by_field_name("name"))))
            else:
                parts.append(contained(self.ev.eval(child)))
        return join(*parts)

    def template(self, node: Node) -> Vals:
        """A template literal carries the reference URI (or a parameter) it is built from."""
        parts = [self.ev.eval(c.named_children[0]) for c in node.named_children
                 if c.type == "template_substitution" and c.named_children]
        kept = ("uri", "envvar", "envname")
        return tuple(Val(v.root, v.kind if v.kind in kept else "any", None, v.hops) for v in join(*parts)
                     if v.kind in kept or isinstance(v.root, int))
