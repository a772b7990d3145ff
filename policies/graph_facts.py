"""Facts: what the estate config and a node's neighbours say about a live node.

Rules read them as `facts.<name>`; the list per node type is in `policies/graph.py`.
"""
from __future__ import annotations

import datetime as dt
import re
from typing import Any

from attest.collector.config import AtlasProject, EstateConfig
from attest.policies.attributes import dicts, tag
from attest.policies.estate_graph import EstateGraph
from attest.policies.graph_exposure import acl_internet_ports, group_internet_ports
from attest.policies.graph_pairing import atlas_region
from attest.policies.operators import IpNetwork, network

Facts = dict[str, Any]
_MONGODB_NAME = re.compile(r"mongo", re.IGNORECASE)
# IAM's name characters; a session ARN has no path, a role ARN may (role/<path>/<name>).
_SESSION = re.compile(r"^arn:(aws[a-z-]*):sts::(\d{12}):assumed-role/([\w+=,.@-]+)/[\w+=,.@-]+$", re.ASCII)
_ROLE = re.compile(r"^arn:(aws[a-z-]*):iam::(\d{12}):role/(?:[^/]+/)*([\w+=,.@-]+)$", re.ASCII)


class _Lookups:
    """The config's lists as sets and maps, built once per graph rather than scanned per node."""

    def __init__(self, config: EstateConfig) -> None:
        self.config = config
        self.projects = {key: config.project(key) for p in config.atlas_projects for key in (p.id, p.name)}
        self.secret_names = {s.name for s in config.secrets}
        self.ecs_services = {(s.account, s.region, s.cluster, s.service) for s in config.ecs_services}
        self.endpoint_names = set(config.vpc_endpoint_names)
        self._sets: dict[tuple[str, int], frozenset[str]] = {}
        self._reach: dict[int, Facts] = {}
        self._ranges: dict[int, tuple[IpNetwork, ...]] = {}
        self._vpc_cidrs: dict[str, list[str]] = {}
        self._prefix_lists: dict[tuple[Any, Any, Any], list[str]] | None = None
        self._subnets: dict[tuple[Any, Any], frozenset[str]] | None = None
        self.collected_at = dt.datetime.min.replace(tzinfo=dt.timezone.utc)
        self.principals = frozenset(config.deploy_principals)
        self.roles: dict[tuple[str, ...], str] = {}  # (partition, account, role name) -> the declared role ARN
        for principal in config.deploy_principals:
            if found := _ROLE.match(principal):
                self.roles.setdefault(found.groups(), principal)

    def subnet_ids(self, graph: EstateGraph, scope: Any, region: Any) -> frozenset[str]:
        """The SubnetIds collected in one account and region."""
        if self._subnets is None:
            found: dict[tuple[Any, Any], set[str]] = {}
            for _, data in graph.nodes.items():
                if data["type"] == "aws.ec2.subnet" and isinstance(data["attributes"].get("SubnetId"), str):
                    found.setdefault((data["scope"], data["region"]), set()).add(data["attributes"]["SubnetId"])
            self._subnets = {key: frozenset(ids) for key, ids in found.items()}
        return self._subnets.get((scope, region), frozenset())

    def prefix_cidrs(self, graph: EstateGraph, scope: Any, region: Any, list_id: Any) -> list[str] | None:
        """The CIDRs of a collected managed prefix list, or None when it was not collected."""
        if self._prefix_lists is None:
            self._prefix_lists = {}
            for _, data in graph.nodes.items():
                if data["type"] == "aws.ec2.prefix_list":
                    attrs = data["attributes"]
                    cidrs = [str(e.get("Cidr")) for e in dicts(attrs.get("Entries"))]  # "None" is no range: judged open
                    self._prefix_lists[(data["scope"], data["region"], attrs.get("PrefixListId"))] = cidrs
        return self._prefix_lists.get((scope, region, list_id))

    def vpc_cidrs(self, graph: EstateGraph, vpc: str) -> list[str]:
        """A VPC's CIDR blocks (primary, then associated), normalised and each once."""
        if vpc not in self._vpc_cidrs:
            attrs = graph.nodes[vpc]["attributes"]
            blocks = [a.get("CidrBlock") for a in dicts(attrs.get("CidrBlockAssociationSet"))]
            cidrs: list[str] = []
            for block in [attrs.get("CidrBlock"), *blocks]:
                net = network(block)
                if net is not None and str(net) not in cidrs:
                    cidrs.append(str(net))
            self._vpc_cidrs[vpc] = cidrs
        return self._vpc_cidrs[vpc]

    def principal(self, arn: Any) -> Any:
        """The IAM principal behind `arn` as aws.deploy_principals names principals: a role session
        (arn:aws:sts::A:assumed-role/R/S) becomes its role. A session ARN drops the role's path, so
        the role is the declared one of that account and name (IAM role names are unique in an
        account whatever the path), else arn:aws:iam::A:role/R. Anything else, and a session the
        config declares itself, is left as it is."""
        found = _SESSION.match(arn) if isinstance(arn, str) and arn not in self.principals else None
        if found is None:
            return arn
        partition, account, name = found.groups()
        return self.roles.get((partition, account, name), f"arn:{partition}:iam::{account}:role/{name}")

    def project(self, scope: Any) -> AtlasProject | None:
        return self.projects.get(scope) if isinstance(scope, str) else None

    def access_list(self, project: AtlasProject | None) -> frozenset[str]:
        key = ("access", id(project))
        if key not in self._sets:
            self._sets[key] = frozenset(project.access_list if project else ())
        return self._sets[key]

    def access_ranges(self, project: AtlasProject | None) -> tuple[IpNetwork, ...]:
        key = id(project)
        if key not in self._ranges:
            self._ranges[key] = tuple(n for n in (network(r) for r in (project.access_ranges if project else ())) if n)
        return self._ranges[key]

    def database_users(self, project: AtlasProject | None) -> frozenset[str]:
        key = ("users", id(project))
        if key not in self._sets:
            self._sets[key] = frozenset(project.database_users if project else ())
        return self._sets[key]

    def reference_reach(self, project: AtlasProject | None) -> Facts:
        """A project's reference clusters and databases (the same for each of its users)."""
        key = id(project)
        if key not in self._reach:
            clusters = [c for c in (project.clusters if project else ()) if c.role == "reference"]
            names = {f"{project.name}/{k.name}" for k in clusters} if project else set()
            self._reach[key] = {
                "reference_clusters": sorted(c.name for c in clusters),
                "reference_databases": sorted(
                    {d for c in clusters for d in c.databases} | {c.database for c in self.config.collections if c.cluster in names}
                ),
            }
        return self._reach[key]


