"""The guard's part of the estate graph, and the verdict as a path query over it.

Each candidate violation adds its chain: `data:phi` (PHI-class data, which the app process holds)
-> code sites / Terraform blocks / registry entries (`site:<file>:<line>`, type `code.site` or
`terraform.site`) -> a reference data store (`data:reference`, type `data.cluster`, or
`data:reference/<collection>`, type `data.collection`, joined to the cluster by `contains`).

Edge kinds: DESIGN.md's `reads`, `writes`, `can_read`, `can_write`, `points_to`, `binds_secret`,
`contains`, plus the guard's own: `flows_to` (a value moves from one code site to the next),
`classifies` (a data class applies to a registry entry or secret), `stored_on` (a registry entry
places a collection on the reference cluster), `uses` / `grants` (the app's database user and its
role), `bound_by` (a secret bound by a task definition). Every chain edge carries `candidate`.
The verdict for a candidate is whether its own edges connect `data:phi` to the reference store; a
candidate whose chain does not connect is a fault of the guard itself, so it fails closed (exit 3).

The graph is a small structure of our own, not networkx (docs/architecture.md, "Departures"): the
verdict asks only "is there a path", and importing networkx cost each guard run about 0.15 s of CPU.
"""
from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Iterable
from dataclasses import dataclass, field

from attest.core.errors import EvaluationError
from attest.policies.guard.model import Hop
from attest.policies.guard.results import Violation

PHI = "data:phi"
REFERENCE = "data:reference"


@dataclass(frozen=True)
class Edge:
    tail: str
    head: str
    kind: str
    candidate: int | None = None  # the index of the candidate whose chain it is; None for `contains`


@dataclass
class Graph:
    """Nodes (id -> attributes) and directed edges in the order they were added; several edges may
    join the same two nodes (one per candidate whose chain passes there)."""
    nodes: dict[str, dict[str, str | int]] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def add_node(self, node: str, **attrs: str | int) -> None:
        self.nodes.setdefault(node, {}).update(attrs)

    def add_edge(self, edge: Edge) -> None:
        self.nodes.setdefault(edge.tail, {})
        self.nodes.setdefault(edge.head, {})
        self.edges.append(edge)


def node_id(hop: Hop) -> str:
    return f"site:{hop.file}:{hop.line}"


def confirm(candidates: list[Violation]) -> tuple[list[Violation], bool]:
    """`verdict` over the graph of `candidates`. No candidate, no chain and no path: a diff scope
    with no finding in it (most pull requests) builds no graph."""
    if not candidates:
        return [], False
    return verdict(build(candidates), candidates)


def build(candidates: list[Violation]) -> Graph:
    graph = Graph()
    graph.add_node(PHI, type="data.class", data_class="phi")
    graph.add_node(REFERENCE, type="data.cluster", role="reference", data_class="public", origin="config")
    for index, candidate in enumerate(candidates):
        nodes = [PHI, *(node_id(h) for h in candidate.path), candidate.sink]
        for hop in candidate.path:
            origin = "terraform" if hop.file.endswith(".tf") else "code"
            graph.add_node(node_id(hop), type=f"{origin}.site", origin=origin, file=hop.file, line=hop.line)
        if candidate.sink != REFERENCE and candidate.sink not in graph.nodes:
            graph.add_node(candidate.sink, type="data.collection", cluster="reference", origin="config")
            graph.add_edge(Edge(REFERENCE, candidate.sink, "contains"))
        for (tail, head), kind in zip(zip(nodes, nodes[1:]), candidate.edges):
            graph.add_edge(Edge(tail, head, kind, index))
    return graph


def verdict(graph: Graph, candidates: list[Violation]) -> tuple[list[Violation], bool]:
    """Every candidate, once its chain is confirmed as a path from PHI to a reference store, and whether
    any path exists. A chain that does not confirm is never dropped: evaluation fails naming it."""
    chains: dict[int, list[Edge]] = defaultdict(list)
    for edge in graph.edges:
        if edge.candidate is not None:
            chains[edge.candidate].append(edge)
    for index, candidate in enumerate(candidates):
        if not _connects(chains[index], candidate):
            raise EvaluationError(f"the graph does not confirm the {candidate.rule} chain found here "
                                  f"({candidate.message}); the guard cannot vouch for its verdict",
                                  where=candidate.site.where())
    reachable = any(n == REFERENCE or n.startswith(REFERENCE + "/") for n in reached(graph.edges, PHI))
    return list(candidates), reachable


def reached(edges: Iterable[Edge], start: str) -> set[str]:
    """The nodes a directed path over `edges` leads to from `start` (`start` included): a BFS."""
    after: dict[str, list[str]] = defaultdict(list)
    for edge in edges:
        after[edge.tail].append(edge.head)
    seen, queue = {start}, deque([start])
    while queue:
        for head in after[queue.popleft()]:
            if head not in seen:
                seen.add(head)
                queue.append(head)
    return seen


def _connects(chain: list[Edge], candidate: Violation) -> bool:
    """Whether the candidate's own edges hold a path from PHI to its sink (both on one of its edges)."""
    ends = {e.tail for e in chain} | {e.head for e in chain}
    return PHI in ends and candidate.sink in ends and candidate.sink in reached(chain, PHI)
