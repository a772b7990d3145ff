"""Drift: what Terraform declares against what the snapshot saw live (SOC 2 CC8.1).

Each live type has natural keys both sides can compute (a secret's name, a key's aliases, an Atlas
user's project/database/username...); a declaration and a live resource match when they share one.
Only live resources the roots manage are judged (drift_scope.py). Each resource gets one finding per
cause:
- ATL-DRIFT-001, per live resource: pass when a declaration matches it, fail when none could, error
  when a declaration of its kind cannot be keyed from source (it may be the one);
- ATL-DRIFT-002, per declaration: fail when nothing live matches it, error when source cannot key
  it or a gap hides its kind;
- ATL-DRIFT-003, per matched pair: every attribute with a declared and a live form compared
  (drift_compare.py); pass when all are equal, fail naming each difference, error when one cannot
  be compared.
Out of scope on purpose: AWS-made objects (default security groups, AWS-managed keys), secrets
pending deletion (Terraform destroys a secret by scheduling its deletion) and Atlas projects (read
through data sources).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Resource, Snapshot
from attest.policies.findings import Finding, Status
from attest.policies.terraform.drift_compare import Comparison, compare
from attest.policies.terraform.drift_scope import Scope, managed_scope
from attest.policies.terraform.hcl import Declared
from attest.policies.terraform.mapping import TerraformRules, RuleInfo, load_mapping
from attest.policies.terraform.projects import project_key
from attest.policies.terraform.resolve import Resolver

UNDECLARED, MISSING, DIFFERS = "ATL-DRIFT-001", "ATL-DRIFT-002", "ATL-DRIFT-003"


class Context:
    """The declarations, the snapshot and the config, with each kind's live resources keyed once."""

    def __init__(self, declared: tuple[Declared, ...], snapshot: Snapshot, config: EstateConfig) -> None:
        self.config = config
        self.resolver = Resolver(declared)
        self.declared = declared
        self.snapshot = snapshot
        self.live_keys = tuple(r for r in snapshot.resources if r.type == "aws.kms.key")
        self.live_groups = tuple(r for r in snapshot.resources if r.type == "aws.ec2.security_group")
        self._keyed: dict[str, list[tuple[Resource, list[str]]]] = {}
        self.scope: Scope = managed_scope(declared, self.resolver, config, [(k.live_type, k.tf_types) for k in KINDS])

    def keyed(self, kind: Kind) -> list[tuple[Resource, list[str]]]:
        """Every live resource of the kind with its keys (none: nothing declares such a resource)."""
        if kind.live_type not in self._keyed:
            self._keyed[kind.live_type] = [(r, kind.live_keys(r, self)) for r in self.snapshot.resources
                                           if r.type == kind.live_type]
        return self._keyed[kind.live_type]

    def kms_aliases(self, key: Declared) -> list[str]:
        return _kms_aliases(key, self)

    def live_of(self, declared: Declared) -> Resource | None:
        """The live resource a declaration matches, whatever its kind."""
        kind = next((k for k in KINDS if declared.type in k.tf_types), None)
        if kind is None:
            return None
        keys = set(kind.declared_keys(declared, self))
        return next((r for r, live in self.keyed(kind) if keys & set(live)), None)


@dataclass(frozen=True)
class Kind:
    """How one live type and its Terraform resource types are keyed, and what else must hold."""

    live_type: str
    tf_types: tuple[str, ...]
    declared_keys: Callable[[Declared, Context], list[str]]
    live_keys: Callable[[Resource, Context], list[str]]
    unmanaged: Callable[[Resource, Context], str | None] = lambda _r, _c: None


def detect_drift(declared: tuple[Declared, ...], snapshot: Snapshot, config: EstateConfig,
                 mapping: TerraformRules | None = None) -> tuple[Finding, ...]:
    """Drift findings between declared resources (hcl.load_directory) and a live snapshot."""
    rules = (mapping or load_mapping()).rules
    ctx = Context(declared, snapshot, config)
    findings: list[Finding] = []
    for kind in KINDS:
        findings.extend(_drift_of_kind(kind, ctx, rules))
    return tuple(sorted(findings, key=Finding.sort_key))


