"""Business-associate coverage: which signed BAA, if any, covers each AWS account and Atlas project.

PHI may only sit on, or travel through, a vendor's infrastructure under a signed business-associate
agreement; a scope the evidence shows but no signed BAA lists is a finding (ATL-BAA-001), and the
vendor register (reports/vendors.py) shows the same coverage from this one computation.
"""
from __future__ import annotations

from attest.collector.config import EstateConfig

Scope = tuple[str, str]  # (provider, account id or project id)


def _project_ids(config: EstateConfig, names: tuple[str, ...]) -> set[str]:
    """BAA lists may name a project by id or by name; compare by id."""
    ids = set()
    for name in names:
        project = config.project(name)
        ids.add(project.id if project else name)
    return ids


def baa_coverage(config: EstateConfig) -> dict[Scope, tuple[str, ...]]:
    """Every scope some signed BAA lists, with the (sorted) names of the vendors that list it."""
    listed: dict[Scope, list[str]] = {}
    for vendor in config.vendors:
        if not vendor.baa_signed:
            continue
        for account in vendor.baa_aws_accounts:
            listed.setdefault(("aws", account), []).append(vendor.name)
        for project_id in _project_ids(config, vendor.baa_atlas_projects):
            listed.setdefault(("atlas", project_id), []).append(vendor.name)
    return {scope: tuple(sorted(names)) for scope, names in listed.items()}
