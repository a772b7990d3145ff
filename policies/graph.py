"""The estate graph: one `EstateGraph` over live resources and config-declared data stores.

Rules evaluate node documents of this graph (see `document`), so a relation across resources or
across providers is an edge, not ad-hoc code in a rule.

Nodes (key = id; attribute `type`, `origin`, `scope`, `region`, `attributes`, `facts`, `index`, and for
config, declared and scope nodes `cited`: the estate-config entries (and resources) they stand for):
- live resources: every snapshot resource, keyed by its id, `origin="live"`, `index` = its
  position in `snapshot.resources` (for evidence pointers); types as in docs/resources.md.
- config data stores (`origin="config"`, `index=None`), from the estate config:
  `data.cluster` `data:<project>/<cluster>` {project, name, role, data_class},
  `data.database` `data:<project>/<cluster>/<db>` {.., data_class},
  `data.collection` `data:<project>/<cluster>/<db>/<coll>` {.., data_class}.
  A cluster's class is `phi` for role phi and `public` for role reference; a database's is its
  cluster's unless a classified collection in it is `phi`.
- declared items (`origin="config"`, type `config.declared`, `declared:<kind>/<key>`): one per thing
  the config says must exist live (policies/graph_declared.py), facts `found` and `watches`.
- accounts (`origin="config"`, type `aws.account`, `account:aws/<id>`): one per configured AWS
  account (policies/graph_accounts.py), facts `trails` ({name, home_region, multi_region,
  log_file_validation, logging} per trail homed in the account) and `regions_without_recorder`.
- scopes (`origin="live"`, type `evidence.scope`, `scope:<provider>/<id>`): one per AWS account and
  Atlas project with resources in the snapshot (policies/graph_scopes.py), facts `baa_vendors`.
Later stages add `origin="terraform"` (declared resources) and `origin="code"` (code sites) nodes
with the edge kinds `declared_as`, `reads` and `writes`, without changing the ones below.

Edge kinds (attribute `kind`), source type -> target type, and what the edge means:
- `in_subnet` vpc_endpoint -> subnet: the endpoint has an interface in the subnet (SubnetIds).
- `guarded_by` vpc_endpoint -> security_group: the endpoint's Groups.
- `in_vpc` vpc_endpoint|subnet|security_group -> vpc: the VpcId.
- `pairs_with` vpc_endpoint -> atlas.endpoint_service: the config `privatelink` entry pairs them
  (the endpoint by id, Name tag, or the Atlas registration: policies/graph_pairing.py; the service
  by Atlas project and region).
- `interface_of` atlas.interface_endpoint -> atlas.endpoint_service: endpointServiceId.
- `registers` atlas.interface_endpoint -> vpc_endpoint: interfaceEndpointId is the VpcEndpointId.
- `encrypted_by` secret -> kms.key: KmsKeyId resolved by ARN, key id or alias.
- `points_to` secret -> data.cluster: the config `secrets` entry.
- `binds_secret` task_definition -> secret: containerDefinitions[].secrets[].valueFrom.
- `connects_to` task_definition -> data.cluster: through a bound secret's `points_to`.
- `runs` ecs.service -> task_definition: the service's taskDefinition.
- `declared_as` atlas.cluster -> data.cluster: same project and name.
- `contains` data.cluster -> data.database -> data.collection.
- `in_project` any atlas.* resource -> atlas.project: same project id.
- `can_read` / `can_write` atlas.database_user -> data.database: from its roles and scopes.
- `encrypted_at_rest_by` atlas.cluster -> atlas.encryption_at_rest: the project's encryptionAtRest.

Facts (`facts`, computed from the config and neighbours; rules read them as `facts.<name>`):
- vpc_endpoint: name (Name tag), declared (aws.vpc_endpoints names its Name tag or id, or a
  privatelink entry pairs it), privatelink (the pairing entry's name or null).
- security_group: privatelink (when it guards a paired endpoint), port_ranges, vpc_cidrs,
  internet_ports (the [from, to] ranges its ingress admits from the internet, IPv4 and IPv6,
  managed prefix lists resolved; policies/graph_exposure.py).
- acm.certificate: days_to_expiry (whole days from the snapshot's collected_at to NotAfter).
- network_acl: internet_ports (the TCP ranges its ingress entries admit from the internet, in
  rule order), subnets (the collected subnets it is associated with).
- atlas.endpoint_service / atlas.interface_endpoint: privatelink.
- secret: connection_string (listed in config `secrets`, tagged data_class, or named like
  mongodb), in_config.
- atlas.*: project_name, project_role; atlas.cluster: declared, role;
  access_list_entry: cidr, declared, within_range; database_user: declared, reference_clusters,
  reference_databases; ecs.service: declared.
- ecs.task_definition: registered_by (registeredBy, with a role session's ARN taken to its role:
  the declared deploy role of that account and name, else the role's ARN without a path).
"""
from __future__ import annotations

