"""Account nodes: one per AWS account in the estate config, with what its change evidence shows.

CC8.1 asks whether the account as a whole records changes: a trail that covers every region with
log-file validation, and an AWS Config recorder on in each region in scope. Those are facts about
the account, not about any one trail or recorder, so they live on an `aws.account` node.
"""
from __future__ import annotations

from typing import Any

from attest.collector.config import EstateConfig
from attest.policies.estate_graph import EstateGraph
from attest.policies.pointers import config_pointer

NODE_TYPE = "aws.account"
# Each fact of an account is computed from one type of resource in that account, and nothing else:
# when those could not be read there, the fact is not evidence (see the engine).
FACT_SOURCES = {"trails": "aws.cloudtrail.trail", "regions_without_recorder": "aws.config.recorder"}
INPUTS = frozenset(FACT_SOURCES.values())


def add_account_nodes(graph: EstateGraph, config: EstateConfig, by_type: dict[str, list[str]]) -> None:
    """`account:aws/<id>` per configured account, facts `trails` and `regions_without_recorder`."""
    trails: dict[str, list[dict[str, Any]]] = {}
    for node_id in by_type.get("aws.cloudtrail.trail", []):
        data = graph.nodes[node_id]
        attrs, status = data["attributes"], data["attributes"].get("Status") or {}
        trails.setdefault(data["scope"], []).append({
            "name": attrs.get("Name"),
            "home_region": attrs.get("HomeRegion"),
            "multi_region": attrs.get("IsMultiRegionTrail") is True,
            "log_file_validation": attrs.get("LogFileValidationEnabled") is True,
            "logging": isinstance(status, dict) and status.get("IsLogging") is True,
        })
    recording: dict[str, set[str]] = {}
    for node_id in by_type.get("aws.config.recorder", []):
        data = graph.nodes[node_id]
        if _records_everything(data["attributes"]):
            recording.setdefault(data["scope"], set()).add(str(data["region"]))
    for position, account in enumerate(config.aws_accounts):
        graph.add_node(
            f"account:aws/{account.id}", type=NODE_TYPE, origin="config", scope=account.id, region=None,
            attributes={"account": account.id, "regions": list(account.regions)},
            facts={
                "trails": sorted(trails.get(account.id, []), key=lambda t: str(t["name"])),
                "regions_without_recorder": sorted(set(account.regions) - recording.get(account.id, set())),
            },
            index=None, cited=(config_pointer("aws", "accounts", position),),  # the account as declared
        )


def _records_everything(attributes: dict[str, Any]) -> bool:
    group = attributes.get("recordingGroup") or {}
    status = attributes.get("Status") or {}
    return isinstance(group, dict) and group.get("allSupported") is True and isinstance(status, dict) and status.get("recording") is True
