"""`attest guard` end to end: parse, analyse, classify, check Terraform, query the graph, waive, scope."""
from __future__ import annotations

import logging
import os
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Callable

from attest.core.errors import AttestError, BadInputError, EvaluationError
from attest.policies.guard import graph as guard_graph
from attest.policies.guard import terraform
from attest.policies.guard.cache import IndexCache, import_specs
from attest.policies.guard.candidates import REF, code_candidates, missing_helpers, registry_candidates, terraform_candidates
from attest.policies.guard.classification import load_registry
from attest.policies.guard.config import GuardConfig, load_config
from attest.policies.guard.diff import Change, base_files, changed_lines, changes_since, extract
from attest.policies.guard.engine import Engine
from attest.policies.guard.merge_base import all_new, config_files, line_reader, tsconfig
from attest.policies.guard.model import Hop
from attest.policies.guard.modules import Module, Resolver, build_module
from attest.policies.guard.results import GuardResult, Violation
from attest.policies.guard.rules import RULES
from attest.policies.guard.scope import WHOLE_REPO_FILES, affected, closure
from attest.policies.guard.sources import Source, discover, excluded, is_code, parse
from attest.policies.guard.testfiles import is_test_file
from attest.policies.guard.waivers import MARKER, Waiver, covering, scan

LINE_NUMBER = re.compile(r"(?<=\S):\d+\b")
MARKER_BYTES = MARKER.encode("ascii")
log = logging.getLogger("attest.guard")


def _waivers(repo: Path, texts: dict[str, bytes], tf_files: list[str], today: date) -> list[Waiver]:
    """Every waiver comment in the sources (already read) and the Terraform files. A source is decoded
    only when its bytes hold the marker (ASCII: in UTF-8 it is there exactly when it is in the text)."""
    found: list[Waiver] = []
    for rel in sorted(set(texts) | set(tf_files)):
        raw = texts.get(rel)
        if raw is None:
            try:
                text = (repo / rel).read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                continue
        elif MARKER_BYTES in raw:
            text = raw.decode("utf-8", "replace")
        else:
            continue
        found += scan(rel, text, today)
    return found


@dataclass(frozen=True)
class Scan:
    """One analysis of a tree: its violations (waivers applied), waivers, file count, reachability,
    and each violation's location-independent identity (to compare HEAD with the merge-base)."""

    violations: tuple[Violation, ...]
    waivers: tuple[Waiver, ...]
    files: int
    reachable: bool
    identities: tuple[tuple[object, ...], ...]
    modules: dict[str, Module] = field(default_factory=dict, compare=False)
    sources: tuple[tuple[str, int], ...] = ()
    listed: frozenset[str] = frozenset()  # every code file of the tree (modules holds those built)
    # a diff scan's import graph of every code file and the bytes it read (the merge-base reuses both
    # for the files the change leaves alone, when its imports resolve as HEAD's)
    forward: dict[str, frozenset[str]] = field(default_factory=dict, compare=False)
    texts: dict[str, bytes] = field(default_factory=dict, compare=False)


def _identity(violation: Violation, lines: Callable[[str], list[str]]) -> tuple[object, ...]:
    """Rule, status, message and each hop's file, step and code text: what a violation is, not where
    its lines sit (line numbers shift when the change edits something above them)."""
    def text(hop: Hop) -> str:
        rows = lines(hop.file)
        return rows[hop.line - 1].strip() if 0 < hop.line <= len(rows) else ""
    return (violation.rule, violation.status, LINE_NUMBER.sub("", violation.message),
            tuple((h.file, h.label, text(h)) for h in violation.path))