from typing import Any

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.graph_accounts import INPUTS as ACCOUNT_INPUTS
from attest.policies.graph_accounts import NODE_TYPE as ACCOUNT_TYPE
from attest.policies.graph_accounts import add_account_nodes
from attest.policies.baa import cluster_class
from attest.policies.graph_declared import NODE_TYPE as DECLARED_TYPE
from attest.policies.graph_declared import add_declared_nodes
from attest.policies.estate_graph import EstateGraph
from attest.policies.graph_facts import live_facts
from attest.policies.graph_scopes import NODE_TYPE as SCOPE_TYPE
from attest.policies.graph_scopes import add_scope_nodes
from attest.policies.graph_links import link_resources
from attest.policies.pointers import config_pointer

LIVE_TYPES = (
    "aws.ec2.vpc",
    "aws.ec2.subnet",
    "aws.ec2.security_group",
    "aws.ec2.vpc_endpoint",
    "aws.ec2.network_acl",
    "aws.ec2.prefix_list",
    "aws.kms.key",
    "aws.secretsmanager.secret",
    "aws.ecs.cluster",
    "aws.ecs.service",
    "aws.ecs.task_definition",
    "atlas.project",
    "atlas.cluster",
    "atlas.endpoint_service",
    "atlas.interface_endpoint",
    "atlas.database_user",
    "atlas.access_list_entry",
    "atlas.custom_db_role",
    "atlas.audit_log",
    "atlas.encryption_at_rest",
    "atlas.org_settings",
    "aws.cloudtrail.trail",
    "aws.cloudtrail.change_event",
    "aws.config.recorder",
    "aws.elbv2.listener",
    "aws.acm.certificate",
    "aws.cloudfront.distribution",
)
CONFIG_TYPES = ("data.cluster", "data.database", "data.collection")
NODE_TYPES = frozenset(LIVE_TYPES + CONFIG_TYPES + (DECLARED_TYPE, SCOPE_TYPE, ACCOUNT_TYPE))

