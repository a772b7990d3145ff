"""The edges between live resources (and from them to config data stores) of the estate graph.

Each `_link_*` function draws one family of edge kinds documented in `policies/graph.py`.
"""
from __future__ import annotations

from typing import Any, Iterable

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Resource
from attest.policies.attributes import dicts, listed
from attest.policies.estate_graph import EstateGraph
from attest.policies.graph_pairing import atlas_region, pair_endpoints


# The types `find` looks up, the targets of in_vpc, in_subnet, guarded_by, registers, encrypted_by
# and runs: only their identifiers are indexed (most resources are never the target of a reference).
_FOUND_TYPES = frozenset({"aws.ec2.vpc", "aws.ec2.subnet", "aws.ec2.security_group", "aws.ec2.vpc_endpoint",
                          "aws.kms.key", "aws.ecs.task_definition"})
# The attributes a resource is known by besides its id, in order; VpcId names only a VPC itself.
_KEY_FIELDS = ("SubnetId", "GroupId", "VpcEndpointId", "KeyId", "ARN", "Name", "id", "name")
_VPC_KEY_FIELDS = ("VpcId", *_KEY_FIELDS)


class _Index:
    """Lookups from the identifiers resources use to refer to each other, to node ids."""

    def __init__(self, resources: list[Resource]) -> None:
        self.by_type: dict[str, list[Resource]] = {}
        self.by_key: dict[str, dict[str, str]] = {node_type: {} for node_type in _FOUND_TYPES}  # type -> key -> id
        for r in resources:
            self.by_type.setdefault(r.type, []).append(r)
            keyed = self.by_key.get(r.type)
            if keyed is not None:
                for key in self._keys(r):
                    keyed.setdefault(key, r.id)
        self.secret_arns: dict[str, tuple[int, str]] = {}
        self.secret_names: dict[str, tuple[int, str]] = {}
        self._secrets_named: dict[str, str | None] = {}
        for position, r in enumerate(self.of("aws.secretsmanager.secret")):
            self.secret_arns.setdefault(str(r.attributes.get("ARN", r.id)), (position, r.id))
            name = r.attributes.get("Name")
            if isinstance(name, str):
                self.secret_names.setdefault(name, (position, r.id))

    @staticmethod
    def _keys(r: Resource) -> list[str]:
        a = r.attributes
        keys = [r.id]
        keys += [value for value in map(a.get, _VPC_KEY_FIELDS if r.type == "aws.ec2.vpc" else _KEY_FIELDS)
                 if isinstance(value, str)]
        if r.type == "aws.kms.key":
            for alias in listed(a.get("Aliases")):
                if isinstance(alias, str):
                    keys.append(alias)
                    keys.append(f"arn:aws:kms:{r.region}:{r.scope}:{alias}")
        return keys

    def find(self, node_type: str, key: Any) -> str | None:
        if node_type not in _FOUND_TYPES:
            raise ValueError(f"{node_type} identifiers are not indexed")
        return self.by_key[node_type].get(key) if isinstance(key, str) else None

    def of(self, node_type: str) -> list[Resource]:
        return self.by_type.get(node_type, [])

    def secret(self, value_from: Any) -> str | None:
        """The first secret (in snapshot order) that valueFrom names: by ARN, by name, or by ARN
        followed by `:json-key:...`, i.e. an ARN equal to valueFrom up to one of its colons.
        Remembered: every revision of a task definition names the same secrets again."""
        if not isinstance(value_from, str):
            return None
        if value_from not in self._secrets_named:
            self._secrets_named[value_from] = self._find_secret(value_from)
        return self._secrets_named[value_from]

    def _find_secret(self, value_from: str) -> str | None:
        hits = [self.secret_arns.get(value_from), self.secret_names.get(value_from)]
        colon = value_from.find(":")
        while colon != -1:
            hits.append(self.secret_arns.get(value_from[:colon]))
            colon = value_from.find(":", colon + 1)
        found = [hit for hit in hits if hit is not None]
        return min(found)[1] if found else None


def link_resources(graph: EstateGraph, config: EstateConfig, resources: Iterable[Resource]) -> None:
    index = _Index(list(resources))
    _link_network(graph, index)
    _link_privatelink(graph, config, index)
    _link_secrets(graph, config, index)
    _link_ecs(graph, index)
    _link_atlas(graph, config, index)


def _edge(graph: EstateGraph, source: str, target: str | None, kind: str) -> None:
    """An edge to a node of the graph (a reference to nothing draws none)."""
    if target is not None and target in graph.nodes:
        graph.add_edge(source, target, kind)


def _link_network(graph: EstateGraph, index: _Index) -> None:
    for kind in ("aws.ec2.vpc_endpoint", "aws.ec2.subnet", "aws.ec2.security_group"):
        for r in index.of(kind):
            vpc = index.find("aws.ec2.vpc", r.attributes.get("VpcId"))
            _edge(graph, r.id, vpc, "in_vpc")
    for r in index.of("aws.ec2.vpc_endpoint"):
        for subnet in listed(r.attributes.get("SubnetIds")):
            _edge(graph, r.id, index.find("aws.ec2.subnet", subnet), "in_subnet")
        for group in dicts(r.attributes.get("Groups")):
            _edge(graph, r.id, index.find("aws.ec2.security_group", group.get("GroupId")), "guarded_by")


