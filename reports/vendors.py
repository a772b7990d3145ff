"""The vendor register: vendors as the estate config declares them, beside what the evidence saw.

An AWS account or Atlas project that appears in the snapshot but under no signed BAA is shown as
not covered (HIPAA business-associate coverage); the policy engine reports it as a finding too
(ATL-BAA-001), from the same coverage computation (policies/baa.py).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from attest.collector.config import EstateConfig, Vendor
from attest.collector.snapshot import Snapshot
from attest.policies.baa import baa_coverage


@dataclass(frozen=True)
class ScopeRow:
    """One AWS account or Atlas project, seen in evidence and/or listed under a BAA."""

    provider: str
    scope_id: str
    name: str
    resources: int
    seen: bool
    covered_by: tuple[str, ...]

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)

    @property
    def state(self) -> str:
        if self.seen and not self.covered:
            return "seen, NOT covered by a BAA"
        if self.seen:
            return "seen, covered"
        return "listed, not seen in evidence"


@dataclass(frozen=True)
class VendorRegister:
    vendors: tuple[Vendor, ...]
    scopes: tuple[ScopeRow, ...]
    config_digest: str
    names: Mapping[str, str]
    ids: Mapping[str, str]

    def label(self, scope: str) -> str:
        """An account or project as a reader knows it, `prod (123456789012)`, whether listed by id or name."""
        scope_id = self.ids.get(scope, scope)
        name = self.names.get(scope_id)
        return f"{name} ({scope_id})" if name else scope

    @property
    def uncovered(self) -> tuple[ScopeRow, ...]:
        return tuple(s for s in self.scopes if s.seen and not s.covered)


def build_register(snapshot: Snapshot, config: EstateConfig) -> VendorRegister:
    seen: dict[tuple[str, str], int] = {}
    for resource in snapshot.resources:
        key = (resource.provider, resource.scope)
        seen[key] = seen.get(key, 0) + 1
    listed = baa_coverage(config)
    names = {("aws", a.id): a.name for a in config.aws_accounts}
    names.update({("atlas", p.id): p.name for p in config.atlas_projects})
    ids = {p.name: p.id for p in config.atlas_projects}
    rows = tuple(
        ScopeRow(
            provider=provider,
            scope_id=scope_id,
            name=names.get((provider, scope_id), "(not in the estate config)"),
            resources=seen.get((provider, scope_id), 0),
            seen=(provider, scope_id) in seen,
            covered_by=listed.get((provider, scope_id), ()),
        )
        for provider, scope_id in sorted(set(seen) | set(listed))
    )
    return VendorRegister(
        vendors=tuple(sorted(config.vendors, key=lambda v: v.name)),
        scopes=rows,
        config_digest=config.digest,
        names={scope_id: name for (_, scope_id), name in sorted(names.items())},
        ids=ids,
    )
