"""Walk every finding's citations and check each names a value the rule's verdict was computed from."""
from __future__ import annotations


import yaml

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.policies.graph import Documents, build_graph, config_document
from tests.json_pointer import ABSENT, lookup

def problems(results: Results, snapshot: Snapshot, config: EstateConfig) -> list[str]:
    """Every citation that names nothing, or a resource the rule did not read; empty when all hold."""
    snap = snapshot.to_dict()
    with open(config.path, encoding="utf-8") as handle:
        config_doc = yaml.safe_load(handle)
    graph = build_graph(snapshot, config)
    docs = Documents(graph, config_document(config))
    position = {r.id: i for i, r in enumerate(snapshot.resources)}
    out = []
    for f in results.findings:
        cited = (f.evidence, *f.cites)
        for c in cited:
            if c.startswith("config/attest.yaml#"):
                value = lookup(config_doc, c.partition("#")[2])
            else:
                value = lookup(snap, c)
            if value is ABSENT:
                out.append(f"{f.rule_id} {f.resource_id}: {c} names no value")
        if f.resource_id is None or f.resource_id not in graph:
            continue
        if "/resources" in cited:
            out.append(f"{f.rule_id} {f.resource_id}: cites the whole /resources array")
        data = graph.nodes[f.resource_id]
        doc = docs.document(f.resource_id)
        read = {f.resource_id} | {n["id"] for nodes in doc["related"].values() for n in nodes}
        read |= {p for targets in graph.out.get(f.resource_id, {}).values() for p in targets}
        read |= {r.id for r in snapshot.resources if data["type"] == "evidence.scope" and r.scope == data["scope"]}
        read |= {r.id for r in snapshot.resources if any(c == f"/resources/{position[r.id]}" for c in data.get("cited", ()))}
        if data["type"] == "aws.account":  # its facts are computed over the account's trails and recorders
            read |= {r.id for r in snapshot.resources
                     if r.scope == data["scope"] and r.type in ("aws.cloudtrail.trail", "aws.config.recorder")}
        if data["type"] == "aws.ec2.security_group":  # its facts read the endpoints it guards and its VPC
            read |= {s for sources in graph.into.get(f.resource_id, {}).values() for s in sources}
        for c in cited:
            if c.startswith("/resources/"):
                rid = snap["resources"][int(c.split("/")[2])]["id"]
                if rid not in read:
                    out.append(f"{f.rule_id} {f.resource_id}: cites {rid}, which its verdict did not read")
        if data["index"] is not None and not any(c.startswith(f"/resources/{data['index']}") for c in cited):
            out.append(f"{f.rule_id} {f.resource_id}: does not cite the resource judged")
    return out
