"""Evidence citations: every claim in a report points at the bytes that prove it.

A finding's evidence is a JSON pointer into the snapshot (`/resources/7`), `file#pointer` into
another bundle file, or, for the Terraform and code planes, a repository location
(`infra/envs/prod/secrets.tf:12`). A citation resolves it to a file, its sha256 (from the bundle
manifest, or the snapshot digest the findings record), and the collection time.

Evidence that names a snapshot resource must name one the snapshot holds: anything else is
inconsistent input. A pointer to a field inside that resource that is absent (the engine cites what
a rule looked for, e.g. a missing `comment`) is cited at its nearest existing parent with the
missing keys recorded, never refused: a finding about an absent field must not cost the run its
reports. The bundled estate config (`config/attest.yaml#/...`) is cited with its sha256 when the
bundle holds it. A repository location is cited as such, with a sha256 only when the bundle holds
a copy of that file (bundles need not carry the source tree).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from attest.core.errors import BadInputError
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Finding, Results
from attest.policies.pointers import CONFIG_FILE, existing_prefix
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
    missing: str = ""

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
            return f"{self.pointer} (no {self.missing})" if self.missing else self.pointer
        return f"line {self.line}" if self.line else "whole file"


def _inside_item(pointer: str) -> bool:
    """`/resources/3/...` or `/gaps/0/...`: a pointer that reaches into one listed item."""
    parts = pointer.split("/")
    return len(parts) >= 3 and parts[1] in ("resources", "gaps") and parts[2].isdigit()


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
        return self._evidence(finding, finding.evidence, finding.missing, f"{self.source}#/findings/{index}/evidence")

    def cites(self, finding: Finding, index: int) -> tuple[Citation, ...]:
        """The finding's other inputs (`cites`), each resolved like its evidence."""
        return tuple(
            self._evidence(finding, cited, "", f"{self.source}#/findings/{index}/cites/{i}")
            for i, cited in enumerate(finding.cites)
        )

    def _evidence(self, finding: Finding, evidence: str, missing: str, where: str) -> Citation:
        file, pointer, line = _split(evidence)
        if file == SNAPSHOT_FILE and pointer is not None:
            found, rest = existing_prefix(self.snapshot_doc, pointer)
            if rest and not _inside_item(found):
                raise BadInputError(
                    f"finding {finding.rule_id} cites {pointer}, which does not exist in the snapshot", where=where
                )
            if rest:
                pointer, missing = found, "/".join(p for p in (rest, missing) if p)
        repository_source = finding.plane != "live" and pointer is None
        required = not repository_source and file != CONFIG_FILE
        return replace(self._cite(file, pointer, line, where=where, required=required), missing=missing)

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
