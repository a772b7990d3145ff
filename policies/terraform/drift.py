"""Drift: what Terraform declares against what the snapshot saw live (SOC 2 CC8.1).

Each live type in scope has a natural key both sides can compute (a secret's name, a security
group's name, an Atlas user's project/database/username...). Live resources in scope that no
declaration matches are ATL-DRIFT-001, declarations with no live match ATL-DRIFT-002, and matched
pairs whose KMS key, ingress rules or database roles differ ATL-DRIFT-003. A comparison that source
(and any recorded state) cannot make is an ATL-DRIFT-003 `error` saying why, never a silent skip.
Out of scope on purpose:
AWS-made objects (default security groups, AWS-managed keys), secrets pending deletion (Terraform
destroys a secret by scheduling its deletion) and Atlas projects (read through data sources).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Resource, Snapshot
from attest.policies.findings import Finding, Status
from attest.policies.terraform.hcl import Declared
from attest.policies.terraform.mapping import RuleInfo, TerraformRules, load_mapping
from attest.policies.terraform.resolve import Resolver

UNDECLARED, MISSING, DIFFERS = "ATL-DRIFT-001", "ATL-DRIFT-002", "ATL-DRIFT-003"


@dataclass(frozen=True)
class Context:
    config: EstateConfig
    resolver: Resolver
    declared: tuple[Declared, ...]
    live_keys: tuple[Resource, ...]
    live_groups: tuple[Resource, ...] = ()


@dataclass(frozen=True)
class Kind:
    """How one live type and its Terraform resource types are keyed, and what else must hold."""

    live_type: str
    tf_types: tuple[str, ...]
    declared_key: Callable[[Declared, Context], str | None]
    live_key: Callable[[Resource, Context], str | None]
    unmanaged: Callable[[Resource, Context], str | None] = lambda _r, _c: None


def detect_drift(declared: tuple[Declared, ...], snapshot: Snapshot, config: EstateConfig,
                 mapping: TerraformRules | None = None) -> tuple[Finding, ...]:
    """Drift findings between declared resources (hcl.load_directory) and a live snapshot."""
    rules = (mapping or load_mapping()).rules
    ctx = _context(declared, snapshot, config)
    findings: list[Finding] = []
    for kind in KINDS:
        findings.extend(_drift_of_kind(kind, declared, snapshot, ctx, rules))
    return tuple(sorted(findings, key=Finding.sort_key))


def match_declared(declared: tuple[Declared, ...], snapshot: Snapshot,
                   config: EstateConfig) -> tuple[tuple[Declared, Resource], ...]:
    """(declaration, live resource) for each live resource in scope that Terraform manages.

    The same matching drift uses: a live resource whose key no declaration shares, or that is
    unmanaged despite sharing it (a hand-registered task revision), pairs with nothing.
    """
    ctx = _context(declared, snapshot, config)
    pairs: list[tuple[Declared, Resource]] = []
    for kind in KINDS:
        by_key, _ = _declared_by_key(kind, declared, ctx)
        for resource, key in _live_keyed(kind, snapshot, ctx):
            match = by_key.get(key) if key is not None else None
            if match is not None and not kind.unmanaged(resource, ctx):
                pairs.append((match, resource))
    return tuple(pairs)


def _context(declared: tuple[Declared, ...], snapshot: Snapshot, config: EstateConfig) -> Context:
    keys = tuple(r for r in snapshot.resources if r.type == "aws.kms.key")
    groups = tuple(r for r in snapshot.resources if r.type == "aws.ec2.security_group")
    return Context(config, Resolver(declared), declared, keys, groups)


def _declared_by_key(kind: Kind, declared: tuple[Declared, ...],
                     ctx: Context) -> tuple[dict[str, Declared], list[Declared]]:
    """This kind's declarations by natural key (first wins), and those source cannot key."""
    by_key: dict[str, Declared] = {}
    unkeyed: list[Declared] = []
    for item in declared:
        if item.mode != "resource" or item.type not in kind.tf_types:
            continue
        key = kind.declared_key(item, ctx)
        if key is None:
            unkeyed.append(item)
        else:
            by_key.setdefault(key, item)
    return by_key, unkeyed


def _live_keyed(kind: Kind, snapshot: Snapshot, ctx: Context) -> list[tuple[Resource, str | None]]:
    return [(r, kind.live_key(r, ctx)) for r in snapshot.resources if r.type == kind.live_type]


