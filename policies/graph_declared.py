"""Declared-item nodes: one per thing the estate config says must exist live.

Rules over the live nodes can only judge what was collected; a declared secret, cluster, user,
access-list entry, endpoint or service that is simply absent would leave them nothing to fail on.
Each declared item therefore becomes a `config.declared` node whose facts say whether a live
resource matches it (`found`) and, while none does, which live type and scope its absence is about
(`watches`), so a gap in exactly that type and scope turns the verdict into `error`, not `fail`.
"""
from __future__ import annotations

import ipaddress
from functools import lru_cache, partial
from typing import Any, Callable, Iterator

from attest.collector.config import EstateConfig
from attest.policies.attributes import tag
from attest.policies.estate_graph import EstateGraph
from attest.policies.pointers import config_pointer

NODE_TYPE = "config.declared"
Match = Callable[[dict[str, Any]], bool]
Field = Callable[[dict[str, Any]], Any]
# A live node can match an item only when this field of it equals the item's value: candidates are
# looked up by it (built once per live type and field) instead of scanning every node per item.
Probe = tuple[Field, Any] | None
# (kind, key, live type, scope or "*", region, match, probe, the config entries that declare it)
Item = tuple[str, str, str, str, str | None, Match, Probe, str | tuple[str, ...]]


def _cidr(value: Any) -> str | None:
    return _normalised(str(value))


@lru_cache(maxsize=65536)
def _normalised(text: str) -> str | None:
    """Remembered: each access-list entry's CIDR is parsed for its bucket and again per item it may match."""
    try:
        return str(ipaddress.ip_network(text, strict=False))
    except ValueError:
        return None


def _matches(match: Match, data: dict[str, Any]) -> bool:
    """A live node of an odd shape matches nothing: its own rules report the shape as `error`."""
    try:
        return bool(match(data))
    except (AttributeError, KeyError, TypeError):
        return False


def _secret_name(d: dict[str, Any]) -> Any:
    return d["attributes"].get("Name")


def _name_tag(d: dict[str, Any]) -> Any:
    return tag(d["attributes"], "Name")


def _service_name(d: dict[str, Any]) -> Any:
    return d["attributes"].get("serviceName")


def _atlas_name(d: dict[str, Any]) -> Any:
    return d["attributes"].get("name")


def _endpoint_id(d: dict[str, Any]) -> Any:
    return d["attributes"].get("VpcEndpointId")


def _username(d: dict[str, Any]) -> Any:
    return d["attributes"].get("username")


def _entry_cidr(d: dict[str, Any]) -> Any:
    return _cidr(d["attributes"].get("cidrBlock") or d["attributes"].get("ipAddress"))


def _region_name(d: dict[str, Any]) -> Any:
    return d["attributes"].get("regionName")


def _attribute_is(field: str, wanted: str, d: dict[str, Any]) -> bool:
    return bool(d["attributes"].get(field) == wanted)


def _tag_or_id_is(wanted: str, d: dict[str, Any]) -> bool:
    return wanted in (tag(d["attributes"], "Name"), d["attributes"].get("VpcEndpointId"))


def _paired_with(link: str, d: dict[str, Any]) -> bool:
    return bool(d["facts"].get("privatelink") == link)


def _service_is(service: str, cluster: str, d: dict[str, Any]) -> bool:
    attributes = d["attributes"]
    return bool(attributes.get("serviceName") == service
                and str(attributes.get("clusterArn", "")).endswith(f":cluster/{cluster}"))


def _cidr_is(wanted: str, d: dict[str, Any]) -> bool:
    return bool(_cidr(d["attributes"].get("cidrBlock") or d["attributes"].get("ipAddress")) == wanted)


def _endpoint_items(config: EstateConfig) -> Iterator[Item]:
    """One item per privatelink entry (its paired endpoint) and per aws.vpc_endpoints entry that
    names an endpoint no privatelink entry already names: one missing endpoint is one finding."""
    folded: dict[str, list[str]] = {}
    for i, name in enumerate(config.vpc_endpoint_names):
        owner = next((p.name for p in config.privatelinks if name in (p.vpc_endpoint_name, p.vpc_endpoint_id)), None)
        if owner is not None:
            folded.setdefault(owner, []).append(config_pointer("aws", "vpc_endpoints", i))
            continue
        probe: Probe = (_endpoint_id, name) if name.startswith("vpce-") else (_name_tag, name)
        yield "vpc_endpoint", name, "aws.ec2.vpc_endpoint", "*", None, partial(_tag_or_id_is, name), probe, \
            config_pointer("aws", "vpc_endpoints", i)
    for i, link in enumerate(config.privatelinks):
        key = f"{link.aws_account}/{link.region}/{link.vpc_endpoint_name or link.vpc_endpoint_id or link.name}"
        yield "vpc_endpoint", key, "aws.ec2.vpc_endpoint", link.aws_account, link.region, \
            partial(_paired_with, link.name), None, (config_pointer("privatelink", i), *folded.get(link.name, []))