EDGE_KINDS: dict[str, tuple[frozenset[str], str]] = {
    "in_subnet": (frozenset({"aws.ec2.subnet"}), "endpoint has an interface in the subnet"),
    "guarded_by": (frozenset({"aws.ec2.security_group"}), "endpoint's security groups"),
    "in_vpc": (frozenset({"aws.ec2.vpc"}), "resource lives in the VPC"),
    "pairs_with": (frozenset({"atlas.endpoint_service"}), "config privatelink pairs the two"),
    "interface_of": (frozenset({"atlas.endpoint_service"}), "interface endpoint of the service"),
    "registers": (frozenset({"aws.ec2.vpc_endpoint"}), "Atlas registration of the AWS endpoint"),
    "encrypted_by": (frozenset({"aws.kms.key"}), "secret encrypted under the key"),
    "points_to": (frozenset(CONFIG_TYPES), "secret's connection string targets the cluster"),
    "binds_secret": (frozenset({"aws.secretsmanager.secret"}), "task definition injects the secret"),
    "connects_to": (frozenset(CONFIG_TYPES), "task definition connects to the cluster"),
    "runs": (frozenset({"aws.ecs.task_definition"}), "service runs the revision"),
    "declared_as": (frozenset(CONFIG_TYPES), "live object is the declared one"),
    "contains": (frozenset(CONFIG_TYPES), "data store contains the other"),
    "in_project": (frozenset({"atlas.project"}), "Atlas object belongs to the project"),
    "can_read": (frozenset({"data.database"}), "database user can read the database"),
    "can_write": (frozenset({"data.database"}), "database user can write the database"),
    "encrypted_at_rest_by": (frozenset({"atlas.encryption_at_rest"}), "project's customer-key encryption at rest"),
}
# Every fact any node carries (see the docstring); rules may name no other (checked at load).
FACT_NAMES = frozenset({
    "name", "declared", "privatelink", "port_ranges", "vpc_cidrs", "connection_string", "in_config",
    "project_name", "project_role", "role", "cidr", "reference_clusters", "reference_databases",
    "found", "watches", "baa_vendors", "within_range",
    "internet_ports", "subnets", "trails", "regions_without_recorder", "days_to_expiry", "registered_by",
})
# Types whose data feeds a node type's facts: a gap in them makes those facts uncertain.
FACT_INPUTS: dict[str, frozenset[str]] = {
    "aws.ec2.security_group": frozenset({"aws.ec2.vpc_endpoint", "aws.ec2.vpc", "aws.ec2.prefix_list"}),
    "aws.ec2.network_acl": frozenset({"aws.ec2.subnet"}),
    ACCOUNT_TYPE: ACCOUNT_INPUTS,
    "atlas.interface_endpoint": frozenset({"atlas.endpoint_service"}),
    DECLARED_TYPE: frozenset({
        "aws.secretsmanager.secret", "aws.ec2.vpc_endpoint", "aws.ecs.service", "atlas.project",
        "atlas.cluster", "atlas.database_user", "atlas.access_list_entry", "atlas.endpoint_service",
    }),
}


def _add_config_nodes(graph: EstateGraph, config: EstateConfig) -> None:
    for p_index, project in enumerate(config.atlas_projects):
        for c_index, cluster in enumerate(project.clusters):
            cited = [config_pointer("atlas", "projects", p_index, "clusters", c_index)]
            cited += [config_pointer("data_classification", i) for i, c in enumerate(config.collections)
                      if c.cluster == f"{project.name}/{cluster.name}"]
            cluster_id = f"data:{project.name}/{cluster.name}"
            klass = cluster_class(cluster.role)
            colls = [c for c in config.collections if c.cluster == f"{project.name}/{cluster.name}"]
            databases = sorted(set(cluster.databases) | {c.database for c in colls})
            _add_node(graph, cluster_id, "data.cluster", project.id, {
                "project": project.name, "name": cluster.name, "role": cluster.role, "data_class": klass,
            }, cited)
            for db in databases:
                db_id = f"{cluster_id}/{db}"
                db_class = "phi" if any(c.data_class == "phi" for c in colls if c.database == db) else klass
                _add_node(graph, db_id, "data.database", project.id, {
                    "project": project.name, "cluster": cluster.name, "name": db, "data_class": db_class,
                }, cited)
                graph.add_edge(cluster_id, db_id, "contains")
                for coll in (c for c in colls if c.database == db):
                    coll_id = f"{db_id}/{coll.collection}"
                    _add_node(graph, coll_id, "data.collection", project.id, {
                        "project": project.name, "cluster": cluster.name, "database": db,
                        "name": coll.collection, "data_class": coll.data_class,
                    }, [config_pointer("data_classification", config.collections.index(coll))])
                    graph.add_edge(db_id, coll_id, "contains")


def _add_node(graph: EstateGraph, node_id: str, node_type: str, scope: str, attributes: dict[str, Any],
              cited: list[str]) -> None:
    graph.add_node(
        node_id, type=node_type, origin="config", scope=scope, region=None,
        attributes=attributes, facts={}, index=None, cited=tuple(cited),
    )


