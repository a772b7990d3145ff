"""`attest guard` end to end: parse, analyse, classify, check Terraform, query the graph, waive, scope."""
from __future__ import annotations

from dataclasses import replace
from datetime import date, datetime, timezone
from pathlib import Path

from collector.errors import BadInputError
from policies.guard import graph as guard_graph
from policies.guard import terraform
from policies.guard.classification import Entry, load_registry
from policies.guard.config import load_config
from policies.guard.diff import Change, changes_since
from policies.guard.engine import Engine
from policies.guard.model import Effect, Hop
from policies.guard.modules import Resolver, build_module
from policies.guard.results import GuardResult, Violation
from policies.guard.rules import RULES
from policies.guard.scope import WHOLE_REPO_FILES, affected
from policies.guard.sources import discover, parse
from policies.guard.waivers import Waiver, covering, scan

REF = guard_graph.REFERENCE


def _sink(coll: str | None) -> str:
    return f"{REF}/{coll}" if coll and coll != "?" else REF


def _chain(effect: Effect, rule: str, message: str, last_edge: str) -> Violation:
    edges = ("flows_to",) * len(effect.hops) + (last_edge,)
    return Violation(rule, message, effect.site, effect.hops, edges, _sink(effect.coll))


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
                marked = replace(effect, hops=(*effect.hops, Hop(file, int(line), f"{effect.coll} classified phi")))
                out.append(_chain(marked, "phi-on-reference", f"collection {effect.coll!r} is classified phi "
                                  f"({entry.where}) but is used through the reference handle", "reads"))
            elif entry is None and registry:
                out.append(_chain(effect, "unclassified-collection", f"collection {effect.coll!r} is used through "
                                  "the reference handle but has no entry in the classification registry", "reads"))
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
    return [Violation(h.rule, h.message, h.path[-1], h.path, h.edges, REF) for h in hits]


def _waivers(repo: Path, texts: dict[str, str], tf_files: list[str], today: date) -> list[Waiver]:
    """Every waiver comment in the sources (already read) and the Terraform files."""
    found: list[Waiver] = []
    for rel in sorted(set(texts) | set(tf_files)):
        text = texts.get(rel)
        if text is None:
            try:
                text = (repo / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
        found += scan(rel, text, today)
    return found


def _introduced(violation: Violation, change: Change) -> bool:
    return any(change.touches(h.file, h.line) for h in (violation.site, *violation.path))


def run_guard(repo: Path, base: str | None = None, config_file: str | None = None,
              today: date | None = None) -> GuardResult:
    if not repo.is_dir():
        raise BadInputError("not a directory", where=str(repo))
    today = today or datetime.now(timezone.utc).date()
    config = load_config(repo, config_file)
    change = changes_since(repo, base) if base else None
    files = discover(repo, config.exclude)
    resolver = Resolver(repo, set(files))
    sources = [parse(repo, rel) for rel in files]
    modules = {s.rel: build_module(s, resolver) for s in sources}
    whole = change is None or bool(change.files & {*WHOLE_REPO_FILES, *config.classification, config.source})
    subset = modules if whole else {rel: modules[rel] for rel in sorted(affected(modules, change.files))}
    engine = Engine(subset, config)
    engine.run()
    if engine.foreign_store and subset is not modules:
        engine = Engine(modules, config)
        engine.run()
    registry = load_registry(repo, config.classification)
    declared = terraform.load(repo, config)
    candidates = (code_candidates(engine.findings(), registry) + registry_candidates(registry)
                  + terraform_candidates(terraform.check(repo, declared, config)))
    confirmed, reachable = guard_graph.verdict(guard_graph.build(candidates), candidates)
    texts = {s.rel: s.text.decode("utf-8", "replace") for s in sources}
    waivers = _waivers(repo, texts, sorted({d.file for d in declared}), today)
    by_line = {(w.file, w.line): w for w in waivers}
    results: dict[tuple[str, int, str, str], Violation] = {}
    for candidate in confirmed:
        if change is not None and not _introduced(candidate, change):
            continue
        waiver = covering(by_line, candidate.site.file, candidate.site.line, candidate.rule)
        status = "waived" if waiver else RULES[candidate.rule].status
        results.setdefault(candidate.sort_key(), replace(candidate, status=status, waiver=waiver))
    return GuardResult(str(repo), base, tuple(results[k] for k in sorted(results)), tuple(waivers),
                       len(files), reachable)
