"""What a finding cites: the resources and estate-config entries its verdict was computed from.

A rule reads its node, the nodes one hop away (`related.<kind>`), the node's facts (computed from
the config and neighbours) and `config.<key>`; each of those becomes a citation, so an auditor can
follow every input of a verdict to its bytes. Live nodes are cited as `/resources/N` (a JSON
pointer into the snapshot), config entries as `config/attest.yaml#/json/pointer` into the bundled
estate config. A citation of a field that is absent points at the nearest existing parent, and the
missing keys are recorded beside it (`Finding.missing`): a finding about a missing `comment` must
never make its own evidence unresolvable.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from attest.collector.config import EstateConfig
from attest.policies.estate_graph import EstateGraph
from attest.policies.graph_accounts import FACT_SOURCES as ACCOUNT_FACT_SOURCES
from attest.policies.pointers import config_pointer
from attest.policies.rule_schema import Rule

_UNSEEN = object()  # a node whose pointer is not yet remembered (None is a pointer's answer too)
_RELATED = re.compile(r"related\.([A-Za-z_]+)(\[0\])?")
_FACT = re.compile(r"facts\.([A-Za-z_]+)")
_CONFIG_KEY = re.compile(r"config\.([A-Za-z_]+)")
# The facts `CitationIndex._fact_sources` finds sources for; every other fact (ports, CIDRs, days,
# subnets, a role) is worked out from the node's own attributes and the config, and cites nothing
# beyond the node (tests hold `_fact_sources` to no source for them on the seeded estate).
SOURCED_FACTS = frozenset({
    "found", "watches", "baa_vendors", "privatelink", "port_ranges", "vpc_cidrs", "project_name", "project_role",
    "reference_clusters", "reference_databases", "connection_string", "declared", *ACCOUNT_FACT_SOURCES,
})


class ConfigEntries:
    """Where each declared thing sits in the estate config, for citations (built once per run)."""

    def __init__(self, config: EstateConfig) -> None:
        self.config = config
        self.project_index = {key: i for i, p in enumerate(config.atlas_projects) for key in (p.id, p.name)}
        self.link_index = {p.name: i for i, p in enumerate(config.privatelinks)}
        self.secret_names = tuple(s.name for s in config.secrets)
        self.secret_names_set = frozenset(self.secret_names)
        self.service_keys = tuple(f"{s.account}/{s.region}/{s.cluster}/{s.service}" for s in config.ecs_services)
        # value -> first position, per config list: a lookup per finding, never a scan of the list
        # (an estate declares tens of thousands of secrets and services).
        self._positions: dict[tuple[str, ...], dict[Any, int]] = {}
        self._keys: dict[str, list[str]] = {}

    def project(self, scope: Any, *rest: str | int) -> list[str]:
        index = self.project_index.get(scope) if isinstance(scope, str) else None
        return [] if index is None else [config_pointer("atlas", "projects", index, *rest)]

    def listed(self, section: tuple[str, ...], values: tuple[str, ...], value: Any) -> list[str]:
        """The entry equal to `value` in a config list, else the whole list (when it has entries)."""
        positions = self._positions.get(section)
        if positions is None:
            positions = self._positions[section] = {}
            for i, item in enumerate(values):
                positions.setdefault(item, i)
        try:
            index = positions.get(value)
        except TypeError:  # an unhashable value read from an odd resource is in no config list
            index = None
        if index is not None:
            return [config_pointer(*section, index)]
        return [config_pointer(*section)] if values else []

    def link(self, name: Any, *rest: str) -> list[str]:
        index = self.link_index.get(name) if isinstance(name, str) else None
        return [] if index is None else [config_pointer("privatelink", index, *rest)]

    def key(self, key: str) -> list[str]:
        """Config entries behind `config.<key>` of the node document (see graph.config_document)."""
        found = self._keys.get(key)
        if found is None:
            found = self._keys[key] = self._key(key)
        return list(found)

    def _key(self, key: str) -> list[str]:
        c = self.config
        sources: dict[str, tuple[tuple[str, ...], bool]] = {
            "approved_access_ranges": (("atlas", "approved_access_ranges"), bool(c.approved_ranges)),
            "deploy_principals": (("aws", "deploy_principals"), bool(c.deploy_principals)),
            "provenance_tags": (("aws", "provenance_tags"), bool(c.provenance_tags)),
            "vpc_endpoint_names": (("aws", "vpc_endpoints"), bool(c.vpc_endpoint_names)),
            "mongodb_ports": (("privatelink",), bool(c.privatelinks)),
            "privatelinks": (("privatelink",), bool(c.privatelinks)),
            "connection_env_vars": (("secrets",), bool(c.secrets)),
            "secrets": (("secrets",), bool(c.secrets)),
            "ecs_services": (("ecs", "services"), bool(c.ecs_services)),
            "clusters": (("atlas", "projects"), bool(c.atlas_projects)),
        }
        path, present = sources.get(key, ((), False))
        return [config_pointer(*path)] if present else []


def node_pointer(graph: EstateGraph, node_id: str) -> str | None:
    """A live node's `/resources/N`, a config node's entry in the estate config, else None."""
    data = graph.nodes[node_id]
    if data.get("index") is not None:
        return f"/resources/{data['index']}"
    cited = data.get("cited")
    return cited[0] if cited else None


def _declared_sources(data: dict[str, Any], node_type: str, entries: ConfigEntries) -> list[str]:
    config, attrs, facts, scope = entries.config, data["attributes"], data["facts"], data["scope"]
    if node_type == "aws.ec2.vpc_endpoint":
        return entries.listed(("aws", "vpc_endpoints"), config.vpc_endpoint_names, facts.get("name"))
    if node_type == "aws.ecs.service":
        cluster = str(attrs.get("clusterArn") or "").rsplit("/", 1)[-1]
        return entries.listed(("ecs", "services"), entries.service_keys, f"{scope}/{data['region']}/{cluster}/{attrs.get('serviceName')}")
    project = config.project(scope) if isinstance(scope, str) else None
    index = entries.project_index.get(scope) if isinstance(scope, str) else None
    if project is None or index is None:
        return []
    base = ("atlas", "projects", str(index))
    if node_type == "atlas.cluster":
        return entries.listed((*base, "clusters"), tuple(c.name for c in project.clusters), attrs.get("name")) or entries.project(scope)
    if node_type == "atlas.database_user":
        return entries.listed((*base, "database_users"), project.database_users, attrs.get("username")) or entries.project(scope)
    if node_type == "atlas.access_list_entry":
        return entries.listed((*base, "access_list"), project.access_list, facts.get("cidr")) or entries.project(scope)
    return []


@dataclass(frozen=True)
class RuleReads:
    """What a rule's expressions read, in order: related kinds (with "first only"), facts and config
    keys. Parsed once per rule per evaluation, not once per finding."""

    kinds: tuple[tuple[str, bool], ...]
    facts: tuple[str, ...]
    keys: tuple[str, ...]

    @classmethod
    def of(cls, rule: Rule) -> RuleReads:
        kinds: list[tuple[str, bool]] = []
        facts: list[str] = []
        keys: list[str] = []
        for text in rule.expressions():
            kinds += [(kind, bool(first)) for kind, first in _RELATED.findall(text) if (kind, bool(first)) not in kinds]
            facts += [f for f in _FACT.findall(text) if f not in facts]
            keys += [k for k in _CONFIG_KEY.findall(text.replace("related.", "")) if k not in keys]
        return cls(tuple(kinds), tuple(facts), tuple(keys))


class CitationIndex:
    """Every pointer a verdict was computed from, for one graph and config (built once per run).

    A node is judged by several rules that read the same things (its own pointer, a neighbour, a
    fact); each is worked out once per node and reused, and an account's trails and recorders are
    looked up by account rather than found by scanning the graph for every account finding.
    """

    def __init__(self, graph: EstateGraph, entries: ConfigEntries) -> None:
        self.graph = graph
        self.nodes = graph.nodes
        self.entries = entries
        self._pointers: dict[str, str | None] = {}
        self._facts: dict[str, dict[str, tuple[str, ...]]] = {}  # fact -> node -> sources
        self._by_type_scope: dict[tuple[str, Any], list[str]] | None = None
        self._owns: dict[str, tuple[str, ...]] = {}
        self._key_sources: dict[tuple[str, ...], tuple[str, ...]] = {}
        self._memos: dict[RuleReads, tuple[dict[str, tuple[str, ...]], dict[str, tuple[str, str, tuple[str, ...]]]]] = {}

    def pointer(self, node_id: str) -> str | None:
        """`node_pointer`, remembered (looked up, not caught: a KeyError per node cost more than the pointer)."""
        pointer = self._pointers.get(node_id, _UNSEEN)
        if pointer is _UNSEEN:
            pointer = self._pointers[node_id] = node_pointer(self.graph, node_id)
        return pointer  # type: ignore[return-value]  # not _UNSEEN: replaced above

    def reading(self, reads: RuleReads) -> ReadCitations:
        """The citations of a rule that reads `reads`, sharing what rules that cite the same worked out:
        facts without sources of their own are left out, so rules that differ only in those share their
        tuples (two of the four security-group rules read `internet_ports` and nothing else).
        The index keeps the memos, not the `ReadCitations`: a reference back would be a cycle, and
        the graph behind it would wait for the cyclic collector (1.7 million objects, 1.7 s)."""
        cited = RuleReads(reads.kinds, tuple(f for f in reads.facts if f in SOURCED_FACTS), reads.keys)
        memos = self._memos.get(cited)
        if memos is None:
            memos = self._memos[cited] = ({}, {})
        return ReadCitations(self, cited, *memos)

    def cites_of(self, reads: RuleReads, node_id: str, doc: dict[str, Any]) -> tuple[str, ...]:
        """Every pointer a verdict on this node that read `reads` was computed from, the node's own first:
        gathered in order, then each kept once where it first appears."""
        found = list(self.own(node_id))
        if reads.kinds:
            related = doc["related"]
            for kind, first in reads.kinds:
                targets = related.get(kind, [])
                for target in targets[:1] if first else targets:
                    pointer = self.pointer(target["id"])
                    if pointer:
                        found.append(pointer)
        for fact in reads.facts:
            found += self.fact_sources(node_id, fact)
        found += self.keys_of(reads)
        return tuple(dict.fromkeys(found))

    def own(self, node_id: str) -> tuple[str, ...]:
        """The node's pointer, then the config entries it stands for: read by every rule of its type."""
        found = self._owns.get(node_id)
        if found is None:
            own = self.pointer(node_id)
            cited = self.nodes[node_id].get("cited")
            if not cited:  # a live resource: its pointer alone
                found = self._owns[node_id] = (own,) if own else ()
            else:
                found = self._owns[node_id] = tuple(dict.fromkeys(p for p in (own, *cited) if p))
        return found

    def keys_of(self, reads: RuleReads) -> tuple[str, ...]:
        """The config entries behind every `config.<key>` the rule reads, in order: the same for every node."""
        found = self._key_sources.get(reads.keys)
        if found is None:
            found = self._key_sources[reads.keys] = tuple(p for key in reads.keys for p in self.entries.key(key) if p)
        return found

    def fact_sources(self, node_id: str, fact: str) -> tuple[str, ...]:
        """Where one fact of a node came from: config entries and the neighbours it was computed over."""
        memo = self._facts.get(fact)
        if memo is None:
            memo = self._facts[fact] = {}
        found = memo.get(node_id)
        if found is None:
            found = memo[node_id] = tuple(p for p in self._fact_sources(node_id, fact) if p)
        return found

    def _fact_sources(self, node_id: str, fact: str) -> list[str]:
        data, entries = self.nodes[node_id], self.entries
        facts, attrs, scope = data["facts"], data["attributes"], data["scope"]
        if fact in ("found", "watches", "baa_vendors"):
            return list(data.get("cited", ()))
        if fact in ("privatelink", "port_ranges"):
            return entries.link(facts.get("privatelink"), *(("ports",) if fact == "port_ranges" else ()))
        if fact == "vpc_cidrs":
            return [p for v in self.graph.targets(node_id, "in_vpc") if (p := self.pointer(v))]
        if fact in ("project_name", "project_role"):
            return entries.project(scope, "role" if fact == "project_role" else "name")
        if fact in ("reference_clusters", "reference_databases"):
            return entries.project(scope, "clusters")
        if fact == "connection_string":
            name = attrs.get("Name")
            return entries.listed(("secrets",), entries.secret_names, name) if isinstance(name, str) and name in entries.secret_names_set else []
        if fact == "declared":
            return _declared_sources(data, data["type"], entries)
        if fact in ACCOUNT_FACT_SOURCES:  # an account's facts are computed over its trails or recorders
            return self._of_type_in(ACCOUNT_FACT_SOURCES[fact], scope)
        return []

    def _of_type_in(self, node_type: str, scope: Any) -> list[str]:
        """The sorted pointers of every node of one type in one scope (indexed on first use)."""
        if self._by_type_scope is None:
            index: dict[tuple[str, Any], list[str]] = {}
            for node_id, data in self.nodes.items():
                if data["type"] in ACCOUNT_FACT_SOURCES.values() and (p := self.pointer(node_id)):
                    index.setdefault((data["type"], data["scope"]), []).append(p)
            self._by_type_scope = {key: sorted(pointers) for key, pointers in index.items()}
        return list(self._by_type_scope.get((node_type, scope), ()))


