"""The guard's candidate chains, one per thing the analysis, the registry or Terraform found: each a
`Violation` from its first hop to the reference store, for the graph to confirm as a path."""
from __future__ import annotations

from dataclasses import replace

from attest.policies.guard import graph as guard_graph
from attest.policies.guard import terraform
from attest.policies.guard.classification import Entry
from attest.policies.guard.config import GuardConfig
from attest.policies.guard.model import Effect, Hop
from attest.policies.guard.modules import MISSING, Module
from attest.policies.guard.results import Violation

REF = guard_graph.REFERENCE


def _sink(coll: str | None) -> str:
    return f"{REF}/{coll}" if coll and coll != "?" else REF


def _chain(effect: Effect, rule: str, message: str, last_edge: str) -> Violation:
    edges = ("flows_to",) * len(effect.hops) + (last_edge,)
    return Violation(rule, message, effect.site, effect.hops, edges, _sink(effect.coll), location=effect.origin)


def code_candidates(effects: list[Effect], registry: dict[str, Entry]) -> list[Violation]:
    out: list[Violation] = []
    for effect in effects:
        target = f"collection {effect.coll!r}" if effect.coll and effect.coll != "?" else "the reference database"
        if effect.kind == "write":
            out.append(_chain(effect, "reference-write",
                              f"{effect.detail} writes to {target} on the reference cluster", "writes"))
        elif effect.kind == "thirdparty":
            out.append(_chain(effect, "third-party-handle", f"a reference handle is handed to {effect.detail}, "
                              "which is not on the read-only package list", "can_write"))
        elif effect.kind == "dynamic":
            out.append(_chain(effect, "dynamic-use", f"{effect.detail} on a reference handle", "can_write"))
        elif effect.kind == "access" and effect.coll:
            entry = registry.get(effect.coll)
            if entry is not None and entry.data_class == "phi":
                file, _sep, line = entry.where.rpartition(":")
                marked = replace(effect, hops=(*effect.hops, Hop(file, int(line), f"{effect.coll} classified phi")),
                                 at=effect.origin)
                out.append(_chain(marked, "phi-on-reference", f"collection {effect.coll!r} is classified phi "
                                  f"({entry.where}) but is used through the reference handle", "reads"))
            elif entry is None and registry:
                out.append(_chain(effect, "unclassified-collection", f"collection {effect.coll!r} is used through "
                                  "the reference handle but has no entry in the classification registry", "reads"))
    return out


def missing_helpers(modules: dict[str, Module], config: GuardConfig) -> list[Violation]:
    """A reference helper imported from a module that is not in the repo (generated, not checked in):
    a reference value flows out of code the guard cannot read, so it cannot vouch for what it does."""
    out: list[Violation] = []
    for rel in sorted(modules):
        module = modules[rel]
        for local, imp in sorted(module.imports.items()):
            spec = (imp.package or "").removeprefix(MISSING)
            if spec == (imp.package or "") or not {local, imp.name} & set(config.reference_helpers):
                continue
            hop = Hop(rel, module.missing.get(spec, 1), f"imports {imp.name} from {spec}, which names no file")
            out.append(Violation("dynamic-use", f"the reference helper {imp.name} is imported from {spec!r}, which "
                                 "names no file in the repo (generated code?): the guard cannot read it", hop,
                                 (hop,), ("flows_to", "can_write"), REF))
    return out


def registry_candidates(registry: dict[str, Entry]) -> list[Violation]:
    out: list[Violation] = []
    for entry in registry.values():
        if entry.data_class == "phi" and entry.cluster == "reference":
            file, _sep, line = entry.where.rpartition(":")
            hop = Hop(file, int(line), f"{entry.collection} classified phi on the reference cluster")
            out.append(Violation("phi-on-reference", f"collection {entry.collection!r} is classified phi and placed "
                                 "on the reference cluster", hop, (hop,), ("classifies", "stored_on"),
                                 _sink(entry.collection)))
    return out


def terraform_candidates(hits: list[terraform.TfHit]) -> list[Violation]:
    return [Violation(h.rule, h.message, h.path[-1], h.path, h.edges, REF, resource=h.address) for h in hits]
