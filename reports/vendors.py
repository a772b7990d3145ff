"""The vendor register: vendors as the estate config declares them, beside what the evidence saw.

An AWS account or Atlas project that appears in the snapshot but under no BAA that covers it (signed,
and declared for every class of data it holds) is shown as not covered, with why; the policy engine
reports it as a finding too (ATL-BAA-001), from the same coverage computation (policies/baa.py). An
account or project the estate config declares but the snapshot holds nothing of is "not evidenced":
the register cannot vouch for what was never collected.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Mapping

from attest.collector.config import EstateConfig, Vendor
from attest.collector.snapshot import Snapshot
from attest.policies.baa import PRESUMED, baa_listings, scope_classes


@dataclass(frozen=True)
class ScopeRow:
    """One AWS account or Atlas project, seen in evidence and/or listed under a BAA."""

    provider: str
    scope_id: str
    name: str
    resources: int
    seen: bool
    covered_by: tuple[str, ...]
    declared: bool = False
    data_classes: tuple[str, ...] = ()
    not_covering: tuple[str, ...] = ()  # why each listing BAA does not cover it

    @property
    def covered(self) -> bool:
        return bool(self.covered_by)

    @property
    def alarming(self) -> bool:
        """Seen but not covered, or declared but not evidenced: shown in bold."""
        return (self.seen and not self.covered) or (self.declared and not self.seen)

    @property
    def state(self) -> str:
        if self.seen and not self.covered:
            why = f" ({'; '.join(self.not_covering)})" if self.not_covering else ""
            return f"seen, NOT covered by a BAA{why}"
        if self.seen:
            return "seen, covered"
        if self.declared:
            return "declared, NOT evidenced (nothing collected from it)"
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

    @property
    def unevidenced(self) -> tuple[ScopeRow, ...]:
        return tuple(s for s in self.scopes if s.declared and not s.seen)


def build_register(snapshot: Snapshot, config: EstateConfig) -> VendorRegister:
    seen: dict[tuple[str, str], int] = {}
    for resource in snapshot.resources:
        key = (resource.provider, resource.scope)
        seen[key] = seen.get(key, 0) + 1
    listings = baa_listings(config, snapshot.resources)
    classes = scope_classes(config, snapshot.resources)
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
            covered_by=tuple(sorted({x.vendor for x in listings.get((provider, scope_id), ()) if x.covers})),
            declared=(provider, scope_id) in names,
            data_classes=classes.get((provider, scope_id), PRESUMED),
            not_covering=tuple(x.why for x in listings.get((provider, scope_id), ()) if not x.covers),
        )
        for provider, scope_id in sorted(set(seen) | set(listings) | set(names))
    )
    return VendorRegister(
        vendors=tuple(sorted(config.vendors, key=lambda v: v.name)),
        scopes=rows,
        config_digest=config.digest,
        names={scope_id: name for (_, scope_id), name in sorted(names.items())},
        ids=ids,
    )