def scan_tree(root: Path, config: GuardConfig, changed: frozenset[str] | None, today: date,
              cache: dict[tuple[str, bytes], Source] | None = None, code: dict[str, Path] | None = None,
              present: frozenset[str] | None = None, prior: Scan | None = None,
              index: IndexCache | None = None) -> Scan:
    """Analyse the tree at `root`; with `changed`, only the modules those files can affect (Terraform
    and the registry are always read whole). `code` maps each code file to the directory to read it
    from (the merge-base view: changed files extracted, unchanged ones read from the work tree), and
    `present` every file of that view (so an import of a stylesheet is known to exist); `prior` is
    HEAD's scan when this tree's imports resolve as HEAD's: its modules built from the same source,
    and the import edges and bytes of the files not `changed`, are reused. With `index`, a diff scan
    reads the import graph of unchanged files from the cache and parses only the changed scope; a
    full scan fills the cache."""
    files = sorted(code) if code is not None else discover(root, config.exclude)
    resolver = Resolver(root, set(files), present.__contains__ if present is not None else None)
    where: Callable[[str], Path] = (lambda rel: code[rel]) if code is not None else (lambda rel: root)
    whole = changed is None or any(_whole_repo(rel, config) for rel in changed)
    texts: dict[str, bytes] = {}
    forward: dict[str, frozenset[str]] = {}
    reuse = prior.modules if prior is not None else {}
    scope = None
    if not whole and index is not None:
        if prior is not None:
            for rel in (prior.forward.keys() & set(files)) - (changed or frozenset()):
                forward[rel], texts[rel] = prior.forward[rel], prior.texts[rel]
        _index_forward(files, where, resolver, index, cache, texts, forward)
        scope = closure(forward, changed or frozenset())
    modules = _modules(sorted(scope) if scope is not None else files, where, resolver, cache, reuse)
    if index is not None and scope is None:
        for module in modules.values():
            index.enter(module.source, resolver)
    if whole:
        subset = modules
    else:
        subset = {rel: modules[rel] for rel in sorted(scope if scope is not None
                                                      else affected(modules, changed or frozenset()))}
    engine = Engine(subset, config, resolver.resolve)
    engine.run()
    if engine.foreign_store and len(subset) < len(files):
        modules = _modules(files, where, resolver, cache, {**reuse, **modules})
        engine = Engine(modules, config, resolver.resolve)
        engine.run()
    registry = load_registry(root, config.classification)
    declared = terraform.load(root, config)
    candidates = (code_candidates(engine.findings(), registry) + missing_helpers(subset, config)
                  + registry_candidates(registry)
                  + terraform_candidates(terraform.check(root, declared, config)))
    confirmed, reachable = guard_graph.confirm(candidates)
    found = engine.source_counts()
    if not any(found.values()):
        confirmed += _no_source(subset, config)
    texts.update((m.rel, m.source.text) for m in modules.values())
    waivers = _waivers(root, texts, sorted({d.file for d in declared}), today)
    by_line = {(w.file, w.line): w for w in waivers}
    results: dict[tuple[str, int, str, str], Violation] = {}
    for candidate in confirmed:
        waiver = (covering(by_line, candidate.site.file, candidate.site.line, candidate.rule)
                  or covering(by_line, candidate.primary.file, candidate.primary.line, candidate.rule))
        status = "waived" if waiver else RULES[candidate.rule].status
        if (not waiver and config.test_policy == "report"
                and is_test_file(candidate.site.file, config.test_files)):
            status = "test"
        results.setdefault(candidate.sort_key(), replace(candidate, status=status, waiver=waiver))
    violations = tuple(results[k] for k in sorted(results))
    lines = line_reader(root, texts)
    return Scan(violations, tuple(waivers), len(files), reachable, tuple(_identity(v, lines) for v in violations),
                modules, tuple(found.items()), frozenset(files), forward, texts)


def _modules(files: list[str], where: Callable[[str], Path], resolver: Resolver,
             cache: dict[tuple[str, bytes], Source] | None, reuse: dict[str, Module]) -> dict[str, Module]:
    """Parse and index `files`, reusing a module built from the same parsed source."""
    sources = [parse(where(rel), rel, cache) for rel in files]
    return {s.rel: reuse[s.rel] if s.rel in reuse and reuse[s.rel].source is s else build_module(s, resolver)
            for s in sources}