def _drift_of_kind(kind: Kind, declared: tuple[Declared, ...], snapshot: Snapshot, ctx: Context,
                   rules: dict[str, RuleInfo]) -> list[Finding]:
    by_key, unkeyed = _declared_by_key(kind, declared, ctx)
    found = [rules[MISSING].finding(Status.ERROR, item.address, item.location,
                      f"cannot match a live {kind.live_type}: its identifying attributes "
                      "are not determined by source (give --terraform-state)") for item in unkeyed]
    live = _live_keyed(kind, snapshot, ctx)
    seen_keys: set[str] = set()
    for resource, key in live:
        if key is None:
            continue
        seen_keys.add(key)
        match = by_key.get(key)
        reason = kind.unmanaged(resource, ctx)
        pointer = snapshot.pointer(resource.id)
        if match is None or reason:
            why = reason or "no Terraform resource declares it"
            found.append(rules[UNDECLARED].finding(Status.FAIL, resource.id, pointer,
                                  f"live {kind.live_type} {key} is not managed by Terraform: {why}"))
            continue
        found.append(rules[UNDECLARED].finding(Status.PASS, resource.id, pointer,
                              f"live {kind.live_type} {key} is declared as {match.address} ({match.location})"))
        found.extend(rules[DIFFERS].finding(status, match.address, where, message)
                     for status, where, message in _differences(match, resource, ctx))
    gaps = [g for g in snapshot.gaps if kind.live_type in g.resource_types]
    for key, item in sorted(by_key.items()):
        if key in seen_keys:
            continue
        if gaps:
            found.append(rules[MISSING].finding(Status.ERROR, item.address, item.location,
                                  f"cannot tell whether {key} exists live: {gaps[0].operation} was not read ({gaps[0].reason})"))
        else:
            found.append(rules[MISSING].finding(Status.FAIL, item.address, item.location,
                                  f"declared {kind.live_type} {key} does not exist live"))
    return found


def _attr(d: Declared, ctx: Context, name: str) -> Any:
    return ctx.resolver.value(d, d.attributes.get(name))


def _tag(tags: Any, key: str) -> str | None:
    for tag in tags or []:
        if isinstance(tag, dict) and tag.get("Key", tag.get("key")) == key:
            return str(tag.get("Value", tag.get("value")))
    return None


def _project_id(d: Declared, ctx: Context) -> str | None:
    """The Atlas project id a declaration targets: a literal id, or a project block's name in config."""
    target = ctx.resolver.target(d, d.attributes.get("project_id"))
    if target is not None:
        name = ctx.resolver.value(target, target.attributes.get("name"))
        project = ctx.config.project(name) if isinstance(name, str) else None
        return project.id if project else None
    value = _attr(d, ctx, "project_id")
    return value if isinstance(value, str) else None


def _joined(*parts: Any) -> str | None:
    return "/".join(str(p) for p in parts) if all(isinstance(p, (str, int)) for p in parts) else None


def _kms_aliases(key: Declared, ctx: Context) -> list[str]:
    ids = {str(key.attributes[k]) for k in ("key_id", "arn") if k in key.attributes}
    aliases = []
    for alias in ctx.declared:
        if alias.type != "aws_kms_alias":
            continue
        raw = alias.attributes.get("target_key_id")
        if ctx.resolver.target(alias, raw) == key or ctx.resolver.value(alias, raw) in ids:
            name = _attr(alias, ctx, "name")
            if isinstance(name, str):
                aliases.append(name)
    return sorted(aliases)


def _kms_declared_key(d: Declared, ctx: Context) -> str | None:
    aliases = _kms_aliases(d, ctx)
    return aliases[0] if aliases else None


def _kms_live_key(r: Resource, _ctx: Context) -> str | None:
    a = r.attributes
    if a.get("KeyManager") != "CUSTOMER" or a.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        return None
    aliases = sorted(a.get("Aliases") or [])
    return aliases[0] if aliases else str(a.get("KeyId"))


def _task_unmanaged(r: Resource, ctx: Context) -> str | None:
    tags = r.attributes.get("tags") or []
    missing = [t for t in ctx.config.provenance_tags if not _tag(tags, t)]
    if missing:
        return f"revision {r.attributes.get('revision')} lacks the provenance tag(s) {', '.join(missing)} that deploys set"
    return None


def _access_key(d: Declared, ctx: Context) -> str | None:
    cidr = _attr(d, ctx, "cidr_block")
    if cidr is None and isinstance(_attr(d, ctx, "ip_address"), str):
        cidr = f"{_attr(d, ctx, 'ip_address')}/32"
    return _joined(_project_id(d, ctx), cidr)


def _region(text: Any) -> Any:
    return text.upper().replace("-", "_") if isinstance(text, str) else text


