"""A content-addressed cache of what a diff scan needs from every file it does not analyse: the
import specifiers that make edges of the import graph, and the modules they resolved to (so the
changed scope is known without parsing, or resolving, the rest of the repo).

An entry is keyed by the file's bytes, its grammar, the attest version, the cache schema and the
guard configuration, so an edit, a new analyser or another config never reuses a stale entry; its
resolved edges also by its path and the resolver's signature (the code files and aliases). Entries
are JSON (never pickle: the directory is restored from CI storage), written to a temporary file and
renamed into place; one that is corrupt, truncated, foreign or does not match its key is ignored and
rebuilt. Only files that parsed are entered, so a file that does not parse is parsed (and fails
closed) every time."""
from __future__ import annotations

import gc
import hashlib
import json
import logging
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any, Callable

from attest.core import __version__
from attest.policies.guard.config import GuardConfig
from attest.policies.guard.modules import Module, Resolver, build_module
from attest.policies.guard.sources import Source, grammar_for

SCHEMA = 2  # bump when what an entry holds, how build_module reads imports or how Resolver resolves them changes
ENV = "ATTEST_GUARD_CACHE"
_SPEC = "\0spec:"
log = logging.getLogger("attest.guard")
_NO_FILES: dict[str, Any] = {}


class _Specs(Resolver):
    """Resolves every specifier to a stand-in module named after it, so the edges build_module makes
    are read back as the specifiers that made them, whatever files exist in a later run."""

    def __init__(self) -> None:
        self.files = set()

    def resolve(self, importer: str, spec: str) -> tuple[str | None, str | None]:
        return _SPEC + spec, None


def import_specs(source: Source) -> tuple[str, ...]:
    """The specifiers of `source` that make import-graph edges (imports with bindings, `require`,
    re-exports), exactly those `import_targets` follows once resolved."""
    module: Module = build_module(source, _Specs())
    edges = {i.module for i in module.imports.values() if i.module}
    edges |= {t for _k, t, _n in module.exports.values() if t}
    edges |= set(module.star_exports)
    return tuple(sorted(e.removeprefix(_SPEC) for e in edges if e.startswith(_SPEC)))


def edges(rel: str, specs: tuple[str, ...], resolver: Resolver) -> frozenset[str]:
    """The repo modules `rel` imports, from its cached specifiers (as `import_targets` would say)."""
    out = {resolver.resolve(rel, spec)[0] for spec in specs}
    return frozenset(t for t in out if t is not None and t in resolver.files)


