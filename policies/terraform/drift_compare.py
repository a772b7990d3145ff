"""ATL-DRIFT-003's comparisons: each attribute with a declared and a live form, compared for one
matched pair. An attribute the declaration leaves out is not compared (Terraform does not manage
it); one source cannot determine is an `error` naming its file:line, never skipped.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Protocol

from attest.collector.snapshot import Resource
from attest.policies.findings import Status
from attest.policies.terraform.hcl import Declared
from attest.policies.terraform.resolve import Resolver


class Lookup(Protocol):
    """What comparisons need from drift's matching: values, and a declaration's live twin."""

    resolver: Resolver
    live_keys: tuple[Resource, ...]
    live_groups: tuple[Resource, ...]

    def kms_aliases(self, key: Declared) -> list[str]: ...

    def live_of(self, declared: Declared) -> Resource | None: ...


@dataclass(frozen=True)
class Comparison:
    """One attribute of one pair: pass (equal), fail (differs) or error (cannot tell), with where and why."""

    attribute: str
    status: Status
    where: str
    message: str = ""


def compare(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
    return [c for compare_one in _COMPARERS.get(d.type, ()) for c in compare_one(d, r, ctx)]


def _attr(d: Declared, ctx: Lookup, name: str) -> Any:
    return ctx.resolver.value(d, d.attributes.get(name))


def _same(d: Declared, attribute: str) -> list[Comparison]:
    return [Comparison(attribute, Status.PASS, d.attribute_location(attribute))]


def _differs(d: Declared, attribute: str, message: str) -> list[Comparison]:
    return [Comparison(attribute, Status.FAIL, d.attribute_location(attribute), message)]


def _cannot(d: Declared, attribute: str, why: str) -> list[Comparison]:
    return [Comparison(attribute, Status.ERROR, d.attribute_location(attribute), f"cannot compare {attribute}: {why}")]


def _scalar(attribute: str, live: Callable[[Resource], Any], default: Any = None,
            normalise: Callable[[Any], Any] = lambda v: v) -> Callable[[Declared, Resource, Lookup], list[Comparison]]:
    """A single declared value against one live field (`default` when the declaration omits it)."""
    def compare_scalar(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
        actual = live(r)
        if attribute not in d.attributes and (default is None or actual is None):
            return []
        declared = _attr(d, ctx, attribute) if attribute in d.attributes else default
        if declared is None or isinstance(declared, (list, dict)):
            return _cannot(d, attribute, f"{d.attributes.get(attribute)} is not determined by source")
        if actual is None:
            return _cannot(d, attribute, "the snapshot holds no live value for it")
        if normalise(declared) == normalise(actual):
            return _same(d, attribute)
        return _differs(d, attribute, f"{attribute} is {actual} live, {declared} declared")
    return compare_scalar


def _tags(field: str) -> Callable[[Declared, Resource, Lookup], list[Comparison]]:
    """Each declared tag against the live one (live-only tags may come from provider default_tags)."""
    def compare_tags(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
        declared = _attr(d, ctx, "tags") if "tags" in d.attributes else None
        if declared is None:
            return []
        if not isinstance(declared, dict):
            return _cannot(d, "tags", "the tags are not a map source determines")
        live = {str(t.get("Key")): t.get("Value") for t in r.attributes.get(field) or [] if isinstance(t, dict)}
        wrong = []
        for key, raw in sorted(declared.items()):
            value = ctx.resolver.value(d, raw)
            if not isinstance(value, (str, int, float, bool)):
                return _cannot(d, "tags", f"tag {key} = {raw} is not determined by source")
            if live.get(key) != str(value):
                wrong.append(f"{key} is {live.get(key, 'absent')!r} live, {str(value)!r} declared")
        return _differs(d, "tags", "tag " + "; tag ".join(wrong)) if wrong else _same(d, "tags")
    return compare_tags


def _secret_key(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
    live = r.attributes.get("KmsKeyId")
    raw = d.attributes.get("kms_key_id")
    if raw is None:
        expected: set[str] = {""}
    else:
        key = ctx.resolver.target(d, raw)
        if key is not None:
            expected = set(ctx.kms_aliases(key))
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
        return _same(d, "kms_key_id")
    return _differs(d, "kms_key_id", f"encrypted with {live or 'the AWS-managed key'} live, not the declared key")


Source = tuple[str, int, int, str, str]
_SOURCE_FIELDS = (("cidr_blocks", "ipv4"), ("ipv6_cidr_blocks", "ipv6"), ("prefix_list_ids", "prefix-list"))


def _ingress(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
    """Every ingress source compared: IPv4 and IPv6 ranges, prefix lists and security groups."""
    if "ingress" not in d.attributes:
        return []
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
        return _same(d, "ingress")
    extra, absent = sorted(live - declared), sorted(declared - live)
    return _differs(d, "ingress", f"ingress differs: live only {extra or 'none'}; declared only {absent or 'none'}")


def _declared_sources(d: Declared, rule: dict[str, Any], live: Resource, ctx: Lookup) -> list[tuple[str, str]] | str:
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


def _group_id(d: Declared, raw: Any, ctx: Lookup) -> str | None:
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


def _subnets(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
    """Literal subnet ids compared as a set; references to declared subnets (ids known only after
    apply) compared by count, each reference naming a distinct subnet."""
    if "subnet_ids" not in d.attributes:
        return []
    raw = d.attributes.get("subnet_ids")
    entries = raw if isinstance(raw, list) else [raw]
    live = sorted(str(s) for s in r.attributes.get("SubnetIds") or [])
    values = [ctx.resolver.value(d, e) for e in entries]
    if all(isinstance(v, str) for v in values):
        if sorted(map(str, values)) == live:
            return _same(d, "subnet_ids")
        return _differs(d, "subnet_ids", f"subnets are {live} live, {sorted(map(str, values))} declared")
    targets = [ctx.resolver.target(d, e) for e in entries]
    if not all(t is not None and t.type == "aws_subnet" for t in targets) or len(set(targets)) != len(targets):
        return _cannot(d, "subnet_ids", f"{raw} is not a list of subnets source determines")
    if len(live) == len(targets):
        return _same(d, "subnet_ids")
    return _differs(d, "subnet_ids", f"spans {len(live)} subnet(s) live, {len(targets)} declared")


def _service_name(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
    """The endpoint's service: a literal, or the Atlas endpoint service it names, as live state holds it."""
    if "service_name" not in d.attributes:
        return []
    raw = d.attributes["service_name"]
    declared = ctx.resolver.value(d, raw)
    if not isinstance(declared, str):
        target = ctx.resolver.target(d, raw)
        twin = ctx.live_of(target) if target is not None else None
        declared = twin.attributes.get("endpointServiceName") if twin is not None else None
    if not isinstance(declared, str):
        return _cannot(d, "service_name", f"{raw} names no service source or live state determines")
    live = r.attributes.get("ServiceName")
    if live == declared:
        return _same(d, "service_name")
    return _differs(d, "service_name", f"service is {live} live, {declared} declared")


