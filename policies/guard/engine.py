"""The fixed point across modules: every function is summarised once, and re-summarised only when
something it read (a callee's summary, a module variable, a class field) changed."""
from __future__ import annotations

import sys
from collections import defaultdict, deque
from typing import Callable

from tree_sitter import Node

from attest.core.errors import EvaluationError
from attest.policies.guard.config import GuardConfig
from attest.policies.guard.evaluate import Evaluator
from attest.policies.guard.interp import CellKey, Symbol, UnitKey
from attest.policies.guard.model import Effect, Hop, Summary, Val, join
from attest.policies.guard.modules import MISSING, Module
from attest.policies.guard.reference import Span, definition_sites, reference_builds

SOURCE_KINDS = (("definition", "helper_definitions"), ("call", "helper_calls"), ("uri", "uri_reads"),
                ("client", "helper_clients"))
MAX_RUNS_PER_UNIT = 64  # summaries only grow over finite keys; this bounds a pathological case
RECURSION_LIMIT = 12000


def import_targets(module: Module, modules: dict[str, Module]) -> list[str]:
    """The repo modules `module` imports or re-exports from."""
    targets = {i.module for i in module.imports.values() if i.module}
    targets |= {t for _k, t, _n in module.exports.values() if t}
    targets |= set(module.star_exports)
    return sorted(t for t in targets if t in modules)


