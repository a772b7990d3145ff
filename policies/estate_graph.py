"""The estate graph's structure: nodes with their data, and typed edges, in plain dictionaries.

Not networkx (docs/architecture.md, "Departures"): the engine adds nodes, adds each
(source, target, kind) edge once, and asks for a node's targets or sources of one kind. A networkx
MultiDiGraph keeps a data dictionary per edge and a key dictionary per node pair, and its views cost a
call per lookup: at 100,000 resources, adding the edges took twice as long and the lookups six times.
"""
from __future__ import annotations

from typing import Any

from attest.policies.graph_pairing import Pairing

Edges = dict[str, dict[str, dict[str, None]]]  # node -> kind -> the nodes at the other end (ordered set)
_NO_EDGES: dict[str, dict[str, None]] = {}  # what a node without edges has: read, never written


class EstateGraph:
    """`nodes`: id -> data (insertion order); `out` and `into`: the edges from and to each node, by kind."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.out: Edges = {}
        self.into: Edges = {}
        self.pairing: Pairing | None = None  # how privatelink entries paired endpoints (graph_pairing)

    def __contains__(self, node_id: object) -> bool:
        return node_id in self.nodes

    def add_node(self, node_id: str, **data: Any) -> None:
        """Add the node, or update the data of the node already there."""
        self.add_node_data(node_id, data)  # a fresh dictionary of this call's keywords

    def add_node_data(self, node_id: str, data: dict[str, Any]) -> None:
        """`add_node` with the data in one dictionary, kept, not copied (no keywords to parse: a
        snapshot adds 100,000 nodes)."""
        node = self.nodes.get(node_id)
        if node is None:
            self.nodes[node_id] = data
        else:
            node.update(data)

    def add_edge(self, source: str, target: str, kind: str) -> None:
        """One edge per (source, target, kind): adding it again changes nothing."""
        _insert(self.out, source, kind, target)
        _insert(self.into, target, kind, source)

    def targets(self, node_id: str, kind: str) -> list[str]:
        """Targets of the node's outgoing edges of one kind, sorted."""
        return sorted(self.out.get(node_id, _NO_EDGES).get(kind, ()))

    def sources(self, node_id: str, kind: str) -> list[str]:
        """Sources of the node's incoming edges of one kind, in the order the edges were added."""
        return list(self.into.get(node_id, _NO_EDGES).get(kind, ()))


def _insert(index: Edges, node: str, kind: str, end: str) -> None:
    """`end` among `node`'s ends of `kind`; each dictionary looked up before it is created
    (`setdefault(..., {})` would make two throwaway dictionaries per edge, 200,000 edges a snapshot)."""
    by_kind = index.get(node)
    if by_kind is None:
        by_kind = index[node] = {}
    ends = by_kind.get(kind)
    if ends is None:
        ends = by_kind[kind] = {}
    ends[end] = None