def _items(config: EstateConfig) -> Iterator[Item]:
    """(kind, key, live type, scope or "*", region, match on a live node's data, probe, the config entry
    that declares it) per declared item."""
    for i, secret in enumerate(config.secrets):
        yield "secret", secret.name, "aws.secretsmanager.secret", "*", None, (
            partial(_attribute_is, "Name", secret.name)), (_secret_name, secret.name), config_pointer("secrets", i)
    yield from _endpoint_items(config)
    for i, svc in enumerate(config.ecs_services):
        yield "ecs_service", f"{svc.account}/{svc.region}/{svc.cluster}/{svc.service}", "aws.ecs.service", svc.account, svc.region, (
            partial(_service_is, svc.service, svc.cluster)), (_service_name, svc.service), config_pointer("ecs", "services", i)
    for p_index, project in enumerate(config.atlas_projects):
        pid = project.id

        def at(*keys: str | int, p_index: int = p_index) -> str:
            return config_pointer("atlas", "projects", p_index, *keys)

        yield "atlas_project", project.name, "atlas.project", pid, None, (lambda d: True), None, at("id")
        for i, cluster in enumerate(project.clusters):
            yield "cluster", f"{project.name}/{cluster.name}", "atlas.cluster", pid, None, (
                partial(_attribute_is, "name", cluster.name)), (_atlas_name, cluster.name), at("clusters", i)
        for i, user in enumerate(project.database_users):
            yield "database_user", f"{project.name}/{user}", "atlas.database_user", pid, None, (
                partial(_attribute_is, "username", user)), (_username, user), at("database_users", i)
        for i, cidr in enumerate(project.access_list):
            yield "access_list_entry", f"{project.name}/{cidr}", "atlas.access_list_entry", pid, None, (
                partial(_cidr_is, cidr)), (_entry_cidr, cidr), at("access_list", i)
        for i, region in enumerate(project.endpoint_service_regions):
            yield "endpoint_service", f"{project.name}/{region}", "atlas.endpoint_service", pid, None, (
                partial(_attribute_is, "regionName", region)), (_region_name, region), at("endpoint_service_regions", i)


def add_declared_nodes(graph: EstateGraph, config: EstateConfig, live_by_type: dict[str, list[str]]) -> None:
    """Add a `config.declared` node per declared item, with `found` / `watches` facts."""
    buckets: dict[tuple[str, Field], dict[Any, list[dict[str, Any]]]] = {}

    def candidates(live_type: str, probe: Probe) -> list[dict[str, Any]]:
        """The live nodes (in id order) that can match: all of the type, or those whose probed field
        has the item's value (a node whose field cannot be read or hashed cannot equal a string)."""
        if probe is None:
            return [graph.nodes[n] for n in live_by_type.get(live_type, ())]
        field, value = probe
        if (live_type, field) not in buckets:
            index: dict[Any, list[dict[str, Any]]] = {}
            for data in (graph.nodes[n] for n in live_by_type.get(live_type, ())):
                try:
                    index.setdefault(field(data), []).append(data)
                except (AttributeError, KeyError, TypeError):
                    continue
            buckets[(live_type, field)] = index
        return buckets[(live_type, field)].get(value, [])

    for kind, key, live_type, scope, region, match, probe, source in _items(config):
        sources = (source,) if isinstance(source, str) else source
        found = next(
            (data for data in candidates(live_type, probe)
             if scope in ("*", data["scope"]) and region in (None, data["region"]) and _matches(match, data)),
            None,
        )
        graph.add_node_data(f"declared:{kind}/{key}", {
            "type": NODE_TYPE, "origin": "config", "scope": scope, "region": region,
            "attributes": {"kind": kind, "name": key, "live_type": live_type},
            "facts": {"found": True if found else None, "watches": None if found else [live_type, scope]},
            "index": None, "cited": (*sources, f"/resources/{found['index']}") if found else sources,
        })