class Engine:
    def __init__(self, modules: dict[str, Module], config: GuardConfig,
                 resolve: Callable[[str, str], tuple[str | None, str | None]] | None = None) -> None:
        self.modules = modules
        self._resolve = resolve
        self.config = config
        self.summaries: dict[UnitKey, Summary] = {}
        self.cells: dict[CellKey, tuple[Val, ...]] = {}
        self.readers: dict[tuple[object, ...], set[UnitKey]] = defaultdict(set)
        self.results: dict[UnitKey, tuple[Effect, ...]] = {}
        self.queue: deque[UnitKey] = deque()
        self.queued: set[UnitKey] = set()
        self._exports: dict[tuple[str, str], Symbol | None] = {}
        self._locals: dict[tuple[str, str], Symbol | None] = {}
        self.foreign_store = False  # a module assigned into another module's variable
        self.settled: set[UnitKey] = set()  # units whose callback parameters some call site supplies
        self.sources: set[tuple[str, Hop]] = {
            ("definition", hop) for rel in sorted(modules) for hop in definition_sites(modules[rel], config.reference_helpers)}
        self._builds: dict[str, frozenset[Span]] = {}

    # -- reference sources ----------------------------------------------------------------------
    def found_source(self, kind: str, site: Hop) -> None:
        """A reference source: a helper call, a read of the reference variable, a client built for the helper."""
        self.sources.add((kind, site))

    def source_counts(self) -> dict[str, int]:
        kinds = [kind for kind, _hop in self.sources]
        return {name: kinds.count(kind) for kind, name in SOURCE_KINDS}

    def builds_reference_client(self, rel: str, node: Node) -> bool:
        if rel not in self._builds:
            self._builds[rel] = reference_builds(self.modules[rel], self.config.reference_helpers)
        return (node.start_byte, node.end_byte) in self._builds[rel]

    # -- name resolution ----------------------------------------------------------------------
    def resolve_local(self, module: str, name: str) -> Symbol | None:
        key = (module, name)
        if key not in self._locals:
            self._locals[key] = self._resolve_local(module, name)
        return self._locals[key]

    def _resolve_local(self, rel: str, name: str) -> Symbol | None:
        module = self.modules.get(rel)
        if module is None:
            return None
        if name in module.functions:
            return Symbol("fn", rel, name, (rel, "fn", name))
        if name in module.classes:
            return Symbol("class", rel, name)
        if name in module.variables:
            return Symbol("var", rel, name, ("var", rel, name))
        imp = module.imports.get(name)
        if imp is None:
            return None
        if imp.package is not None and imp.package.startswith(MISSING):
            return Symbol("unresolved", rel, name)
        if imp.package is not None:
            return Symbol("package", rel, imp.name, package=imp.package)
        if imp.module is not None:
            found = self.resolve_export(imp.module, imp.name)
            if found is not None:
                return found
        return Symbol("unresolved", rel, name)

    def resolve_export(self, rel: str, name: str, seen: frozenset[str] = frozenset()) -> Symbol | None:
        key = (rel, name)
        if key in self._exports:
            return self._exports[key]
        if rel in seen or rel not in self.modules:
            return None
        found = self._resolve_export(rel, name, seen | {rel})
        self._exports[key] = found
        return found

    def _resolve_export(self, rel: str, name: str, seen: frozenset[str]) -> Symbol | None:
        if name == "*":
            return Symbol("namespace", rel, "*")
        module = self.modules[rel]
        entry = module.exports.get(name)
        if entry is not None:
            kind, target, local = entry
            if kind == "module":
                return self.resolve_export(target, local, seen) if target else None
            return self.resolve_local(rel, local)
        for star in module.star_exports:
            found = self.resolve_export(star, name, seen)
            if found is not None:
                return found
        return None

    def dynamic_import(self, importer: str, spec: str, where: str) -> str | None:
        """The repo module an `import("spec")` or a `require("spec")` inside a function loads (None
        for a package, a file that is not code, or a local-looking one naming no file: not followed)."""
        if self._resolve is None:
            return None
        target, _package = self._resolve(importer, spec)
        return target if target in self.modules else None

    def definition_node(self, symbol: Symbol) -> Node | None:
        module = self.modules.get(symbol.module)
        return module.literals.get(symbol.name) if module is not None and symbol.kind == "var" else None

    # -- cells and summaries ------------------------------------------------------------------
    def summary(self, unit: UnitKey, reader: UnitKey) -> Summary:
        self.readers[("sum", *unit)].add(reader)
        return self.summaries.get(unit, Summary())

    def read_cell(self, key: CellKey, reader: UnitKey) -> tuple[Val, ...]:
        self.readers[key].add(reader)
        return self.cells.get(key, ())

    def join_cell(self, key: CellKey, vals: tuple[Val, ...]) -> None:
        if not vals:
            return
        old = self.cells.get(key, ())
        new = join(old, vals)
        if {v.key for v in new} != {v.key for v in old}:
            self.cells[key] = new
            self._wake(key)

    def _wake(self, key: tuple[object, ...]) -> None:
        for unit in sorted(self.readers.get(key, ())):
            if unit not in self.queued:
                self.queued.add(unit)
                self.queue.append(unit)

    # -- the fixed point ----------------------------------------------------------------------
    def units(self) -> list[UnitKey]:
        """Every unit, callee modules first (imports before importers) to keep re-runs rare."""
        order: list[str] = []
        done: set[str] = set()
        for rel in sorted(self.modules):
            stack = [(rel, iter(self._deps(rel)))]
            if rel in done:
                continue
            done.add(rel)
            while stack:
                current, deps = stack[-1]
                nxt = next(deps, None)
                if nxt is None:
                    order.append(current)
                    stack.pop()
                elif nxt not in done:
                    done.add(nxt)
                    stack.append((nxt, iter(self._deps(nxt))))
        out: list[UnitKey] = []
        for rel in order:
            module = self.modules[rel]
            out.append((rel, "top", ""))
            out += [(rel, "fn", name) for name in module.functions]
            for cls in module.classes.values():
                out.append((rel, "fields", cls.name))
                out += [(rel, "method", f"{cls.name}.{m}") for m in cls.methods]
        return out

    def _deps(self, rel: str) -> list[str]:
        return import_targets(self.modules[rel], self.modules)

    def run(self) -> None:
        """Analyse to the fixed point. Deeply nested expressions recurse deeply: allow some depth, and
        past it fail closed naming the unit."""
        limit = sys.getrecursionlimit()
        sys.setrecursionlimit(max(limit, RECURSION_LIMIT))
        try:
            self._run()
        finally:
            sys.setrecursionlimit(limit)

    def _run(self) -> None:
        for unit in self.units():
            self.queued.add(unit)
            self.queue.append(unit)
        runs: dict[UnitKey, int] = defaultdict(int)
        while self.queue:
            unit = self.queue.popleft()
            self.queued.discard(unit)
            runs[unit] += 1
            if runs[unit] > MAX_RUNS_PER_UNIT:
                raise EvaluationError("analysis did not converge", where=f"{unit[0]} ({unit[2] or 'top level'})")
            try:
                self._analyse(unit)
            except RecursionError:
                raise EvaluationError("code nested too deeply to analyse", where=f"{unit[0]} ({unit[2] or 'top level'})") from None

    def _analyse(self, unit: UnitKey) -> None:
        rel, kind, name = unit
        module = self.modules[rel]
        label = name or rel
        if kind in ("method", "fields"):
            cls = module.classes[name.split(".")[0]]
            evaluator = Evaluator(self, module, unit, label, cls)
            if kind == "fields":
                evaluator.run_fields(cls)
            else:
                evaluator.run_function(cls.methods[name.split(".", 1)[1]])
        else:
            evaluator = Evaluator(self, module, unit, label)
            if kind == "top":
                evaluator.run_top()
            else:
                evaluator.run_function(module.functions[name])
        effects = tuple(evaluator.effects.values())
        self.results[unit] = tuple(e for e in effects if e.param == "ref")
        summary = Summary(
            tuple(e for e in effects if isinstance(e.param, int) or str(e.param).startswith("ctor:")),
            join(tuple(v for v in evaluator.returns
                       if v.root != "ref" or v.is_handle() or v.kind in ("uri", "envvar"))),
        )
        if summary.signature() != self.summaries.get(unit, Summary()).signature():
            self.summaries[unit] = summary
            self._wake(("sum", *unit))

    def findings(self) -> list[Effect]:
        """Every effect on a reference-derived value, deduplicated, in a stable order; a function that
        calls a parameter with the reference handle and that no call in the repo supplies a callback
        to hands the handle to code the guard never sees."""
        seen: dict[tuple[object, ...], Effect] = {}
        for unit in sorted(self.results):
            for effect in self.results[unit]:
                seen.setdefault(effect.key, effect)
        for unit in sorted(set(self.summaries) - self.settled):
            for eff in self.summaries[unit].effects:
                if eff.kind == "invoke" and ":param" not in eff.detail:
                    made = Effect("dynamic", "ref", "handed to a callback parameter that no call in the repo supplies",
                                  eff.coll, eff.hops, eff.site)
                    seen.setdefault(made.key, made)
        return sorted(seen.values(), key=lambda e: (e.site.file, e.site.line, e.kind, e.detail, e.coll or ""))