def _index_forward(files: list[str], where: Callable[[str], Path], resolver: Resolver, index: IndexCache,
                   cache: dict[tuple[str, bytes], Source] | None, texts: dict[str, bytes],
                   forward: dict[str, frozenset[str]]) -> None:
    """The import graph a diff scan's scope is computed from (as `affected` computes it from built
    modules), into `forward`: each file's cached import edges (or specifiers, resolved here); a file
    not in the cache is parsed (failing closed) and entered. Every file's bytes are kept in `texts`
    (waivers are read from all of them). Files already in `forward` are known."""
    for rel in files:
        if rel in forward:
            continue
        directory = where(rel)
        place = str(directory)
        known = index.read(place, rel)
        if known is None:
            text = _read(os.path.join(place, rel), rel)
            key = index.key(rel, text)
            index.remember(place, rel, text, key)
        else:
            text, key = known
        texts[rel] = text
        forward[rel] = index.edges(rel, key, resolver,  # the parse runs at once, and only on a miss
                                   lambda: import_specs(parse(directory, rel, cache)))


def _read(path: str, rel: str) -> bytes:
    """A file's bytes through the OS calls alone: a warm diff scan reads every file of the repo, and a
    Python file object costs about twice the CPU."""
    try:
        fd = os.open(path, os.O_RDONLY)
        try:
            chunks = []
            while chunk := os.read(fd, 1 << 16):
                chunks.append(chunk)
        finally:
            os.close(fd)
    except OSError as exc:
        raise EvaluationError(f"cannot read source: {exc.strerror}", where=rel) from None
    return b"".join(chunks)


def _no_source(modules: dict[str, Module], config: GuardConfig) -> list[Violation]:
    """A repo that names the reference helper or URI variable (in its guard file or its code) but
    where the analysis found no reference source has lost track of it: an error, not a clean pass."""
    names = (*config.reference_helpers, config.reference_uri_env)
    pattern = re.compile(r"\b(?:" + "|".join(re.escape(n) for n in names) + r")\b")
    site: Hop | None = None
    if config.configured:
        site = Hop(config.source, 1, "the guard file names the reference helper or URI variable")
    for rel in sorted(modules):
        if site is not None:
            break
        found = pattern.search(modules[rel].source.text.decode("utf-8", "replace"))
        if found is not None:
            line = modules[rel].source.text[:found.start()].count(b"\n") + 1
            site = Hop(rel, line, f"mentions {found.group(0)}")
    if site is None:
        return []
    return [Violation("reference-source-missing", f"{', '.join(names)} is named here, but the analysis found no "
                      "reference source (no helper definition or call, no read of the URI variable)",
                      site, (site,), ("can_write", "can_write"), REF)]


def _whole_repo(rel: str, config: GuardConfig) -> bool:
    return rel in (*WHOLE_REPO_FILES, *config.classification, config.source) or tsconfig(rel)


def _introduced(head: Scan, base: Scan) -> tuple[Violation, ...]:
    """HEAD's violations that the merge-base does not have (as many of each as HEAD adds)."""
    before = Counter(base.identities)
    out: list[Violation] = []
    for violation, identity in zip(head.violations, head.identities):
        if before[identity] > 0:
            before[identity] -= 1
        else:
            out.append(violation)
    return tuple(out)


def on_changed_lines(violations: tuple[Violation, ...],
                     lines: dict[str, frozenset[int]]) -> tuple[Violation, ...]:
    """Each finding shown where the change is: its own location when that line changed, else the last
    step of its path on a changed line (the new call that reaches an unchanged write, say). A finding
    touching no changed line (a deletion opened it) keeps its location."""
    def changed(hop: Hop) -> bool:
        return hop.line in lines.get(hop.file, frozenset())

    out: list[Violation] = []
    for violation in violations:
        if not changed(violation.primary):
            hop = next((h for h in reversed(violation.path) if changed(h)), None)
            if hop is not None:
                violation = replace(violation, location=hop)
        out.append(violation)
    return tuple(out)


def _scan_base(repo: Path, config: GuardConfig, change: Change, today: date,
               cache: dict[tuple[str, bytes], Source], tmp: Path, head: Scan, index: IndexCache | None) -> Scan:
    """The merge-base, analysed like HEAD. Only what differs is extracted (changed code files) or is
    read whole (Terraform, registry, tsconfig/jsconfig); unchanged code is the work tree's, parsed
    once, and when no file was added or deleted and no tsconfig changed (imports resolve as at HEAD)
    HEAD's modules, import edges and bytes of the files it leaves alone are reused."""
    listed = base_files(repo, change)
    code = [rel for rel in listed if is_code(rel) and not excluded(rel, config.exclude)]
    config_file = config_files(config)
    wanted = [rel for rel in listed if (rel in change.files and rel in code) or config_file(rel)]
    extract(repo, change, wanted, tmp)
    present = frozenset(listed)
    same_files = set(code) == head.listed and not any(
        tsconfig(rel) or rel not in present or not (repo / rel).is_file() for rel in change.files)
    return scan_tree(tmp, config, change.files, today, cache,
                     {rel: tmp if rel in change.files else repo for rel in code}, present,
                     head if same_files else None, index)


