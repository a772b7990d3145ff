"""Static rules that need the estate's ids: judged in attest over the parsed source, not in checkov.

checkov substitutes variables but knows nothing of the estate: which project is the reference one,
which clusters and databases a reference user may reach, which ranges are approved. These rules
resolve each declaration's project through variables, tfvars, locals and data sources
(`projects.py`) and judge it like the live rule of the same id. A value source does not determine
is an `error` naming the attribute's file:line, never a pass.
"""
from __future__ import annotations

import ipaddress
from typing import Any

from attest.collector.config import EstateConfig
from attest.policies.findings import Finding, Status
from attest.policies.baa import cluster_class
from attest.policies.reference_user import DeclaredUser, problems
from attest.policies.terraform.hcl import Declared
from attest.policies.terraform.mapping import TerraformRules
from attest.policies.terraform.projects import ProjectRoles, project_key, project_roles
from attest.policies.terraform.resolve import Resolver

USER, ACCESS, SECRET = "mongodbatlas_database_user", "mongodbatlas_project_ip_access_list", "aws_secretsmanager_secret"


def static_findings(declared: tuple[Declared, ...], config: EstateConfig | None, mapping: TerraformRules,
                    reference_projects: tuple[str, ...] = ()) -> tuple[Finding, ...]:
    """ATL-DB-005 for every database user on a reference project; with a config, ATL-DB-004 for every
    access-list entry and ATL-SEC-004 for every secret the config lists."""
    resolver = Resolver(declared)
    roles = project_roles(declared, resolver, config, reference_projects)
    found: list[Finding] = []
    for item in declared:
        if item.mode != "resource":
            continue
        if item.type == USER:
            found.extend(_reference_user(item, resolver, config, roles, mapping))
        elif item.type == ACCESS and config is not None:
            found.append(_approved_range(item, resolver, config, mapping))
        elif item.type == SECRET and config is not None and config.secrets:
            found.extend(_secret_class(item, resolver, config, mapping))
    return tuple(sorted(found, key=Finding.sort_key))


def _reference_user(d: Declared, resolver: Resolver, config: EstateConfig | None, roles: ProjectRoles,
                    mapping: TerraformRules) -> list[Finding]:
    rule = mapping.rule("ATL-DB-005")
    key = project_key(d, resolver, config)
    if key is None:
        return [rule.finding(Status.ERROR, d.address, d.attribute_location("project_id"),
                             f"{_named(d)}: cannot tell which Atlas project {d.attributes.get('project_id')!r} is: variables, "
                             "tfvars, locals and data sources do not determine it, so whether this user may write "
                             "to the reference project is unknown")]
    if key not in roles.reference:
        return []
    granted: list[tuple[str, str]] = [(resolver.value(d, b.get("role_name")), resolver.value(d, b.get("database_name")))
               for b in _blocks(d.attributes.get("roles"))]
    scopes = [resolver.value(d, s.get("name")) for s in _blocks(d.attributes.get("scopes"))]
    if any(not isinstance(x, str) for pair in granted for x in pair) or any(not isinstance(s, str) for s in scopes):
        return [rule.finding(Status.ERROR, d.address, d.attribute_location("roles"),
                             f"{_named(d)}: cannot tell this reference-project user's roles or scopes: one is not "
                             "determined by source")]
    user = DeclaredUser(tuple(granted), tuple(scopes), _known(roles.reference_databases.get(key)),
                        _known(roles.reference_clusters.get(key)))
    broken = problems(user)
    declared = f"declares {', '.join(f'{r} on {db}' for r, db in granted) or 'no roles'}, scopes " \
               f"{', '.join(scopes) or 'none'}"
    if broken:
        return [rule.finding(Status.FAIL, d.address, d.attribute_location(broken[0].attribute),
                             f"{_named(d)} reference-project user {d.attributes.get('username')!r}: "
                             + "; ".join(p.message for p in broken) + f" ({declared})")]
    return [rule.finding(Status.PASS, d.address, d.attribute_location("roles"),
                         f"{_named(d)} reads only {', '.join(sorted({db for _, db in granted}))}, "
                         f"scoped to {', '.join(sorted(scopes))}")]