def out_of_scope(declared: tuple[Declared, ...], snapshot: Snapshot, config: EstateConfig) -> list[Resource]:
    """Live resources of a kind drift compares that the roots do not manage."""
    ctx = Context(declared, snapshot, config)
    return [r for kind in KINDS for r, keys in ctx.keyed(kind) if keys and not ctx.scope.covers(r)]


def match_declared(declared: tuple[Declared, ...], snapshot: Snapshot,
                   config: EstateConfig) -> tuple[tuple[Declared, Resource], ...]:
    """(declaration, live resource) for each live resource in scope that Terraform manages.

    The same matching drift uses: a live resource whose key no declaration shares, or that is
    unmanaged despite sharing it (a hand-registered task revision), pairs with nothing.
    """
    ctx = Context(declared, snapshot, config)
    pairs: list[tuple[Declared, Resource]] = []
    for kind in KINDS:
        by_key, _ = _declared_by_key(kind, ctx)
        for resource, keys in ctx.keyed(kind):
            match = _match(by_key, keys)
            if match is not None and ctx.scope.covers(resource) and not kind.unmanaged(resource, ctx):
                pairs.append((match, resource))
    return tuple(pairs)


def _declared_by_key(kind: Kind, ctx: Context) -> tuple[dict[str, Declared], list[Declared]]:
    """This kind's declarations by each natural key (first wins), and those source cannot key."""
    by_key: dict[str, Declared] = {}
    unkeyed: list[Declared] = []
    for item in ctx.declared:
        if item.mode != "resource" or item.type not in kind.tf_types:
            continue
        keys = kind.declared_keys(item, ctx)
        if not keys:
            unkeyed.append(item)
        for key in keys:
            by_key.setdefault(key, item)
    return by_key, unkeyed


def _match(by_key: dict[str, Declared], keys: list[str]) -> Declared | None:
    return next((by_key[k] for k in keys if k in by_key), None)


def _drift_of_kind(kind: Kind, ctx: Context, rules: dict[str, RuleInfo]) -> list[Finding]:
    by_key, unkeyed = _declared_by_key(kind, ctx)
    found = [rules[MISSING].finding(Status.ERROR, item.address, item.location,
                                    f"{item.address} ({item.location}): cannot tell which live {kind.live_type} it "
                                    "declares: its identifying attributes are not determined by source "
                                    "(give --terraform-state)") for item in unkeyed]
    matched: set[str] = set()
    for resource, keys in ctx.keyed(kind):
        if not keys or not ctx.scope.covers(resource):
            continue
        match = _match(by_key, keys)
        pointer = ctx.snapshot.pointer(resource.id)
        reason = kind.unmanaged(resource, ctx)
        if match is not None:
            matched.add(match.address)
        if match is None and unkeyed and not reason:
            names = ", ".join(f"{d.address} ({d.location})" for d in unkeyed)
            found.append(rules[UNDECLARED].finding(Status.ERROR, resource.id, pointer,
                         f"cannot tell whether Terraform declares live {kind.live_type} {keys[0]}: {names} may, but "
                         "source does not determine which live resource it is"))
        elif match is None or reason:
            why = reason or "no resource in the Terraform roots declares it"
            found.append(rules[UNDECLARED].finding(Status.FAIL, resource.id, pointer,
                         f"live {kind.live_type} {keys[0]} is not managed by Terraform: {why}"))
        else:
            found.append(rules[UNDECLARED].finding(Status.PASS, resource.id, pointer,
                         f"live {kind.live_type} {keys[0]} is declared as {match.address} ({match.location})"))
            differs = _pair_finding(match, resource, ctx, rules[DIFFERS])
            if differs is not None:
                found.append(differs)
    found.extend(_missing(kind, ctx, rules[MISSING], by_key, matched))
    return found


