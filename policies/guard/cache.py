"""A content-addressed cache of what a diff scan needs from every file it does not analyse: the
import specifiers that make edges of the import graph (so the changed scope is known without parsing
the rest of the repo).

An entry is keyed by the file's bytes, its grammar, the attest version, the cache schema and the
guard configuration, so an edit, a new analyser or another config never reuses a stale entry. Entries
are JSON (never pickle: the directory is restored from CI storage), written to a temporary file and
renamed into place; one that is corrupt, truncated, foreign or does not match its key is ignored and
rebuilt. Only files that parsed are entered, so a file that does not parse is parsed (and fails
closed) every time."""
from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from dataclasses import replace
from pathlib import Path

from attest.core import __version__
from attest.policies.guard.config import GuardConfig
from attest.policies.guard.modules import Module, Resolver, build_module
from attest.policies.guard.sources import Source, grammar_for

SCHEMA = 1  # bump when what an entry holds, or how build_module reads imports, changes
ENV = "ATTEST_GUARD_CACHE"
_SPEC = "\0spec:"
log = logging.getLogger("attest.guard")


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
    """Import specifiers by content hash, in one JSON file of `directory` (`index-v<SCHEMA>.json`),
    read once and rewritten atomically by `save` when this run added or dropped an entry. Each entry
    carries a checksum of its key and content: an entry whose checksum does not match (a flipped
    byte) is ignored and rebuilt, like a file that is not JSON or was written by another version."""

    def __init__(self, directory: Path, config: GuardConfig) -> None:
        self.path = directory / f"index-v{SCHEMA}.json"
        settings = repr(replace(config, source="")).encode("utf-8")
        self.salt = f"attest {__version__}\0schema {SCHEMA}\0".encode() + hashlib.sha256(settings).digest()
        self.hits = 0
        self.misses = 0
        self._stored: dict[str, tuple[str, ...]] | None = None
        self._used: dict[str, tuple[str, ...]] = {}
        self._files: dict[tuple[str, str], tuple[bytes, tuple[str, ...]]] = {}
        self._edges: dict[str, dict[str, tuple[tuple[str, ...], frozenset[str]]]] = {}

    def _key(self, rel: str, text: bytes) -> str:
        digest = hashlib.sha256(self.salt)
        digest.update(grammar_for(rel).encode() + b"\0")
        digest.update(text)
        return digest.hexdigest()

    def _load(self) -> dict[str, tuple[str, ...]]:
        try:
            data = json.loads(self.path.read_bytes())
        except (OSError, ValueError):
            return {}
        if not isinstance(data, dict) or data.get("schema") != SCHEMA or data.get("attest") != __version__:
            return {}
        entries = data.get("entries")
        out: dict[str, tuple[str, ...]] = {}
        for key, entry in entries.items() if isinstance(entries, dict) else ():
            specs = entry.get("specs") if isinstance(entry, dict) else None
            if (isinstance(specs, list) and all(isinstance(s, str) for s in specs)
                    and entry.get("sum") == _checksum(key, specs)):
                out[key] = tuple(specs)
        return out

    def get(self, rel: str, text: bytes) -> tuple[str, ...] | None:
        if self._stored is None:
            self._stored = self._load()
        key = self._key(rel, text)
        specs = self._used.get(key, self._stored.get(key))
        if specs is None:
            self.misses += 1
            return None
        self.hits += 1
        self._used[key] = specs
        return specs

    def put(self, rel: str, text: bytes, specs: tuple[str, ...]) -> None:
        self._used[self._key(rel, text)] = specs

    def read(self, directory: str, rel: str) -> tuple[bytes, tuple[str, ...]] | None:
        """A file already read in this run, with its specifiers (HEAD's unchanged files are the
        merge-base's too: both are read from the work tree)."""
        return self._files.get((directory, rel))

    def remember(self, directory: str, rel: str, text: bytes, specs: tuple[str, ...]) -> None:
        self._files[(directory, rel)] = (text, specs)

    def edges(self, rel: str, specs: tuple[str, ...], resolver: Resolver) -> frozenset[str]:
        """`edges`, kept for the run by the resolver's signature: the merge-base's unchanged files
        resolve as HEAD's when both trees have the same code files and aliases."""
        known = self._edges.setdefault(resolver.signature, {})
        found = known.get(rel)
        if found is None or found[0] != specs:
            found = known[rel] = (specs, edges(rel, specs, resolver))
        return found[1]

    def specs(self, source: Source) -> tuple[str, ...]:
        """The cached specifiers of a parsed file, computed and entered on a miss."""
        found = self.get(source.rel, source.text)
        if found is None:
            found = import_specs(source)
            self.put(source.rel, source.text, found)
        return found

    def save(self) -> None:
        """Write the entries this run used (so the file tracks the repo rather than growing with
        every version of every file), atomically; a cache that cannot be written only costs time."""
        if self._stored is not None and self.misses == 0 and self._used.keys() == self._stored.keys():
            return
        entries = {key: {"specs": list(specs), "sum": _checksum(key, list(specs))}
                   for key, specs in sorted(self._used.items())}
        body = json.dumps({"schema": SCHEMA, "attest": __version__, "entries": entries},
                          sort_keys=True, separators=(",", ":")).encode("utf-8")
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


def _checksum(key: str, specs: list[str]) -> str:
    return hashlib.sha256(json.dumps([key, specs]).encode("utf-8")).hexdigest()[:16]