KINDS: tuple[Kind, ...] = (
    Kind("aws.secretsmanager.secret", ("aws_secretsmanager_secret",),
         lambda d, c: _attr(d, c, "name"),
         lambda r, _c: None if r.attributes.get("DeletedDate") else r.attributes.get("Name")),
    Kind("aws.kms.key", ("aws_kms_key",), _kms_declared_key, _kms_live_key),
    Kind("aws.ec2.security_group", ("aws_security_group",),
         lambda d, c: _attr(d, c, "name"),
         lambda r, _c: None if r.attributes.get("GroupName") == "default" else r.attributes.get("GroupName")),
    Kind("aws.ec2.vpc_endpoint", ("aws_vpc_endpoint",),
         lambda d, c: (_attr(d, c, "tags") or {}).get("Name") if isinstance(_attr(d, c, "tags"), dict) else None,
         lambda r, _c: _tag(r.attributes.get("Tags"), "Name") or r.attributes.get("VpcEndpointId")),
    Kind("aws.ecs.task_definition", ("aws_ecs_task_definition",),
         lambda d, c: _attr(d, c, "family"),
         lambda r, _c: r.attributes.get("family"), _task_unmanaged),
    Kind("atlas.cluster", ("mongodbatlas_advanced_cluster", "mongodbatlas_cluster"),
         lambda d, c: _joined(_project_id(d, c), _attr(d, c, "name")),
         lambda r, _c: _joined(r.scope, r.attributes.get("name"))),
    Kind("atlas.database_user", ("mongodbatlas_database_user",),
         lambda d, c: _joined(_project_id(d, c), _attr(d, c, "auth_database_name"), _attr(d, c, "username")),
         lambda r, _c: _joined(r.scope, r.attributes.get("databaseName"), r.attributes.get("username"))),
    Kind("atlas.access_list_entry", ("mongodbatlas_project_ip_access_list",), _access_key,
         lambda r, _c: _joined(r.scope, r.attributes.get("cidrBlock") or r.attributes.get("awsSecurityGroup"))),
    Kind("atlas.endpoint_service", ("mongodbatlas_privatelink_endpoint",),
         lambda d, c: _joined(_project_id(d, c), _region(_attr(d, c, "region"))),
         lambda r, _c: _joined(r.scope, _region(r.attributes.get("regionName")))),
    Kind("atlas.interface_endpoint", ("mongodbatlas_privatelink_endpoint_service",),
         lambda d, c: _joined(_project_id(d, c), _attr(d, c, "endpoint_service_id")),
         lambda r, _c: _joined(r.scope, r.attributes.get("interfaceEndpointId") or r.id.rsplit("/", 1)[-1])),
)


Difference = tuple[Status, str, str]


def _differences(d: Declared, r: Resource, ctx: Context) -> list[Difference]:
    """(status, file:line, message) for each attribute that differs (fail) or cannot be compared (error)."""
    compare = _COMPARERS.get(d.type)
    return compare(d, r, ctx) if compare else []


def _cannot(d: Declared, attribute: str, why: str) -> list[Difference]:
    return [(Status.ERROR, d.attribute_location(attribute), f"cannot compare {attribute}: {why}")]


def _secret_key_differs(d: Declared, r: Resource, ctx: Context) -> list[Difference]:
    live = r.attributes.get("KmsKeyId")
    raw = d.attributes.get("kms_key_id")
    if raw is None:
        expected: set[str] = {""}
    else:
        key = ctx.resolver.target(d, raw)
        if key is not None:
            expected = set(_kms_aliases(key, ctx))
            arns = {str(k.attributes.get("Arn")) for k in ctx.live_keys
                    if set(k.attributes.get("Aliases") or []) & expected}
            expected |= arns | {a.rsplit("/", 1)[-1] for a in arns}
            expected |= {str(v) for v in (_attr(key, ctx, "arn"), _attr(key, ctx, "key_id")) if isinstance(v, str)}
            if not expected:
                return _cannot(d, "kms_key_id", f"the declared key {key.address} has no alias or ARN that source "
                                                "or recorded state determines (give --terraform-state)")
        else:
            value = ctx.resolver.value(d, raw)
            if not isinstance(value, str):
                return _cannot(d, "kms_key_id", f"{raw} is not determined by source (give --terraform-state)")
            expected = {value}
    if (live or "") in expected:
        return []
    return [(Status.FAIL, d.attribute_location("kms_key_id"),
             f"{r.id} is encrypted with {live or 'the AWS-managed key'}, not the declared key")]


Source = tuple[str, int, int, str, str]