def live_facts(graph: EstateGraph, config: EstateConfig, collected_at: dt.datetime) -> dict[str, Facts]:
    """Facts for every live node whose type has any (first endpoints, then what depends on them)."""
    out: dict[str, Facts] = {}
    lookups = _Lookups(config)
    lookups.collected_at = collected_at
    order = [
        ("aws.ec2.vpc_endpoint", _vpc_endpoint),
        ("aws.ec2.security_group", _security_group),
        ("aws.ec2.network_acl", _network_acl),
        ("atlas.endpoint_service", _endpoint_service),
        ("atlas.interface_endpoint", _interface_endpoint),
        ("aws.secretsmanager.secret", _secret),
        ("aws.ecs.service", _ecs_service),
        ("aws.ecs.task_definition", _task_definition),
        ("atlas.cluster", _atlas_cluster),
        ("atlas.access_list_entry", _access_entry),
        ("atlas.database_user", _database_user),
        ("aws.acm.certificate", _certificate),
        ("atlas.audit_log", _project_only),
        ("atlas.encryption_at_rest", _project_only),
    ]
    # Only the types that have facts, each in id order: sorting every node (100,000 and more) cost more.
    by_type: dict[str, list[tuple[str, dict[str, Any]]]] = {node_type: [] for node_type, _ in order}
    for node_id, data in graph.nodes.items():
        of_type = by_type.get(data["type"])
        if of_type is not None and data["origin"] == "live":
            of_type.append((node_id, data))
    for node_type, build in order:
        atlas = node_type.startswith("atlas.")  # only Atlas nodes carry their project's facts
        for node_id, data in sorted(by_type[node_type], key=_first):
            facts = build(graph, node_id, data, lookups, out)
            if atlas:
                facts = {**_project_facts(data, lookups), **facts}
            out[node_id] = facts
            data["facts"] = facts
    return out


def _first(item: tuple[str, dict[str, Any]]) -> str:
    return item[0]


def _project_facts(data: dict[str, Any], lookups: _Lookups) -> Facts:
    if not str(data["type"]).startswith("atlas."):
        return {}
    project = lookups.project(data["scope"])
    return {"project_name": project.name if project else None, "project_role": project.role if project else None}


