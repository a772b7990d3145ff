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
    """`nodes`: id -> data (insertion order); `out` and `into`: the edges from and to each node, by kind.

    Edges are kept one way, with a log of them in the order they were added: the way back (`into`,
    `sources`) is asked for two kinds of a few hundred edges, and keeping it for all 200,000 edges of a
    100,000-resource snapshot cost a dictionary insert per edge and a dictionary per node."""

    def __init__(self) -> None:
        self.nodes: dict[str, dict[str, Any]] = {}
        self.out: Edges = {}
        self._log: list[tuple[str, str, str]] = []  # (source, kind, target), each edge once
        self._into: dict[str, dict[str, dict[str, None]]] = {}  # kind -> target -> sources, built when asked
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
        """One edge per (source, target, kind): adding it again changes nothing. Each dictionary is
        looked up before it is created (`setdefault(..., {})` would make two throwaway ones per edge)."""
        by_kind = self.out.get(source)
        if by_kind is None:
            by_kind = self.out[source] = {}
        ends = by_kind.get(kind)
        if ends is None:
            ends = by_kind[kind] = {}
        if target not in ends:
            ends[target] = None
            self._log.append((source, kind, target))
            if self._into:
                self._into = {}

    def targets(self, node_id: str, kind: str) -> list[str]:
        """Targets of the node's outgoing edges of one kind, sorted."""
        return sorted(self.out.get(node_id, _NO_EDGES).get(kind, ()))

    def sources(self, node_id: str, kind: str) -> list[str]:
        """Sources of the node's incoming edges of one kind, in the order the edges were added."""
        of_kind = self._into.get(kind)
        if of_kind is None:
            of_kind = self._into[kind] = {}
            for source, edge_kind, target in self._log:
                if edge_kind == kind:
                    of_kind.setdefault(target, {})[source] = None
        return list(of_kind.get(node_id, ()))

    @property
    def into(self) -> Edges:
        """The edges to each node, by kind, each in the order added (built from the log on each call)."""
        into: Edges = {}
        for source, kind, target in self._log:
            into.setdefault(target, {}).setdefault(kind, {})[source] = None
        return into
