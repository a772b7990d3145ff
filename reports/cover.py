"""The cover every report opens with: who collected, with which attest, when, over what, and which bytes.

An auditor reading one file on its own must be able to tell who produced the evidence (role ARNs
and the Atlas API key id: public identifiers, never secrets), the run window, the scope, what the
scope left out (gaps, as scope limitations), and how to find and check the bundle it came from
(bundle id, manifest sha256, the previous manifest's sha256, signing status and key).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

from attest.collector.snapshot import Snapshot
from attest.core import __version__
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.limitations import GapView


@dataclass(frozen=True)
class ScopeAccount:
    id: str
    name: str
    regions: tuple[str, ...]


@dataclass(frozen=True)
class ScopeProject:
    id: str
    name: str
    role: str


@dataclass(frozen=True)
class Cover:
    """The facts the cover states; `None` fields are rendered as what is not known and why."""

    role_arns: tuple[str, ...]
    atlas_key_id: str | None
    attest_version: str
    collector_version: str
    run_started: str | None
    run_finished: str | None
    collected_at: str
    accounts: tuple[ScopeAccount, ...]
    projects: tuple[ScopeProject, ...]
    terraform_roots: tuple[str, ...]
    limitations: tuple[GapView, ...]
    bundle_id: str | None
    manifest_sha256: str | None
    in_bundle: bool
    previous_id: str | None
    previous_sha256: str | None
    signed: bool | None
    signing_key: str | None

    @property
    def signing_status(self) -> str:
        if self.signed is None:
            return "not known (rendered outside any evidence bundle)"
        if self.signed:
            return "signed (KMS, DSSE envelope in signature.json); check it with `attest verify`"
        return "unsigned: no evidence.signing.kms_key_id was configured"

    @property
    def manifest_note(self) -> str:
        if self.manifest_sha256:
            return self.manifest_sha256
        if self.in_bundle:
            return "not stated here: this report is inside the bundle, whose manifest.json lists this report's own sha256"
        return "none: rendered outside any evidence bundle"


def _accounts(scope: Mapping[str, Any]) -> tuple[ScopeAccount, ...]:
    rows = scope.get("aws_accounts") or []
    return tuple(
        ScopeAccount(str(a.get("id", "-")), str(a.get("name", "-")), tuple(str(r) for r in a.get("regions") or ()))
        for a in rows
        if isinstance(a, Mapping)
    )


def _projects(scope: Mapping[str, Any]) -> tuple[ScopeProject, ...]:
    rows = scope.get("atlas_projects") or []
    return tuple(
        ScopeProject(str(p.get("id", "-")), str(p.get("name", "-")), str(p.get("role", "-")))
        for p in rows
        if isinstance(p, Mapping)
    )


def _terraform_roots(results: Results) -> tuple[str, ...]:
    """The directories holding the Terraform files the findings cite (a root module's files sit together)."""
    roots = set()
    for finding in results.findings:
        if finding.plane == "terraform" and finding.evidence:
            path = finding.evidence.rsplit(":", 1)[0]
            roots.add(path.rsplit("/", 1)[0] if "/" in path else ".")
    return tuple(sorted(roots))


def build_cover(results: Results, snapshot: Snapshot, bundle: BundleRef | None, gaps: tuple[GapView, ...]) -> Cover:
    """`gaps` are the model's views of the recorded gaps (`limitations.gap_views`): one source for every page."""
    provenance = bundle.provenance if bundle else None
    return Cover(
        role_arns=snapshot.identity.aws_caller_arns,
        atlas_key_id=snapshot.identity.atlas_principal,
        attest_version=provenance.attest_version if provenance else __version__,
        collector_version=snapshot.collector_version,
        run_started=provenance.run_started if provenance else None,
        run_finished=provenance.run_finished if provenance else None,
        collected_at=results.snapshot_collected_at,
        accounts=_accounts(snapshot.scope),
        projects=_projects(snapshot.scope),
        terraform_roots=_terraform_roots(results),
        limitations=gaps,
        bundle_id=bundle.id if bundle else None,
        manifest_sha256=provenance.manifest_sha256 if provenance else None,
        in_bundle=bundle is not None and (provenance is None or provenance.manifest_sha256 is None),
        previous_id=provenance.previous_id if provenance else None,
        previous_sha256=provenance.previous_sha256 if provenance else None,
        signed=provenance.signed if provenance else None,
        signing_key=provenance.signing_key if provenance else None,
    )