def _ingress_differs(d: Declared, r: Resource, ctx: Context) -> list[Difference]:
    """Every ingress source compared: IPv4 and IPv6 ranges, prefix lists and security groups."""
    declared: set[Source] = set()
    for rule in d.attributes.get("ingress") or []:
        protocol = _protocol(ctx.resolver.value(d, rule.get("protocol")))
        ports = (ctx.resolver.value(d, rule.get("from_port")), ctx.resolver.value(d, rule.get("to_port")))
        if not isinstance(protocol, str) or not all(isinstance(p, int) for p in ports):
            return _cannot(d, "ingress", "a rule's protocol or ports are not determined by source")
        sources = _declared_sources(d, rule, r, ctx)
        if isinstance(sources, str):
            return _cannot(d, "ingress", sources)
        declared |= {(protocol, ports[0], ports[1], kind, value) for kind, value in sources}
    live = {
        (_protocol(p.get("IpProtocol")), p.get("FromPort", -1), p.get("ToPort", -1), kind, value)
        for p in r.attributes.get("IpPermissions") or [] for kind, value in _live_sources(p)
    }
    if declared == live:
        return []
    extra, absent = sorted(live - declared), sorted(declared - live)
    return [(Status.FAIL, d.attribute_location("ingress"),
             f"{r.id} ingress differs: live only {extra or 'none'}; declared only {absent or 'none'}")]


_SOURCE_FIELDS = (("cidr_blocks", "ipv4"), ("ipv6_cidr_blocks", "ipv6"), ("prefix_list_ids", "prefix-list"))


def _declared_sources(d: Declared, rule: dict[str, Any], live: Resource, ctx: Context) -> list[tuple[str, str]] | str:
    """(kind, value) per source of one declared ingress rule, or why source cannot tell them."""
    sources: list[tuple[str, str]] = []
    for field, kind in _SOURCE_FIELDS:
        for raw in rule.get(field) or []:
            value = ctx.resolver.value(d, raw)
            if not isinstance(value, str):
                return f"{field} entry {raw} is not determined by source (give --terraform-state)"
            sources.append((kind, value))
    for raw in rule.get("security_groups") or []:
        group = _group_id(d, raw, ctx)
        if group is None:
            return f"security_groups entry {raw} names no group source or live state identifies"
        sources.append(("security-group", group))
    if ctx.resolver.value(d, rule.get("self")) is True:
        own = live.attributes.get("GroupId")
        if not isinstance(own, str):
            return "`self = true` but the live group has no GroupId"
        sources.append(("security-group", own))
    return sources


def _group_id(d: Declared, raw: Any, ctx: Context) -> str | None:
    """A security group reference as a live GroupId: a literal sg- id, or a declared group matched by name."""
    target = ctx.resolver.target(d, raw)
    if target is not None and target.type == "aws_security_group":
        recorded = _attr(target, ctx, "id")
        if isinstance(recorded, str):
            return recorded
        name = _attr(target, ctx, "name")
        ids = [g.attributes.get("GroupId") for g in ctx.live_groups if g.attributes.get("GroupName") == name]
        return ids[0] if len(ids) == 1 and isinstance(ids[0], str) else None
    value = ctx.resolver.value(d, raw)
    return value if isinstance(value, str) and value.startswith("sg-") else None


def _live_sources(permission: dict[str, Any]) -> list[tuple[str, str]]:
    return (
        [("ipv4", str(x.get("CidrIp"))) for x in permission.get("IpRanges") or []]
        + [("ipv6", str(x.get("CidrIpv6"))) for x in permission.get("Ipv6Ranges") or []]
        + [("prefix-list", str(x.get("PrefixListId"))) for x in permission.get("PrefixListIds") or []]
        + [("security-group", str(x.get("GroupId"))) for x in permission.get("UserIdGroupPairs") or []]
    )


def _protocol(value: Any) -> Any:
    text = str(value).lower() if value is not None else None
    return {"6": "tcp", "17": "udp", "all": "-1"}.get(text, text) if text else None


def _roles_differ(d: Declared, r: Resource, ctx: Context) -> list[Difference]:
    declared = {(ctx.resolver.value(d, b.get("role_name")), ctx.resolver.value(d, b.get("database_name")))
                for b in d.attributes.get("roles") or []}
    if any(not isinstance(x, str) for pair in declared for x in pair):
        return _cannot(d, "roles", "a role's name or database is not determined by source")
    live = {(x.get("roleName"), x.get("databaseName")) for x in r.attributes.get("roles") or []}
    if declared == live:
        return []
    return [(Status.FAIL, d.attribute_location("roles"),
             f"{r.id} roles differ: live {sorted(live)}; declared {sorted(declared)}")]


_COMPARERS: dict[str, Callable[[Declared, Resource, Context], list[Difference]]] = {
    "aws_secretsmanager_secret": _secret_key_differs,
    "aws_security_group": _ingress_differs,
    "mongodbatlas_database_user": _roles_differ,
}
