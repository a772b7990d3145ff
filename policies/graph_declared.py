"""Declared-item nodes: one per thing the estate config says must exist live.

Rules over the live nodes can only judge what was collected; a declared secret, cluster, user,
access-list entry, endpoint or service that is simply absent would leave them nothing to fail on.
Each declared item therefore becomes a `config.declared` node whose facts say whether a live
resource matches it (`found`) and, while none does, which live type and scope its absence is about
(`watches`), so a gap in exactly that type and scope turns the verdict into `error`, not `fail`.
"""
from __future__ import annotations

import ipaddress
from typing import Any, Callable, Iterator

import networkx as nx

from collector.config import EstateConfig

NODE_TYPE = "config.declared"
Match = Callable[[dict[str, Any]], bool]


def _cidr(value: Any) -> str | None:
    try:
        return str(ipaddress.ip_network(str(value), strict=False))
    except ValueError:
        return None


def _tag(attributes: dict[str, Any], key: str) -> Any:
    tags = attributes.get("Tags")
    if not isinstance(tags, list):
        return None
    return next((t.get("Value") for t in tags if isinstance(t, dict) and t.get("Key") == key), None)


def _matches(match: Match, data: dict[str, Any]) -> bool:
    """A live node of an odd shape matches nothing: its own rules report the shape as `error`."""
    try:
        return bool(match(data))
    except (AttributeError, KeyError, TypeError):
        return False


def _items(config: EstateConfig) -> Iterator[tuple[str, str, str, str, str | None, Match]]:
    """(kind, key, live type, scope or "*", region, match on a live node's data) per declared item."""
    for secret in config.secrets:
        yield "secret", secret.name, "aws.secretsmanager.secret", "*", None, (
            lambda d, n=secret.name: d["attributes"].get("Name") == n)
    names = {(n, "*", None) for n in config.vpc_endpoint_names}
    names |= {(p.vpc_endpoint_name, p.aws_account, p.region) for p in config.privatelinks}
    for name, account, region in sorted(names, key=lambda t: (t[0], t[1], t[2] or "")):
        key = name if account == "*" else f"{account}/{region}/{name}"
        yield "vpc_endpoint", key, "aws.ec2.vpc_endpoint", account, region, (
            lambda d, n=name: _tag(d["attributes"], "Name") == n)
    for svc in config.ecs_services:
        yield "ecs_service", f"{svc.cluster}/{svc.service}", "aws.ecs.service", svc.account, svc.region, (
            lambda d, s=svc: d["attributes"].get("serviceName") == s.service
            and str(d["attributes"].get("clusterArn", "")).endswith(f":cluster/{s.cluster}"))
    for project in config.atlas_projects:
        pid = project.id
        yield "atlas_project", project.name, "atlas.project", pid, None, (lambda d: True)
        for cluster in project.clusters:
            yield "cluster", f"{project.name}/{cluster.name}", "atlas.cluster", pid, None, (
                lambda d, n=cluster.name: d["attributes"].get("name") == n)
        for user in project.database_users:
            yield "database_user", f"{project.name}/{user}", "atlas.database_user", pid, None, (
                lambda d, u=user: d["attributes"].get("username") == u)
        for cidr in project.access_list:
            yield "access_list_entry", f"{project.name}/{cidr}", "atlas.access_list_entry", pid, None, (
                lambda d, c=cidr: _cidr(d["attributes"].get("cidrBlock") or d["attributes"].get("ipAddress")) == c)
        for region in project.endpoint_service_regions:
            yield "endpoint_service", f"{project.name}/{region}", "atlas.endpoint_service", pid, None, (
                lambda d, r=region: d["attributes"].get("regionName") == r)


def add_declared_nodes(graph: nx.MultiDiGraph, config: EstateConfig, live_by_type: dict[str, list[str]]) -> None:
    """Add a `config.declared` node per declared item, with `found` / `watches` facts."""
    for kind, key, live_type, scope, region, match in _items(config):
        candidates = (graph.nodes[n] for n in live_by_type.get(live_type, ()))
        found = next(
            (data for data in candidates
             if scope in ("*", data["scope"]) and region in (None, data["region"]) and _matches(match, data)),
            None,
        )
        node_id = f"declared:{kind}/{key}"
        graph.add_node(
            node_id, type=NODE_TYPE, origin="config", scope=scope, region=region,
            attributes={"kind": kind, "name": key, "live_type": live_type},
            facts={"found": True if found else None, "watches": None if found else [live_type, scope]},
            index=None,
        )