def _missing(kind: Kind, ctx: Context, rule: RuleInfo, by_key: dict[str, Declared], matched: set[str]) -> list[Finding]:
    """ATL-DRIFT-002 for each keyed declaration nothing live matched."""
    gaps = [g for g in ctx.snapshot.gaps if kind.live_type in g.resource_types]
    found: list[Finding] = []
    reported: set[str] = set()
    for key, item in sorted(by_key.items()):
        if item.address in matched or item.address in reported:
            continue
        reported.add(item.address)
        if gaps:
            found.append(rule.finding(Status.ERROR, item.address, item.location,
                                      f"cannot tell whether {key} ({item.address}, {item.location}) exists live: "
                                      f"{gaps[0].operation} was not read ({gaps[0].reason})"))
        else:
            found.append(rule.finding(Status.FAIL, item.address, item.location,
                                      f"{item.address} ({item.location}) declares {kind.live_type} {key}, "
                                      "which does not exist live"))
    return found


def _pair_finding(d: Declared, r: Resource, ctx: Context, rule: RuleInfo) -> Finding | None:
    """One ATL-DRIFT-003 finding for a matched pair: worst of its attributes, each difference named."""
    compared = compare(d, r, ctx)
    if not compared:
        return None
    failing = [c for c in compared if c.status is Status.FAIL]
    erring = [c for c in compared if c.status is Status.ERROR]
    if failing or erring:
        first = (failing or erring)[0]
        status = Status.FAIL if failing else Status.ERROR
        return rule.finding(status, d.address, first.where,
                            f"{r.id} differs from {d.address} ({d.location}): " + _sentences(failing + erring))
    names = ", ".join(sorted({c.attribute for c in compared}))
    return rule.finding(Status.PASS, d.address, d.location, f"{r.id} matches {d.address} ({d.location}) on {names}")


def _sentences(comparisons: list[Comparison]) -> str:
    return "; ".join(f"{c.message} ({c.where})" for c in comparisons)


def _attr(d: Declared, ctx: Context, name: str) -> Any:
    return ctx.resolver.value(d, d.attributes.get(name))


def _tag(tags: Any, key: str) -> str | None:
    for tag in tags or []:
        if isinstance(tag, dict) and tag.get("Key", tag.get("key")) == key:
            return str(tag.get("Value", tag.get("value")))
    return None


def _joined(*parts: Any) -> list[str]:
    return ["/".join(str(p) for p in parts)] if all(isinstance(p, (str, int)) for p in parts) else []


def _project(d: Declared, ctx: Context) -> str | None:
    return project_key(d, ctx.resolver, ctx.config)


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


def _kms_declared_keys(d: Declared, ctx: Context) -> list[str]:
    recorded = [v for v in (_attr(d, ctx, "key_id"),) if isinstance(v, str)]
    return _kms_aliases(d, ctx) + recorded


def _kms_live_keys(r: Resource, _ctx: Context) -> list[str]:
    a = r.attributes
    if a.get("KeyManager") != "CUSTOMER" or a.get("KeyState") in ("PendingDeletion", "PendingReplicaDeletion"):
        return []
    return sorted(a.get("Aliases") or []) + [str(a.get("KeyId"))]


def _task_unmanaged(r: Resource, ctx: Context) -> str | None:
    tags = r.attributes.get("tags") or []
    missing = [t for t in ctx.config.provenance_tags if not _tag(tags, t)]
    if missing:
        return f"revision {r.attributes.get('revision')} lacks the provenance tag(s) {', '.join(missing)} that deploys set"
    return None


def _access_keys(d: Declared, ctx: Context) -> list[str]:
    cidr = _attr(d, ctx, "cidr_block")
    if cidr is None and isinstance(_attr(d, ctx, "ip_address"), str):
        cidr = f"{_attr(d, ctx, 'ip_address')}/32"
    return _joined(_project(d, ctx), cidr)


def _region(text: Any) -> Any:
    return text.upper().replace("-", "_") if isinstance(text, str) else text


