"""Scope nodes: one per AWS account and Atlas project the evidence shows, with its BAA coverage.

The snapshot has no resource for an account or a project as a place where data lives; these nodes
give the BAA rule (ATL-BAA-001) something to judge. A scope cites the BAA records that list it
(vendors[].baa in the bundled config: the listing, `signed`, and `data_classes`), then its first
resource, the proof that the evidence shows it.
"""
from __future__ import annotations

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.baa import listings_for, scope_classes
from attest.policies.estate_graph import EstateGraph

NODE_TYPE = "evidence.scope"
# Organisation-wide settings hold no data: the organisation is not a place BAA coverage is about.
ORG_TYPES = frozenset({"atlas.org_settings"})


def add_scope_nodes(graph: EstateGraph, config: EstateConfig, snapshot: Snapshot) -> None:
    """A node `scope:<provider>/<id>` per scope seen, facts `baa_vendors` (signed BAAs covering it)."""
    first: dict[tuple[str, str], int] = {}
    for index, resource in enumerate(snapshot.resources):
        if resource.type not in ORG_TYPES:
            first.setdefault((resource.provider, resource.scope), index)
    classes = scope_classes(config, snapshot.resources)
    listings = listings_for(config, classes)
    for (provider, scope), index in sorted(first.items()):
        mine = listings.get((provider, scope), ())
        covering = [x for x in mine if x.covers]
        cited = [p for x in (covering or mine) for p in x.pointers]
        graph.add_node(
            f"scope:{provider}/{scope}", type=NODE_TYPE, origin="live", scope=scope, region=None,
            attributes={"provider": provider, "scope": scope, "data_classes": list(classes.get((provider, scope), ("phi",))),
                        "listed_by": [{"vendor": x.vendor, "covers": x.covers, "why": x.why} for x in mine]},
            facts={"baa_vendors": sorted({x.vendor for x in covering})}, index=None,
            cited=(*cited, f"/resources/{index}"),
        )
