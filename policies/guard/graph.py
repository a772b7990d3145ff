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
"""
from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING, Any

from attest.core.errors import EvaluationError
from attest.policies.guard.model import Hop
from attest.policies.guard.results import Violation

if TYPE_CHECKING:
    from networkx import MultiDiGraph as Graph
PHI = "data:phi"
REFERENCE = "data:reference"


def node_id(hop: Hop) -> str:
    return f"site:{hop.file}:{hop.line}"


def confirm(candidates: list[Violation]) -> tuple[list[Violation], bool]:
    """`verdict` over the graph of `candidates`. No candidate, no chain and no path: the graph is built
    (and networkx imported) only when there is a chain to query: a diff scope with no finding in it
    (most pull requests) never pays for it."""
    if not candidates:
        return [], False
    return verdict(build(candidates), candidates)


def build(candidates: list[Violation]) -> Graph:
    import networkx as nx  # lazy: about 0.15 s of CPU to import, needed only when a chain is queried

    graph: Graph = nx.MultiDiGraph()
    graph.add_node(PHI, type="data.class", data_class="phi")
    graph.add_node(REFERENCE, type="data.cluster", role="reference", data_class="public", origin="config")
    for index, candidate in enumerate(candidates):
        nodes = [PHI, *(node_id(h) for h in candidate.path), candidate.sink]
        for hop in candidate.path:
            origin = "terraform" if hop.file.endswith(".tf") else "code"
            graph.add_node(node_id(hop), type=f"{origin}.site", origin=origin, file=hop.file, line=hop.line)
        if candidate.sink != REFERENCE and candidate.sink not in graph:
            graph.add_node(candidate.sink, type="data.collection", cluster="reference", origin="config")
            graph.add_edge(REFERENCE, candidate.sink, kind="contains")
        for (tail, head), kind in zip(zip(nodes, nodes[1:]), candidate.edges):
            graph.add_edge(tail, head, kind=kind, candidate=index)
    return graph


def verdict(graph: Graph, candidates: list[Violation]) -> tuple[list[Violation], bool]:
    """Every candidate, once its chain is confirmed as a path from PHI to a reference store, and whether
    any path exists. A chain that does not confirm is never dropped: evaluation fails naming it."""
    import networkx as nx  # lazy, as in `build`

    edges: dict[int, list[tuple[str, str, int]]] = defaultdict(list)
    for tail, head, key, data in graph.edges(keys=True, data=True):
        if "candidate" in data:
            edges[data["candidate"]].append((tail, head, key))
    for index, candidate in enumerate(candidates):
        if not _connects(graph, edges[index], candidate):
            raise EvaluationError(f"the graph does not confirm the {candidate.rule} chain found here "
                                  f"({candidate.message}); the guard cannot vouch for its verdict",
                                  where=candidate.site.where())
    reachable = any(nx.has_path(graph, PHI, n) for n in graph if n == REFERENCE or n.startswith(REFERENCE + "/"))
    return list(candidates), reachable


def _connects(graph: Graph, edges: list[tuple[str, str, int]], candidate: Violation) -> bool:
    import networkx as nx  # lazy, as in `build`

    keyed: list[Any] = list(edges)
    chain = graph.edge_subgraph(keyed)
    return PHI in chain and candidate.sink in chain and nx.has_path(chain, PHI, candidate.sink)