def _endpoint_declared_keys(d: Declared, ctx: Context) -> list[str]:
    """A VPC endpoint by its Name tag, its recorded id, or its literal service name."""
    tags = _attr(d, ctx, "tags")
    name = tags.get("Name") if isinstance(tags, dict) else None
    keys = [f"name:{name}"] if isinstance(name, str) else []
    keys += [f"id:{v}" for v in (_attr(d, ctx, "id"),) if isinstance(v, str)]
    service, vpc = _attr(d, ctx, "service_name"), _attr(d, ctx, "vpc_id")
    if isinstance(service, str) and isinstance(vpc, str):
        keys.append(f"service:{vpc}/{service}")
    return keys


def _endpoint_live_keys(r: Resource, _ctx: Context) -> list[str]:
    a = r.attributes
    name = _tag(a.get("Tags"), "Name")
    return ([f"name:{name}"] if name else []) + [f"id:{a.get('VpcEndpointId')}",
                                                  f"service:{a.get('VpcId')}/{a.get('ServiceName')}"]


def _interface_declared_keys(d: Declared, ctx: Context) -> list[str]:
    """The Atlas side of an endpoint: its project and the AWS endpoint's id, literal or the live id
    of the declared `aws_vpc_endpoint` it names."""
    raw = d.attributes.get("endpoint_service_id")
    endpoint = ctx.resolver.value(d, raw)
    if not isinstance(endpoint, str):
        target = ctx.resolver.target(d, raw)
        twin = ctx.live_of(target) if target is not None and target.type == "aws_vpc_endpoint" else None
        endpoint = twin.attributes.get("VpcEndpointId") if twin is not None else None
    return _joined(_project(d, ctx), endpoint)


KINDS: tuple[Kind, ...] = (
    Kind("aws.secretsmanager.secret", ("aws_secretsmanager_secret",),
         lambda d, c: [v for v in (_attr(d, c, "name"),) if isinstance(v, str)],
         lambda r, _c: [] if r.attributes.get("DeletedDate") else [str(r.attributes.get("Name"))]),
    Kind("aws.kms.key", ("aws_kms_key",), _kms_declared_keys, _kms_live_keys),
    Kind("aws.ec2.security_group", ("aws_security_group",),
         lambda d, c: [v for v in (_attr(d, c, "name"),) if isinstance(v, str)],
         lambda r, _c: [] if r.attributes.get("GroupName") == "default" else [str(r.attributes.get("GroupName"))]),
    Kind("aws.ec2.vpc_endpoint", ("aws_vpc_endpoint",), _endpoint_declared_keys, _endpoint_live_keys),
    Kind("aws.ecs.task_definition", ("aws_ecs_task_definition",),
         lambda d, c: [v for v in (_attr(d, c, "family"),) if isinstance(v, str)],
         lambda r, _c: [str(r.attributes.get("family"))], _task_unmanaged),
    Kind("atlas.cluster", ("mongodbatlas_advanced_cluster", "mongodbatlas_cluster"),
         lambda d, c: _joined(_project(d, c), _attr(d, c, "name")),
         lambda r, _c: _joined(r.scope, r.attributes.get("name"))),
    Kind("atlas.database_user", ("mongodbatlas_database_user",),
         lambda d, c: _joined(_project(d, c), _attr(d, c, "auth_database_name"), _attr(d, c, "username")),
         lambda r, _c: _joined(r.scope, r.attributes.get("databaseName"), r.attributes.get("username"))),
    Kind("atlas.access_list_entry", ("mongodbatlas_project_ip_access_list",), _access_keys,
         lambda r, _c: _joined(r.scope, r.attributes.get("cidrBlock") or r.attributes.get("awsSecurityGroup"))),
    Kind("atlas.endpoint_service", ("mongodbatlas_privatelink_endpoint",),
         lambda d, c: _joined(_project(d, c), _region(_attr(d, c, "region"))),
         lambda r, _c: _joined(r.scope, _region(r.attributes.get("regionName")))),
    Kind("atlas.interface_endpoint", ("mongodbatlas_privatelink_endpoint_service",), _interface_declared_keys,
         lambda r, _c: _joined(r.scope, r.attributes.get("interfaceEndpointId") or r.id.rsplit("/", 1)[-1])),
)