def _known(names: Any) -> tuple[str, ...] | None:
    return None if names is None else tuple(sorted(names))


def _named(d: Declared) -> str:
    return f"{d.address} ({d.location})"


def _approved_range(d: Declared, resolver: Resolver, config: EstateConfig, mapping: TerraformRules) -> Finding:
    rule = mapping.rule("ATL-DB-004")
    cidr = resolver.value(d, d.attributes.get("cidr_block"))
    ip = resolver.value(d, d.attributes.get("ip_address"))
    if cidr is None and isinstance(ip, str):
        cidr = f"{ip}/32"
    if "aws_security_group" in d.attributes and cidr is None:
        return rule.finding(Status.PASS, d.address, d.location, f"{_named(d)} admits a security group, not an address range")
    network = _network(cidr)
    field = "cidr_block" if "cidr_block" in d.attributes else "ip_address"
    if network is None:
        return rule.finding(Status.ERROR, d.address, d.attribute_location(field),
                            f"{_named(d)}: cannot tell the entry's range: {d.attributes.get(field)!r} is not "
                            "determined by source")
    approved = [n for n in (_network(r) for r in config.approved_ranges) if n is not None]
    if any(network.version == a.version and network.subnet_of(a) for a in approved):  # type: ignore[arg-type]
        return rule.finding(Status.PASS, d.address, d.attribute_location(field),
                            f"{_named(d)} admits {network}, within an approved range")
    return rule.finding(Status.FAIL, d.address, d.attribute_location(field),
                        f"{_named(d)} admits {network}, outside atlas.approved_access_ranges in {config.path}")


def _secret_class(d: Declared, resolver: Resolver, config: EstateConfig, mapping: TerraformRules) -> list[Finding]:
    """The secret's data_class tag against the class of the cluster the config says it points at."""
    rule = mapping.rule("ATL-SEC-004")
    name = resolver.value(d, d.attributes.get("name"))
    if not isinstance(name, str):
        return [rule.finding(Status.ERROR, d.address, d.attribute_location("name"),
                             f"{_named(d)}: cannot tell whether it is a connection-string secret the config "
                             f"lists: its name {d.attributes.get('name')!r} is not determined by source")]
    listed = next((s for s in config.secrets if s.name == name), None)
    if listed is None:
        return []
    project_name, cluster_name = listed.points_to.split("/", 1)
    project = config.project(project_name)
    cluster = next((c for c in project.clusters if c.name == cluster_name), None) if project else None
    expected = cluster_class(cluster.role) if cluster else None
    tags = resolver.value(d, d.attributes.get("tags"))
    tagged = resolver.value(d, tags.get("data_class")) if isinstance(tags, dict) else None
    undetermined_tags = "tags" in d.attributes and not isinstance(tags, dict)
    if undetermined_tags or (isinstance(tags, dict) and "data_class" in tags and not isinstance(tagged, str)):
        return [rule.finding(Status.ERROR, d.address, d.attribute_location("tags"),
                             f"{_named(d)}: cannot tell its data_class tag: not determined by source")]
    if tagged == expected:
        return [rule.finding(Status.PASS, d.address, d.attribute_location("tags"),
                             f"{_named(d)} is tagged data_class = {tagged}, the class of {listed.points_to}")]
    return [rule.finding(Status.FAIL, d.address, d.attribute_location("tags"),
                         f"{_named(d)} is tagged data_class = {tagged or 'nothing'}, but it points at "
                         f"{listed.points_to}, which holds {expected} data")]


def _network(text: Any) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    try:
        return ipaddress.ip_network(str(text), strict=False) if isinstance(text, str) else None
    except ValueError:
        return None


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value or [] if isinstance(v, dict)]
