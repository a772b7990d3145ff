"""Evidence citations: every claim in a report points at the bytes that prove it.

A finding's evidence is a JSON pointer into the snapshot (`/resources/7`), `file#pointer` into
another bundle file, or, for the Terraform and code planes, a repository location
(`infra/envs/prod/secrets.tf:12`). A citation resolves it to a file, its sha256 (from the bundle
manifest, or the snapshot digest the findings record), and the collection time.

Evidence that names a bundle file must be in the bundle, and a pointer must resolve in the
snapshot: anything else is inconsistent input. A repository location is cited as such, with a
sha256 only when the bundle holds a copy of that file (bundles need not carry the source tree).
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from attest.core.errors import BadInputError
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Finding, Results
from attest.reports.bundle import BundleRef, hex_digest

SNAPSHOT_FILE = "snapshot.json"
_LINE = re.compile(r"^(?P<file>.+):(?P<line>[0-9]+)$")


@dataclass(frozen=True)
class Citation:
    bundle_id: str | None
    file: str
    sha256: str | None
    pointer: str | None
    line: int | None
    collected_at: str

    @property
    def href(self) -> str:
        """A relative reference into the bundle: `snapshot.json#/resources/3`, `main.tf#L12`."""
        if self.pointer:
            return f"{self.file}#{self.pointer}"
        if self.line:
            return f"{self.file}#L{self.line}"
        return self.file

    @property
    def place(self) -> str:
        """The pointer or line, as a reader would quote it."""
        if self.pointer:
            return self.pointer
        return f"line {self.line}" if self.line else "whole file"


def resolve_pointer(document: Any, pointer: str) -> bool:
    """Whether an RFC 6901 pointer names a value inside `document`."""
    if pointer == "":
        return True
    if not pointer.startswith("/"):
        return False
    node = document
    for token in pointer[1:].split("/"):
        key = token.replace("~1", "/").replace("~0", "~")
        if isinstance(node, dict) and key in node:
            node = node[key]
        elif isinstance(node, list) and key.isdigit() and int(key) < len(node):
            node = node[int(key)]
        else:
            return False
    return True


def _split(evidence: str) -> tuple[str, str | None, int | None]:
    if evidence.startswith("/"):
        return SNAPSHOT_FILE, evidence, None
    if "#" in evidence:
        file, _, pointer = evidence.partition("#")
        return file, pointer, None
    match = _LINE.match(evidence)
    if match:
        return match["file"], None, int(match["line"])
    return evidence, None, None


class Citer:
    """Builds citations for one set of inputs, checking each against the snapshot and bundle."""

    def __init__(self, results: Results, snapshot: Snapshot, bundle: BundleRef | None, source: str) -> None:
        self.results = results
        self.snapshot_doc = snapshot.to_dict()
        self.bundle = bundle
        self.source = source
        self.collected_at = results.snapshot_collected_at

    def snapshot(self, pointer: str | None = None) -> Citation:
        return self._cite(SNAPSHOT_FILE, pointer, None, where=f"{self.source}#/snapshot")

    def finding(self, finding: Finding, index: int) -> Citation | None:
        if not finding.evidence:
            return None
        file, pointer, line = _split(finding.evidence)
        where = f"{self.source}#/findings/{index}/evidence"
        if file == SNAPSHOT_FILE and pointer is not None and not resolve_pointer(self.snapshot_doc, pointer):
            raise BadInputError(
                f"finding {finding.rule_id} cites {pointer}, which does not exist in the snapshot", where=where
            )
        repository_source = finding.plane != "live" and pointer is None
        return self._cite(file, pointer, line, where=where, required=not repository_source)

    def _cite(self, file: str, pointer: str | None, line: int | None, *, where: str, required: bool = True) -> Citation:
        if self.bundle is not None:
            located = self.bundle.locate(file)
            if located is not None:
                return Citation(self.bundle.id, located, self.bundle.files[located], pointer, line, self.collected_at)
            if required:
                raise BadInputError(f"cites {file}, which is not in bundle {self.bundle.id}", where=where)
            return Citation(None, file, None, pointer, line, self.collected_at)
        digest = hex_digest(self.results.snapshot_digest) if file == SNAPSHOT_FILE else None
        return Citation(None, file, digest, pointer, line, self.collected_at)
