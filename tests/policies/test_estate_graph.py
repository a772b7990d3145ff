"""`EstateGraph` keeps edges one way and finds the way back from its log when asked: the answers are
those of an index kept both ways (each edge once, sources in the order the edges were added)."""
from __future__ import annotations

from attest.policies.estate_graph import EstateGraph


def _graph() -> EstateGraph:
    graph = EstateGraph()
    for source, target, kind in [("b", "t", "guards"), ("a", "t", "guards"), ("a", "u", "guards"),
                                 ("b", "t", "guards"), ("c", "t", "runs"), ("a", "t", "runs")]:
        graph.add_edge(source, target, kind)
    return graph


def test_sources_come_in_the_order_their_edges_were_added_each_once() -> None:
    graph = _graph()
    assert graph.sources("t", "guards") == ["b", "a"]
    assert graph.sources("t", "runs") == ["c", "a"]
    assert graph.sources("u", "guards") == ["a"]
    assert graph.sources("u", "runs") == graph.sources("nobody", "guards") == []
    assert graph.targets("a", "guards") == ["t", "u"]


def test_an_edge_added_after_the_way_back_was_asked_for_is_found() -> None:
    graph = _graph()
    assert graph.sources("t", "guards") == ["b", "a"]
    graph.add_edge("d", "t", "guards")
    graph.add_edge("a", "t", "guards")  # already there: changes nothing
    assert graph.sources("t", "guards") == ["b", "a", "d"]


def test_into_is_every_edge_to_each_node_by_kind() -> None:
    assert _graph().into == {"t": {"guards": {"b": None, "a": None}, "runs": {"c": None, "a": None}},
                             "u": {"guards": {"a": None}}}
