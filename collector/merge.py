"""Merging partial snapshots: one per account group, written by the jobs of a CI matrix.

The merge is strict where silence would hide a problem: two partials that disagree about the same
resource, or that were taken by different schema versions, are bad input, not a quiet overwrite.
"""
from __future__ import annotations

from typing import Any, Sequence

from attest.core.errors import BadInputError
from attest.collector.snapshot import Identity, Snapshot


def _merge_scope(parts: Sequence[Snapshot]) -> dict[str, Any]:
    accounts: dict[str, Any] = {}
    projects: dict[str, Any] = {}
    merged: dict[str, Any] = {}
    for part in parts:
        for key, value in part.scope.items():
            if key == "aws_accounts":
                accounts.update({a["id"]: a for a in value})
            elif key == "atlas_projects":
                projects.update({p["id"]: p for p in value})
            else:
                merged.setdefault(key, value)
    merged["aws_accounts"] = [accounts[k] for k in sorted(accounts)]
    merged["atlas_projects"] = [projects[k] for k in sorted(projects)]
    return merged


def merge_snapshots(parts: Sequence[Snapshot], sources: Sequence[str]) -> Snapshot:
    """Union of resources, gaps and notes; the earliest collection time stands for the whole."""
    if not parts:
        raise BadInputError("no snapshots to merge")
    if len(parts) == 1:
        return parts[0]
    versions = {p.schema_version for p in parts}
    if len(versions) > 1:
        raise BadInputError(f"partial snapshots have different schema versions: {sorted(versions)}")
    resources: dict[str, Any] = {}
    origin: dict[str, str] = {}
    for part, source in zip(parts, sources):
        for resource in part.resources:
            seen = resources.get(resource.id)
            if seen is not None and seen != resource:
                raise BadInputError(
                    f"resource {resource.id} differs between {origin[resource.id]} and this file",
                    where=source,
                )
            resources[resource.id] = resource
            origin.setdefault(resource.id, source)
    gaps = {g: None for p in parts for g in p.gaps}
    return Snapshot.build(
        collected_at=min(p.collected_at for p in parts),
        collector_version=",".join(sorted({p.collector_version for p in parts})),
        identity=Identity(
            aws_caller_arns=tuple(sorted({a for p in parts for a in p.identity.aws_caller_arns})),
            atlas_principal=next((p.identity.atlas_principal for p in parts if p.identity.atlas_principal), None),
        ),
        scope=_merge_scope(parts),
        resources=resources.values(),
        gaps=gaps,
        notes=[n for p in parts for n in p.notes],
        finite=all(p.finite for p in parts),
    )