def _tls(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
    blocks = d.attributes.get("advanced_configuration")
    settings = [b for b in (blocks if isinstance(blocks, list) else [blocks]) if isinstance(b, dict)]
    raws = [b["minimum_enabled_tls_protocol"] for b in settings if "minimum_enabled_tls_protocol" in b]
    if not raws:
        return []
    declared = ctx.resolver.value(d, raws[0])
    where = "advanced_configuration"
    if not isinstance(declared, str):
        return _cannot(d, where, f"minimum_enabled_tls_protocol {raws[0]} is not determined by source")
    live = (r.attributes.get("processArgs") or {}).get("minimumEnabledTlsProtocol")
    if live is None:
        return _cannot(d, where, "the snapshot holds no live minimum TLS protocol")
    if live == declared:
        return _same(d, where)
    return _differs(d, where, f"minimum TLS is {live} live, {declared} declared")


def _roles(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
    declared = {(ctx.resolver.value(d, b.get("role_name")), ctx.resolver.value(d, b.get("database_name")))
                for b in _blocks(d.attributes.get("roles"))}
    if any(not isinstance(x, str) for pair in declared for x in pair):
        return _cannot(d, "roles", "a role's name or database is not determined by source")
    live = {(x.get("roleName"), x.get("databaseName")) for x in r.attributes.get("roles") or []}
    if declared == live:
        return _same(d, "roles")
    return _differs(d, "roles", f"roles are {sorted(live)} live, {sorted(declared)} declared")


def _scopes(d: Declared, r: Resource, ctx: Lookup) -> list[Comparison]:
    declared = {(ctx.resolver.value(d, b.get("name")), ctx.resolver.value(d, b.get("type")))
                for b in _blocks(d.attributes.get("scopes"))}
    if any(not isinstance(x, str) for pair in declared for x in pair):
        return _cannot(d, "scopes", "a scope's name or type is not determined by source")
    live = {(x.get("name"), x.get("type")) for x in r.attributes.get("scopes") or []}
    if declared == live:
        return _same(d, "scopes") if declared else []
    return _differs(d, "scopes", f"scopes are {sorted(live) or 'none'} live, {sorted(declared) or 'none'} declared")


def _blocks(value: Any) -> list[dict[str, Any]]:
    if isinstance(value, dict):
        return [value]
    return [v for v in value or [] if isinstance(v, dict)]


def _key_state(r: Resource) -> Any:
    state = r.attributes.get("KeyState")
    return {"Enabled": True, "Disabled": False}.get(state) if isinstance(state, str) else None


_COMPARERS: dict[str, tuple[Callable[[Declared, Resource, Lookup], list[Comparison]], ...]] = {
    "aws_secretsmanager_secret": (_secret_key, _tags("Tags")),
    "aws_kms_key": (_scalar("enable_key_rotation", lambda r: r.attributes.get("KeyRotationEnabled"), default=False),
                    _scalar("is_enabled", _key_state, default=True)),
    "aws_security_group": (_ingress, _tags("Tags")),
    "aws_vpc_endpoint": (_subnets, _service_name, _tags("Tags")),
    "mongodbatlas_advanced_cluster": (_tls,),
    "mongodbatlas_cluster": (_tls,),
    "mongodbatlas_database_user": (_roles, _scopes),
    "mongodbatlas_project_ip_access_list": (_scalar("comment", lambda r: r.attributes.get("comment", "")),),
}