class IndexCache:
    """Import specifiers by content hash, and each file's resolved import edges (by its path and
    content hash, under one resolver signature), in one JSON file of `directory`
    (`index-v<SCHEMA>.json`), read once and rewritten atomically by `save` when this run added or
    dropped an entry. Each entry carries a checksum of its key and content, checked when the entry is
    read: one whose checksum does not match (a flipped byte) is ignored and rebuilt, like a file that
    is not JSON or was written by another version. A file whose edges are stored needs no specifiers,
    so its specifier entry is kept as it was written, unread."""

    def __init__(self, directory: Path, config: GuardConfig) -> None:
        self.path = directory / f"index-v{SCHEMA}.json"
        settings = repr(replace(config, source="")).encode("utf-8")
        self.salt = f"attest {__version__}\0schema {SCHEMA}\0".encode() + hashlib.sha256(settings).digest()
        self._salted = {grammar: hashlib.sha256(self.salt + grammar.encode() + b"\0")
                        for grammar in ("typescript", "tsx")}
        self.hits = 0
        self.misses = 0
        self._raw: dict[str, Any] | None = None  # the stored specifier entries, as read (unchecked)
        self._raw_edges: dict[str, dict[str, Any]] = {}  # the stored edges, by signature, as read
        self._specs: dict[str, tuple[str, ...]] = {}  # checked or computed in this run
        self._kept: dict[str, Any] = {}  # the specifier entries to write, by key
        self._edges: dict[str, dict[tuple[str, str], frozenset[str]]] = {}  # by (path, key), used in this run
        self._added = False
        self._files: dict[tuple[str, str], tuple[bytes, str]] = {}

    def key(self, rel: str, text: bytes) -> str:
        digest = self._salted[grammar_for(rel)].copy()  # the salt and grammar hashed once per run
        digest.update(text)
        return digest.hexdigest()

    def _stored(self) -> dict[str, Any]:
        if self._raw is None:
            self._raw = {}
            try:
                data = _read_json(self.path)
            except (OSError, ValueError):
                return self._raw
            if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("attest") != __version__:
                return self._raw
            entries, resolved = data.get("entries"), data.get("edges")
            self._raw = entries if isinstance(entries, dict) else {}
            self._raw_edges = {sig: files for sig, files in resolved.items()
                               if isinstance(files, dict)} if isinstance(resolved, dict) else {}
        return self._raw

    def get(self, rel: str, text: bytes) -> tuple[str, ...] | None:
        """The specifiers entered for a file with these bytes, or None."""
        key = self.key(rel, text)
        found = self._specs.get(key)
        return found if found is not None else _checked_specs(key, self._stored().get(key))

    def specs(self, key: str, compute: Callable[[], tuple[str, ...]]) -> tuple[str, ...]:
        """The specifiers entered under `key`; on a miss, `compute` (which parses the file) and enter."""
        found = self._specs.get(key)
        if found is None:
            found = _checked_specs(key, self._stored().get(key))
            if found is None:
                self.misses += 1
                self._added = True
                found = compute()
            else:
                self.hits += 1
            self._specs[key] = found
            self._kept[key] = {"specs": list(found), "sum": _checksum(key, *found)}
        return found

    def read(self, directory: str, rel: str) -> tuple[bytes, str] | None:
        """A file already read in this run, with its key (HEAD's unchanged files are the merge-base's
        too: both are read from the work tree)."""
        return self._files.get((directory, rel))

    def remember(self, directory: str, rel: str, text: bytes, key: str) -> None:
        self._files[(directory, rel)] = (text, key)

    def edges(self, rel: str, key: str, resolver: Resolver, compute: Callable[[], tuple[str, ...]]) -> frozenset[str]:
        """`edges` of the file `rel` whose content has `key`, by the resolver's signature (what decides
        where a specifier leads): kept for the run (the merge-base's unchanged files resolve as HEAD's
        when both trees have the same code files and aliases), else as an earlier run with that
        signature stored them, else resolved from the file's specifiers (`specs`)."""
        known = self._edges.setdefault(resolver.signature, {})
        found = known.get((rel, key))
        if found is None:
            found = self._stored_edges(resolver.signature, rel, key)
            if found is not None:
                self.hits += 1
                stored = self._stored()
                if key in stored and key not in self._kept:  # kept as written: not needed, so not read
                    self._kept[key] = stored[key]
            else:
                found = edges(rel, self.specs(key, compute), resolver)
                self._added = True
            known[(rel, key)] = found
        return found

    def _stored_edges(self, signature: str, rel: str, key: str) -> frozenset[str] | None:
        """The edges an earlier run stored for this path and content under `signature`, if their entry
        is well formed and matches its checksum (a path may have two: HEAD's and the merge-base's)."""
        if self._raw is None:
            self._stored()
        versions = self._raw_edges.get(signature, _NO_FILES).get(rel)
        for entry in versions if isinstance(versions, list) else ():
            if isinstance(entry, list) and entry[:1] == [key]:
                return _checked_edges(signature, rel, entry)
        return None

    def enter(self, source: Source, resolver: Resolver) -> None:
        """Enter a parsed file: its specifiers and its resolved edges."""
        self.edges(source.rel, self.key(source.rel, source.text), resolver, lambda: import_specs(source))

    def save(self) -> None:
        """Write the entries this run used (so the file tracks the repo rather than growing with
        every version of every file), atomically; a cache that cannot be written only costs time."""
        stored = self._stored()
        unchanged = (not self._added and self._kept.keys() == stored.keys()
                     and self._edges.keys() == self._raw_edges.keys()
                     and all(len(files) == _stored_count(self._raw_edges[sig]) for sig, files in self._edges.items()))
        if unchanged:
            return
        resolved: dict[str, dict[str, list[list[object]]]] = {}
        for signature, files in sorted(self._edges.items()):
            for (rel, key), found in sorted(files.items()):
                targets = sorted(found)
                resolved.setdefault(signature, {}).setdefault(rel, []).append(
                    [key, targets, _checksum(signature, rel, key, *targets)])
        body = json.dumps({"schema": SCHEMA, "attest": __version__, "entries": dict(sorted(self._kept.items())),
                           "edges": resolved}, sort_keys=True, separators=(",", ":")).encode("utf-8")
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".index-", suffix=".tmp")
            try:
                with os.fdopen(fd, "wb") as out:
                    out.write(body)
                os.replace(tmp, self.path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:
            log.warning("cannot write the guard cache %s: %s", self.path, exc.strerror)


def _read_json(path: Path) -> Any:
    """The JSON document in `path`, parsed with the cyclic garbage collector paused: a document makes
    no cycles, and its tens of thousands of containers would otherwise set off collections for
    nothing (about 0.003 s of a warm run)."""
    body = path.read_bytes()
    enabled = gc.isenabled()
    gc.disable()
    try:
        return json.loads(body)
    finally:
        if enabled:
            gc.enable()


def _checked_specs(key: str, entry: Any) -> tuple[str, ...] | None:
    """A stored specifier entry's specifiers, if it is well formed and matches its checksum."""
    specs = entry.get("specs") if isinstance(entry, dict) else None
    if isinstance(specs, list) and all(isinstance(s, str) for s in specs) and entry.get("sum") == _checksum(key, *specs):
        return tuple(specs)
    return None


def _checked_edges(signature: str, rel: str, entry: list[Any]) -> frozenset[str] | None:
    """A stored edge entry's targets (the entry: a key, a list of targets, a checksum), if well formed
    and matching its checksum."""
    try:
        key, targets, total = entry
        if type(targets) is list and total == _checksum(signature, rel, key, *targets):
            return frozenset(targets)
    except (TypeError, ValueError):  # not three parts, or a part that is not a string
        pass
    return None


def _stored_count(files: dict[str, Any]) -> int:
    """How many edge entries are stored (a run that added none used them all when it used as many)."""
    return sum(len(versions) if isinstance(versions, list) else 1 for versions in files.values())


def _checksum(*parts: str) -> str:
    """Of an entry's key and content joined by NUL (a JSON dump of each entry cost a warm run about
    0.01 s of CPU over 2,000 entries)."""
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:16]