def build_graph(snapshot: Snapshot, config: EstateConfig) -> EstateGraph:
    """The graph of one snapshot under one estate config."""
    graph = EstateGraph()
    _add_config_nodes(graph, config)
    for index, resource in enumerate(snapshot.resources):
        graph.add_node_data(resource.id, {
            "type": resource.type, "origin": "live", "scope": resource.scope,
            "region": resource.region, "attributes": resource.attributes, "facts": {}, "index": index,
        })
    link_resources(graph, config, snapshot.resources)
    for node_id, facts in live_facts(graph, config, snapshot.collected_at).items():
        graph.nodes[node_id]["facts"] = facts
    by_type = nodes_by_type(graph)
    add_declared_nodes(graph, config, by_type)
    add_account_nodes(graph, config, by_type)
    add_scope_nodes(graph, config, snapshot)
    return graph


def nodes_by_type(graph: EstateGraph) -> dict[str, list[str]]:
    """Every node id by its type, each list sorted: one pass over the graph for all rules."""
    out: dict[str, list[str]] = {}
    for node_id, data in graph.nodes.items():
        out.setdefault(data["type"], []).append(node_id)
    return {node_type: sorted(ids) for node_type, ids in out.items()}


_NO_RELATED: dict[str, list[dict[str, Any]]] = {kind: [] for kind in EDGE_KINDS}


class Documents:
    """What a rule's JMESPath sees: the node, `config`, and one hop of `related.<kind>` nodes.

    A node's own part is built once and shared by every document that relates to it; documents
    are read, never changed, by the conditions.
    """

    def __init__(self, graph: EstateGraph, config_doc: dict[str, Any]) -> None:
        self.graph = graph
        self.config_doc = config_doc
        self._bases: dict[str, dict[str, Any]] = {}

    def _base(self, node_id: str) -> dict[str, Any]:
        base = self._bases.get(node_id)
        if base is None:
            data = self.graph.nodes[node_id]
            base = self._bases[node_id] = {
                "id": node_id,
                "type": data["type"],
                "origin": data["origin"],
                "scope": data["scope"],
                "region": data["region"],
                "attributes": data["attributes"],
                "facts": data["facts"],
            }
        return base

    def document(self, node_id: str) -> dict[str, Any]:
        """The node's own part (as `_base` has it, without keeping a base for a node nothing relates
        to), `config`, and `related`: one shared dictionary of empty lists for a node with no edges."""
        data = self.graph.nodes[node_id]
        related = _NO_RELATED
        out = self.graph.out.get(node_id)
        if out:
            related = dict(_NO_RELATED)
            for kind, targets in out.items():
                if kind in related:
                    related[kind] = [self._base(n) for n in sorted(targets)]
        return {"id": node_id, "type": data["type"], "origin": data["origin"], "scope": data["scope"],
                "region": data["region"], "attributes": data["attributes"], "facts": data["facts"],
                "config": self.config_doc, "related": related}


def config_document(config: EstateConfig) -> dict[str, Any]:
    """The estate config as rules see it under `config` (plain JSON values)."""
    links = [
        {
            "name": p.name, "aws_account": p.aws_account, "region": p.region,
            "vpc_endpoint_name": p.vpc_endpoint_name, "atlas_project": p.atlas_project,
            "atlas_region": p.atlas_region, "port_ranges": [list(r) for r in p.port_ranges],
        }
        for p in config.privatelinks
    ]
    return {
        "privatelinks": links,
        "approved_access_ranges": list(config.approved_ranges),
        "deploy_principals": list(config.deploy_principals),
        "provenance_tags": list(config.provenance_tags),
        "vpc_endpoint_names": list(config.vpc_endpoint_names),
        "mongodb_ports": [[27015, 27017]] + [list(r) for p in config.privatelinks for r in p.port_ranges],
        "connection_env_vars": sorted({s.env_var for s in config.secrets}),
        "secrets": [{"name": s.name, "points_to": s.points_to, "env_var": s.env_var} for s in config.secrets],
        "ecs_services": [
            {"account": s.account, "region": s.region, "cluster": s.cluster, "service": s.service}
            for s in config.ecs_services
        ],
        "clusters": [f"{p.name}/{c.name}" for p in config.atlas_projects for c in p.clusters],
        "atlas_org_id": config.atlas_org_id,
        "certificate_min_days": config.certificate_min_days,
    }