def _vpc_endpoint(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    """Declared when aws.vpc_endpoints names it (Name tag or id) or a privatelink entry pairs it."""
    name = tag(data["attributes"], "Name")
    ident = data["attributes"].get("VpcEndpointId")
    link = graph.pairing.link_of.get(node) if graph.pairing else None
    return {"name": name, "declared": name in lookups.endpoint_names or ident in lookups.endpoint_names or link is not None,
            "privatelink": link}


def _security_group(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    """The link whose paired endpoint this group guards, its ports, and the group's VPC CIDRs."""
    guarding = sorted(
        done[e]["privatelink"] for e in graph.sources(node, "guarded_by") if done.get(e, {}).get("privatelink")
    )
    link = next((p for p in lookups.config.privatelinks if p.name == guarding[0]), None) if guarding else None
    cidrs: list[str] = []
    for vpc in graph.targets(node, "in_vpc"):
        for cidr in lookups.vpc_cidrs(graph, vpc):
            if cidr not in cidrs:
                cidrs.append(cidr)
    return {
        "privatelink": link.name if link else None,
        "port_ranges": [list(r) for r in link.port_ranges] if link else [],
        "vpc_cidrs": cidrs,
        "internet_ports": group_internet_ports(
            data["attributes"], lambda list_id: lookups.prefix_cidrs(graph, data["scope"], data["region"], list_id)
        ),
    }


def _network_acl(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    """The TCP ports the ACL admits from the internet (entries in rule order), and the collected
    subnets it is associated with: an association naming no existing subnet filters nothing."""
    wanted = {a.get("SubnetId") for a in dicts(data["attributes"].get("Associations"))}
    return {
        "internet_ports": acl_internet_ports(data["attributes"]),
        "subnets": sorted(s for s in lookups.subnet_ids(graph, data["scope"], data["region"]) if s in wanted),
    }


def _endpoint_service(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    pairs = sorted(done[e]["privatelink"] for e in graph.sources(node, "pairs_with") if done.get(e, {}).get("privatelink"))
    if not pairs:
        project = lookups.project(data["scope"])
        pairs = sorted(
            p.name for p in lookups.config.privatelinks
            if project and lookups.project(p.atlas_project) == project
            and atlas_region(p.atlas_region) == atlas_region(data["attributes"].get("regionName"))
        )
    return {"privatelink": pairs[0] if pairs else None}


def _interface_endpoint(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    services = graph.targets(node, "interface_of")
    return {"privatelink": done.get(services[0], {}).get("privatelink") if services else None}


def _secret(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    """In scope as a connection string: declared in config, tagged with a data class, or named mongo*."""
    name = str(data["attributes"].get("Name") or "")
    in_config = name in lookups.secret_names
    tagged = tag(data["attributes"], "data_class") is not None
    return {"in_config": in_config, "connection_string": in_config or tagged or bool(_MONGODB_NAME.search(name))}


def _ecs_service(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    attrs = data["attributes"]
    cluster = str(attrs.get("clusterArn") or "").rsplit("/", 1)[-1]
    service = attrs.get("serviceName")
    return {"declared": isinstance(service, str) and (data["scope"], data["region"], cluster, service) in lookups.ecs_services}


def _task_definition(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    """Who registered the revision: ECS names a role's session, the estate config its role."""
    return {"registered_by": lookups.principal(data["attributes"].get("registeredBy"))}


def _atlas_cluster(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    project = lookups.project(data["scope"])
    declared = next((c for c in (project.clusters if project else ()) if c.name == data["attributes"].get("name")), None)
    return {"declared": declared is not None, "role": declared.role if declared else None}


def _access_entry(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    attrs = data["attributes"]
    net = network(attrs.get("cidrBlock")) or network(attrs.get("ipAddress"))
    project = lookups.project(data["scope"])
    cidr = str(net) if net is not None else None
    listed = cidr in lookups.access_list(project) if cidr else (
        attrs.get("awsSecurityGroup") in (project.access_list if project else ())
    )
    within = None if listed or net is None else next(
        (str(r) for r in lookups.access_ranges(project) if r.version == net.version and net.subnet_of(r)),  # type: ignore[arg-type]
        None
    )
    return {"cidr": cidr, "declared": bool(listed or within), "within_range": within}


def _certificate(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    """Whole days from the collection to NotAfter (null when NotAfter cannot be read: fails gte)."""
    try:
        not_after = dt.datetime.fromisoformat(str(data["attributes"].get("NotAfter")).replace("Z", "+00:00"))
    except ValueError:
        return {"days_to_expiry": None}
    if not_after.tzinfo is None:
        return {"days_to_expiry": None}
    return {"days_to_expiry": (not_after - lookups.collected_at).days}


def _project_only(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    """Project-wide settings carry only their project's name and role."""
    return {}


def _database_user(graph: EstateGraph, node: str, data: dict[str, Any], lookups: _Lookups, done: dict[str, Facts]) -> Facts:
    project = lookups.project(data["scope"])
    username = data["attributes"].get("username")
    reach = lookups.reference_reach(project)
    return {
        "declared": isinstance(username, str) and username in lookups.database_users(project),
        "reference_clusters": list(reach["reference_clusters"]),
        "reference_databases": list(reach["reference_databases"]),
    }