def run_guard(repo: Path, base: str | None = None, config_file: str | None = None,
              today: date | None = None, cache_dir: Path | None = None) -> GuardResult:
    """Analyse `repo`; with `base`, analyse the merge-base tree too and report what HEAD adds, so a
    deletion that opens a path (a `scopes` block, a `data_class` tag, a registry row) counts (when
    HEAD's scope has no violation, HEAD adds none, and when each has a step on code the merge-base
    does not hold, all are new: then the merge-base is not analysed). When the
    analysis cannot be completed the result says what could not be analysed (exit 3): every output
    format is still written, so the pull request shows why. `cache_dir` keeps each file's import
    specifiers by content hash (`cache.py`): a full scan fills it, a diff scan parses only its scope."""
    if not repo.is_dir():
        raise BadInputError("not a directory", where=str(repo))
    today = today or datetime.now(timezone.utc).date()
    config = load_config(repo, config_file)
    # Named as the repo names it, so a site on it and the whole-repo rescan after a change to it are
    # the same for the merge-base's tree (extracted elsewhere) and wherever the repo is checked out.
    config = replace(config, source=_shown(repo, config.source))
    try:
        index = IndexCache(cache_dir, config) if cache_dir is not None else None
        result = _run(repo, base, config, today, index)
        if index is not None:
            index.save()
            log.info("guard cache %s: %d hits, %d misses", cache_dir, index.hits, index.misses)
        return result
    except EvaluationError as exc:
        return GuardResult(str(repo), base, (), (), 0, False, not_analysed=((exc.where or "", exc.message),),
                           config_source=config.source)


def _shown(repo: Path, source: str) -> str:
    """The guard file as output names it: relative to the repo when inside it (outputs do not depend
    on where the repo is checked out)."""
    path = Path(source)
    inside = path.is_absolute() == repo.is_absolute() and path.is_relative_to(repo)
    return path.relative_to(repo).as_posix() if inside else source


def _run(repo: Path, base: str | None, config: GuardConfig, today: date, index: IndexCache | None) -> GuardResult:
    if base is None:
        head = scan_tree(repo, config, None, today, index=index)
        return GuardResult(str(repo), base, head.violations, head.waivers, head.files, head.reachable, head.sources,
                           config_source=config.source)
    change = changes_since(repo, base)
    cache: dict[tuple[str, bytes], Source] = {}
    head = scan_tree(repo, config, change.files, today, cache, index=index)
    introduced: tuple[Violation, ...] = ()
    if head.violations:  # with none, HEAD adds none: the merge-base has nothing to account for
        old = _scan_base_or_empty(repo, config, change, today, cache, head, index)
        introduced = on_changed_lines(_introduced(head, old), changed_lines(repo, change))
    return GuardResult(str(repo), base, introduced, head.waivers, head.files, head.reachable, head.sources,
                       config_source=config.source)


def _scan_base_or_empty(repo: Path, config: GuardConfig, change: Change, today: date,
                       cache: dict[tuple[str, bytes], Source], head: Scan, index: IndexCache | None) -> Scan:
    """The merge-base's scan; empty (every violation in scope is new) when none of its violations
    could match HEAD's (`all_new`: it is then not analysed) or when it cannot be analysed."""
    with tempfile.TemporaryDirectory(prefix="attest-guard-base-") as tmp:
        try:
            if all_new(head.violations, head.texts, repo, change, config):
                return Scan((), (), 0, False, ())
            return _scan_base(repo, config, change, today, cache, Path(tmp), head, index)
        except AttestError as exc:
            log.warning("the merge-base %s cannot be analysed (%s); reporting every violation in the "
                        "changed scope", change.merge_base[:12], exc.diagnostic())
            return Scan((), (), 0, False, ())
