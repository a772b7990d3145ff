"""The environment as a value: `process.env` is an `env` value wherever it goes (a name bound to it,
an object spreading it, `Object.assign({}, process.env)`, a function returning it, an import), and
its reference variable, read any way (member, literal subscript, destructuring), is the reference
URI: a reference source."""
from __future__ import annotations

from tree_sitter import Node

from attest.policies.guard.interp import NONE, Interp, Vals
from attest.policies.guard.model import Val
from attest.policies.guard.sources import text_of

ENVIRONMENT = "process.env"


class Environment:
    def __init__(self, ev: Interp) -> None:
        self.ev = ev

    def value(self, node: Node) -> Vals:
        """`process.env` itself (unless `process` is a local name)."""
        if text_of(node) != ENVIRONMENT or self.ev.declared("process") is not None:
            return NONE
        return (Val("env", "env", None, (self.ev.hop(node, ENVIRONMENT),)),)

    def computed(self, keys: Vals, node: Node) -> Vals:
        """`process.env[key]` with a key the guard cannot read: a parameter (`requireEnv(name)`,
        settled where a caller passes a literal name), else a variable it cannot name."""
        site = self.ev.hop(node, f"{text_of(node)} reads a variable named at run time")
        params = tuple(Val(k.root, "envname", None, (site,)) for k in keys if isinstance(k.root, int))
        return params or (Val("ref", "envvar", None, (site,)),)

    def named(self, name: str | None, node: Node, passed: Vals) -> Vals:
        """A callee's `process.env[param]` at a call site: the name the caller passes (`requireEnv(
        "MONGODB_REFERENCE_URI")` is the URI), else what the caller's own parameters name."""
        if name is not None:
            return self.variable(name, node)
        return self.computed(passed, node)

    def variable(self, name: str | None, node: Node) -> Vals:
        """The reference URI when `name` is the reference variable; other variables are plain data."""
        ev = self.ev
        if name != ev.engine.config.reference_uri_env:
            return NONE
        site = ev.hop(node, f"process.env.{name}")
        ev.engine.found_source("uri", site)
        return (Val("ref", "uri", None, (site,)),)