class ReadCitations:
    """The citations of the verdicts of rules that read the same things (`CitationIndex.reading`):
    worked out once per node, and shared by those rules' findings (the tuples, not copies)."""

    def __init__(self, index: CitationIndex, reads: RuleReads, cites: dict[str, tuple[str, ...]],
                 whole: dict[str, tuple[str, str, tuple[str, ...]]]) -> None:
        self.index = index
        self.reads = reads
        self._cites = cites
        self._whole = whole
        # What a whole verdict on a live resource cites besides it, when the rule reads only config
        # keys: the keys' entries, each once, the same tuple for every node. None when some entry could
        # be the resource's pointer or a parent of it (`/...` or empty), and the general path decides.
        tail = tuple(dict.fromkeys(index.keys_of(reads)))
        plain = not reads.kinds and not reads.facts and all(c and not c.startswith("/") for c in tail)
        self._tail = tail if plain else None

    def cites(self, node_id: str, doc: dict[str, Any]) -> tuple[str, ...]:
        """Every pointer the verdict on this node was computed from, the node's own first."""
        found = self._cites.get(node_id)
        if found is None:
            found = self._cites[node_id] = self.index.cites_of(self.reads, node_id, doc)
        return found

    def whole(self, node_id: str, doc: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
        """(evidence, missing, cites) of a verdict that cites its node as a whole (a pass, an error):
        the node's pointer, and every other input; most findings are such verdicts."""
        found = self._whole.get(node_id)
        if found is None:
            own = self.index.pointer(node_id) or "/resources"
            if self._tail is not None and own.startswith("/resources/") and self.index.own(node_id) == (own,):
                found = self._whole[node_id] = (own, "", self._tail)  # cites_of's answer, own left out
                return found
            cites = self._cites.get(node_id)  # not kept when worked out here: few nodes also fail a rule
            if cites is None:
                cites = self.index.cites_of(self.reads, node_id, doc)
            found = self._whole[node_id] = (own, "", tuple(c for c in cites if c != own and not own.startswith(c + "/")))
        return found

    def bare(self, node_id: str, doc: dict[str, Any]) -> tuple[str, str, tuple[str, ...]]:
        """`whole`'s evidence without the other inputs: for verdicts not kept as evidence (`Results.evidence`)."""
        return (self.index.pointer(node_id) or "/resources", "", ())
