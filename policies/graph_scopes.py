"""Scope nodes: one per AWS account and Atlas project the evidence shows, with its BAA coverage.

The snapshot has no resource for an account or a project as a place where data lives; these nodes
give the BAA rule (ATL-BAA-001) something to judge. A scope's evidence is its first resource.
"""
from __future__ import annotations

import networkx as nx

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.baa import baa_coverage

NODE_TYPE = "evidence.scope"
# Organisation-wide settings hold no data: the organisation is not a place BAA coverage is about.
ORG_TYPES = frozenset({"atlas.org_settings"})


def add_scope_nodes(graph: nx.MultiDiGraph, config: EstateConfig, snapshot: Snapshot) -> None:
    """A node `scope:<provider>/<id>` per scope seen, facts `baa_vendors` (signed BAAs listing it)."""
    first: dict[tuple[str, str], int] = {}
    for index, resource in enumerate(snapshot.resources):
        if resource.type not in ORG_TYPES:
            first.setdefault((resource.provider, resource.scope), index)
    coverage = baa_coverage(config)
    for (provider, scope), index in sorted(first.items()):
        graph.add_node(
            f"scope:{provider}/{scope}", type=NODE_TYPE, origin="live", scope=scope, region=None,
            attributes={"provider": provider, "scope": scope},
            facts={"baa_vendors": list(coverage.get((provider, scope), ()))}, index=index,
        )