def _link_privatelink(graph: EstateGraph, config: EstateConfig, index: _Index) -> None:
    pairing = pair_endpoints(config, index.by_type)
    graph.pairing = pairing
    for link in config.privatelinks:
        project = config.project(link.atlas_project)
        services = [
            s.id for s in index.of("atlas.endpoint_service")
            if project and s.scope == project.id and atlas_region(s.attributes.get("regionName")) == atlas_region(link.atlas_region)
        ]
        for endpoint in pairing.endpoints_of.get(link.name, []):
            for target in services:
                _edge(graph, endpoint, target, "pairs_with")
    for r in index.of("atlas.interface_endpoint"):
        service_id = next(
            (s.id for s in index.of("atlas.endpoint_service")
             if s.scope == r.scope and s.attributes.get("id") == r.attributes.get("endpointServiceId")),
            None,
        )
        _edge(graph, r.id, service_id, "interface_of")
        _edge(graph, r.id, index.find("aws.ec2.vpc_endpoint", r.attributes.get("interfaceEndpointId")), "registers")


def _link_secrets(graph: EstateGraph, config: EstateConfig, index: _Index) -> None:
    declared = {s.name: s for s in config.secrets}
    for r in index.of("aws.secretsmanager.secret"):
        _edge(graph, r.id, index.find("aws.kms.key", r.attributes.get("KmsKeyId")), "encrypted_by")
        ref = declared.get(str(r.attributes.get("Name")))
        if ref is not None:
            _edge(graph, r.id, f"data:{ref.points_to}", "points_to")


def _link_ecs(graph: EstateGraph, index: _Index) -> None:
    points_to: dict[str, list[str]] = {}  # per secret; every points_to edge is drawn before this runs
    for r in index.of("aws.ecs.task_definition"):
        for container in dicts(r.attributes.get("containerDefinitions")):
            for secret in dicts(container.get("secrets")):
                target = index.secret(secret.get("valueFrom"))
                _edge(graph, r.id, target, "binds_secret")
                if target is not None and target not in points_to:
                    points_to[target] = graph.targets(target, "points_to")
                for cluster in points_to[target] if target else []:
                    _edge(graph, r.id, cluster, "connects_to")
    for r in index.of("aws.ecs.service"):
        _edge(graph, r.id, index.find("aws.ecs.task_definition", r.attributes.get("taskDefinition")), "runs")


_READ_ROLES = {"read", "readAnyDatabase"}
_WRITE_ROLES = {"readWrite", "readWriteAnyDatabase", "dbAdmin", "dbAdminAnyDatabase", "dbOwner", "atlasAdmin"}


def _link_atlas(graph: EstateGraph, config: EstateConfig, index: _Index) -> None:
    projects = {r.scope: r.id for r in index.of("atlas.project")}
    # The live nodes so far are the resources: their Atlas types, to test each node by one set lookup.
    atlas_types = {t for t in index.by_type if t.startswith("atlas.") and t != "atlas.project"}
    for node_id, data in graph.nodes.items():
        if data["type"] in atlas_types and data["origin"] == "live":
            _edge(graph, node_id, projects.get(data["scope"]), "in_project")
    names = {p.id: p.name for p in config.atlas_projects}
    encryption = {r.scope: r.id for r in index.of("atlas.encryption_at_rest")}
    for r in index.of("atlas.cluster"):
        _edge(graph, r.id, f"data:{names.get(r.scope)}/{r.attributes.get('name')}", "declared_as")
        _edge(graph, r.id, encryption.get(r.scope), "encrypted_at_rest_by")
    by_project: dict[str, list[tuple[str, Any]]] = {}
    for node_id, data in graph.nodes.items():
        if data["type"] == "data.cluster":
            by_project.setdefault(data["attributes"]["project"], []).append((node_id, data["attributes"]["name"]))
    for r in index.of("atlas.database_user"):
        _link_user(graph, r, by_project.get(names.get(r.scope) or "", []))


def _link_user(graph: EstateGraph, user: Resource, project_clusters: list[tuple[str, Any]]) -> None:
    """can_read / can_write edges to the declared databases (of the user's project) its roles reach."""
    scopes = [s.get("name") for s in dicts(user.attributes.get("scopes"))]
    clusters = [n for n, name in project_clusters if not scopes or name in scopes]
    for role in dicts(user.attributes.get("roles")):
        name, db = role.get("roleName"), role.get("databaseName")
        kinds = ["can_read"] if name in _READ_ROLES else ["can_read", "can_write"] if name in _WRITE_ROLES else []
        any_db = str(name).endswith("AnyDatabase") or name == "atlasAdmin"
        for cluster in clusters:
            for database in graph.targets(cluster, "contains"):
                if any_db or graph.nodes[database]["attributes"]["name"] == db:
                    for kind in kinds:
                        _edge(graph, user.id, database, kind)
