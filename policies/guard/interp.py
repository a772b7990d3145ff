"""The interfaces the interpreter's parts talk through. The fixed point (`engine.Engine`) is seen by
an evaluator as a `Program`; the evaluator is seen by its parts (members, calls, callbacks, callee
summaries, the environment) as an `Interp`. No part imports another part's module through these, so
the modules form no cycle."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, Sequence

from tree_sitter import Node

from attest.policies.guard.config import GuardConfig
from attest.policies.guard.model import Effect, Hop, Summary, Val
from attest.policies.guard.modules import ClassInfo, Module

Vals = tuple[Val, ...]
NONE: Vals = ()
UnitKey = tuple[str, str, str]  # (module, "top" | "fn" | "method" | "fields", name)
CellKey = tuple[str, ...]
UNWRAP = frozenset({
    "parenthesized_expression", "await_expression", "as_expression", "satisfies_expression",
    "non_null_expression", "type_assertion", "spread_element",
})


@dataclass(frozen=True)
class Symbol:
    """What a name refers to: fn (a unit), var (a cell), class, namespace (a module), package, or
    unresolved (an import of a repo file that does not exist or does not export the name)."""

    kind: str
    module: str
    name: str
    key: tuple[str, ...] = ()
    package: str | None = None

    @property
    def unit(self) -> UnitKey:
        """The unit of a `fn` symbol."""
        return (self.key[0], self.key[1], self.key[2])


class Program(Protocol):
    """The whole-repo state an evaluator reads and feeds: names, summaries, cells, sources."""

    modules: dict[str, Module]
    config: GuardConfig
    settled: set[UnitKey]
    foreign_store: bool

    def resolve_local(self, module: str, name: str) -> Symbol | None: ...

    def resolve_export(self, rel: str, name: str, seen: frozenset[str] = frozenset()) -> Symbol | None: ...

    def definition_node(self, symbol: Symbol) -> Node | None: ...

    def dynamic_import(self, importer: str, spec: str, where: str) -> str | None: ...

    def summary(self, unit: UnitKey, reader: UnitKey) -> Summary: ...

    def read_cell(self, key: CellKey, reader: UnitKey) -> Vals: ...

    def join_cell(self, key: CellKey, vals: Vals) -> None: ...

    def found_source(self, kind: str, site: Hop) -> None: ...

    def builds_reference_client(self, rel: str, node: Node) -> bool: ...


class Interp(Protocol):
    """One function's interpreter as its parts see it."""

    engine: Program
    module: Module
    unit: UnitKey
    cls: ClassInfo | None

    def hop(self, node: Node, label: str) -> Hop: ...

    def method_hop(self, node: Node, label: str) -> Hop: ...

    def effect(self, kind: str, val: Val, detail: str, site: Hop, coll: str | None = None) -> None: ...

    def record(self, made: Effect) -> None: ...

    def eval(self, node: Node | None) -> Vals: ...

    def lookup(self, name: str, node: Node) -> Vals: ...

    def closure(self, fn: Node, args: list[Vals], called: bool = False) -> Vals: ...

    def declared(self, name: str) -> Node | None: ...

    def local_vals(self, name: str) -> Vals | None: ...

    def definition(self, name: str) -> Node | None: ...

    def literal(self, node: Node | None, depth: int = 0) -> str | None: ...

    def assign(self, left: Node | None, vals: Vals) -> None: ...

    def apply_unit(self, node: Node, unit: UnitKey, label: str, argvals: list[Vals],
                   args: Sequence[Node] = ()) -> Vals: ...
