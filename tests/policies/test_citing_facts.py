"""Rules that differ only in facts without sources of their own share their citations
(`CitationIndex.reading`): that holds while `SOURCED_FACTS` names every fact that has any."""
from __future__ import annotations

from policy_fixtures import seeded_doc

from attest.collector.config import EstateConfig
from attest.collector.snapshot import snapshot_from_dict
from attest.policies.citing import SOURCED_FACTS, CitationIndex, ConfigEntries, RuleReads
from attest.policies.graph import FACT_NAMES, Documents, build_graph, config_document
from attest.policies.rule_loader import load_policy_set


def test_every_fact_with_sources_is_named(local_config: EstateConfig) -> None:
    graph = build_graph(snapshot_from_dict(seeded_doc(), "fixture"), local_config)
    citer = CitationIndex(graph, ConfigEntries(local_config))
    seen: set[str] = set()
    for node_id, data in graph.nodes.items():
        for fact in set(data["facts"]) - SOURCED_FACTS:
            seen.add(fact)
            assert citer._fact_sources(node_id, fact) == [], (node_id, fact)
    assert {"internet_ports", "subnets", "cidr", "role"} <= seen  # the seeded estate has such facts to check
    assert SOURCED_FACTS <= FACT_NAMES


def test_reads_that_differ_in_sourceless_facts_share_their_citations(local_config: EstateConfig) -> None:
    graph = build_graph(snapshot_from_dict(seeded_doc(), "fixture"), local_config)
    citer = CitationIndex(graph, ConfigEntries(local_config))
    bare = citer.reading(RuleReads((), (), ()))
    ports = citer.reading(RuleReads((), ("internet_ports",), ()))
    node = next(n for n, d in graph.nodes.items() if d["type"] == "aws.ec2.security_group")
    document = {"related": {}}
    assert ports.whole(node, document) is bare.whole(node, document)
    assert citer.reading(RuleReads((), ("declared",), ())).reads.facts == ("declared",)


def test_a_whole_citation_is_the_nodes_cites_without_it(local_config: EstateConfig) -> None:
    """`whole` takes a shortcut for live resources under rules that read only config keys; on every
    node of every shipped rule's type it must answer as the node's cites with its own pointer left out."""
    graph = build_graph(snapshot_from_dict(seeded_doc(), "fixture"), local_config)
    docs = Documents(graph, config_document(local_config))
    citer = CitationIndex(graph, ConfigEntries(local_config))
    shortcut = 0
    for rule in load_policy_set().rules:
        citing = citer.reading(RuleReads.of(rule))
        shortcut += citing._tail is not None
        for node_id, data in graph.nodes.items():
            if data["type"] == rule.resource:
                doc = docs.document(node_id)
                own = citer.pointer(node_id) or "/resources"
                others = tuple(c for c in citer.cites_of(citing.reads, node_id, doc) if c != own and not own.startswith(c + "/"))
                assert citing.whole(node_id, doc) == (own, "", others), (rule.id, node_id)
    assert shortcut  # some shipped rule takes it
