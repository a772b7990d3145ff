"""Reading the estate config (`attest.yaml`) into its values (collector/config_values.py).

Validated on load; every problem is a BadInputError naming file, line and key. Secrets never live
here: credentials come from boto3's chain and the `MONGODB_ATLAS_*` variables.
"""
from __future__ import annotations

import hashlib
from pathlib import Path
from typing import Any

from attest.core.errors import BadInputError
from attest.core.gcpause import paused_gc
from attest.collector.fields import FieldReader
from attest.core.yamlfile import KeyPath, Locator, load_yaml
from attest.collector.config_values import (
    DATA_CLASSES,
    ROLES,
    VPCE_ID,
    AtlasCluster,
    AtlasProject,
    AwsAccount,
    Collection,
    EcsService,
    EstateConfig,
    EvidenceConfig,
    PrivateLink,
    SecretRef,
    Vendor,
)

# The values are re-exported: callers read a config and its types from one place.
__all__ = [
    "load_config",
    "parse_config",
    "AtlasCluster",
    "AtlasProject",
    "AwsAccount",
    "Collection",
    "EcsService",
    "EstateConfig",
    "EvidenceConfig",
    "PrivateLink",
    "SecretRef",
    "Vendor",
]


def _account(r: FieldReader, raw: Any, path: KeyPath) -> AwsAccount:
    m = r.mapping(raw, path, {"id", "name", "regions", "role_arn"}, {"id", "regions"})
    account_id = r.text(m["id"], (*path, "id"))
    if not (account_id.isdigit() and len(account_id) == 12):
        raise r.loc.error((*path, "id"), "an AWS account id is 12 digits (quote it in YAML)")
    regions = r.regions(m["regions"], (*path, "regions"))
    if not regions:
        raise r.loc.error((*path, "regions"), "list at least one region")
    role = m.get("role_arn")
    return AwsAccount(
        id=account_id,
        name=r.text(m.get("name", account_id), (*path, "name")),
        regions=regions,
        role_arn=r.text(role, (*path, "role_arn")) if role is not None else None,
    )


def _atlas_id(r: FieldReader, value: Any, path: KeyPath) -> str:
    """Atlas organisation and project ids are 24 hexadecimal digits (an ObjectId)."""
    text = r.text(value, path)
    if len(text) != 24 or any(c not in "0123456789abcdefABCDEF" for c in text):
        raise r.loc.error(path, f"an Atlas id is 24 hexadecimal digits (got {text!r})")
    return text


def _cluster(r: FieldReader, raw: Any, path: KeyPath) -> AtlasCluster:
    m = r.mapping(raw, path, {"name", "role", "databases"}, {"name", "role"})
    return AtlasCluster(
        name=r.text(m["name"], (*path, "name")),
        role=r.text(m["role"], (*path, "role"), ROLES),
        databases=r.texts(m.get("databases"), (*path, "databases")),
    )


def _project(r: FieldReader, raw: Any, path: KeyPath) -> AtlasProject:
    keys = {"id", "name", "role", "clusters", "database_users", "access_list", "access_ranges", "endpoint_service_regions"}
    m = r.mapping(raw, path, keys, {"id", "name", "role"})
    return AtlasProject(
        id=_atlas_id(r, m["id"], (*path, "id")),
        name=r.text(m["name"], (*path, "name")),
        role=r.text(m["role"], (*path, "role"), ROLES),
        clusters=r.items(m, "clusters", path, lambda v, p: _cluster(r, v, p)),
        database_users=r.texts(m.get("database_users"), (*path, "database_users")),
        access_list=tuple(
            r.cidr(v, (*path, "access_list", i))
            for i, v in enumerate(r.seq(m.get("access_list"), (*path, "access_list")))
        ),
        access_ranges=tuple(
            r.cidr(v, (*path, "access_ranges", i))
            for i, v in enumerate(r.seq(m.get("access_ranges"), (*path, "access_ranges")))
        ),
        endpoint_service_regions=tuple(
            r.atlas_region(v, (*path, "endpoint_service_regions", i))
            for i, v in enumerate(r.seq(m.get("endpoint_service_regions"), (*path, "endpoint_service_regions")))
        ),
    )


def _privatelink(r: FieldReader, raw: Any, path: KeyPath) -> PrivateLink:
    required = {"name", "aws_account", "region", "atlas_project", "atlas_region", "ports"}
    m = r.mapping(raw, path, required | {"vpc_endpoint_name", "vpc_endpoint_id"}, required)
    name, endpoint_id = m.get("vpc_endpoint_name"), m.get("vpc_endpoint_id")
    ranges = tuple(_port_range(r, v, (*path, "ports", i)) for i, v in enumerate(r.seq(m["ports"], (*path, "ports"))))
    if not ranges:
        raise r.loc.error((*path, "ports"), "list the Atlas PrivateLink ports, e.g. \"1024-65535\"")
    return PrivateLink(
        name=r.text(m["name"], (*path, "name")),
        aws_account=r.text(m["aws_account"], (*path, "aws_account")),
        region=r.region(m["region"], (*path, "region")),
        vpc_endpoint_name=r.text(name, (*path, "vpc_endpoint_name")) if name is not None else None,
        atlas_project=r.text(m["atlas_project"], (*path, "atlas_project")),
        atlas_region=r.atlas_region(m["atlas_region"], (*path, "atlas_region")),
        port_ranges=ranges,
        vpc_endpoint_id=_endpoint_id(r, endpoint_id, (*path, "vpc_endpoint_id")) if endpoint_id is not None else None,
    )


def _endpoint_id(r: FieldReader, value: Any, path: KeyPath) -> str:
    text = r.text(value, path)
    if not VPCE_ID.fullmatch(text):
        raise r.loc.error(path, f"a VPC endpoint id looks like vpce-0123456789abcdef0 (got {text!r})")
    return text


def _port_range(r: FieldReader, value: Any, path: KeyPath) -> tuple[int, int]:
    """A port (27017) or an inclusive range ("1024-65535")."""
    text = r.text(value, path)
    low, _, high = text.partition("-")
    try:
        first, last = int(low), int(high or low)
    except ValueError:
        raise r.loc.error(path, f"not a port or port range: {text!r}") from None
    if not 0 < first <= last < 65536:
        raise r.loc.error(path, f"ports run from 1 to 65535, low to high: {text!r}")
    return first, last


def _secret(r: FieldReader, raw: Any, path: KeyPath) -> SecretRef:
    m = r.mapping(raw, path, {"name", "points_to", "env_var"}, {"name", "points_to", "env_var"})
    target = r.text(m["points_to"], (*path, "points_to"))
    if target.count("/") != 1:
        raise r.loc.error((*path, "points_to"), "write the cluster as <project>/<cluster>")
    return SecretRef(r.text(m["name"], (*path, "name")), target, r.text(m["env_var"], (*path, "env_var")))


def _service(r: FieldReader, raw: Any, path: KeyPath) -> EcsService:
    keys = {"account", "region", "cluster", "service"}
    m = r.mapping(raw, path, keys, keys)
    return EcsService(
        account=r.text(m["account"], (*path, "account")),
        region=r.region(m["region"], (*path, "region")),
        cluster=r.text(m["cluster"], (*path, "cluster")),
        service=r.text(m["service"], (*path, "service")),
    )


def _collection(r: FieldReader, raw: Any, path: KeyPath) -> Collection:
    keys = {"cluster", "database", "collection", "class"}
    m = r.mapping(raw, path, keys, keys)
    return Collection(
        cluster=r.text(m["cluster"], (*path, "cluster")),
        database=r.text(m["database"], (*path, "database")),
        collection=r.text(m["collection"], (*path, "collection")),
        data_class=r.text(m["class"], (*path, "class"), DATA_CLASSES),
    )


def _vendor(r: FieldReader, raw: Any, path: KeyPath) -> Vendor:
    m = r.mapping(raw, path, {"name", "services", "data_classes", "baa", "notes"}, {"name", "baa"})
    baa = r.mapping(m["baa"], (*path, "baa"), {"signed", "aws_accounts", "atlas_projects"}, {"signed"})
    if not isinstance(baa["signed"], bool):
        raise r.loc.error((*path, "baa", "signed"), "must be true or false")
    classes = r.texts(m.get("data_classes"), (*path, "data_classes"))
    for i, value in enumerate(classes):
        r.text(value, (*path, "data_classes", i), DATA_CLASSES)
    return Vendor(
        name=r.text(m["name"], (*path, "name")),
        services=r.texts(m.get("services"), (*path, "services")),
        data_classes=classes,
        baa_signed=baa["signed"],
        baa_aws_accounts=r.texts(baa.get("aws_accounts"), (*path, "baa", "aws_accounts")),
        baa_atlas_projects=r.texts(baa.get("atlas_projects"), (*path, "baa", "atlas_projects")),
        notes=str(m.get("notes", "")),
    )


RETENTION_MODES = ("COMPLIANCE", "GOVERNANCE")


def _positive(r: FieldReader, m: dict[str, Any], key: str, path: KeyPath, default: int) -> int:
    value = m.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise r.loc.error((*path, key), "must be a positive whole number")
    return value


def _evidence(r: FieldReader, raw: Any, path: KeyPath) -> EvidenceConfig:
    m = r.mapping(raw, path, {"locker", "cadence_hours", "retention", "signing"}, set())
    retention = r.mapping(m.get("retention", {}), (*path, "retention"), {"mode", "days"}, set())
    signing = r.mapping(m.get("signing", {}), (*path, "signing"), {"kms_key_id", "public_key"}, set())
    pem = signing.get("public_key")
    pem_path = (*path, "signing", "public_key")
    if pem is not None and not r.text(pem, pem_path).strip().startswith("-----BEGIN PUBLIC KEY-----"):
        raise r.loc.error(pem_path, "must be a PEM public key (-----BEGIN PUBLIC KEY-----)")
    key_id = signing.get("kms_key_id")
    return EvidenceConfig(
        locker=r.text(m.get("locker", EvidenceConfig.locker), (*path, "locker")),
        cadence_hours=_positive(r, m, "cadence_hours", path, EvidenceConfig.cadence_hours),
        retention_mode=r.text(
            retention.get("mode", EvidenceConfig.retention_mode), (*path, "retention", "mode"), RETENTION_MODES
        ),
        retention_days=_positive(r, retention, "days", (*path, "retention"), EvidenceConfig.retention_days),
        kms_key_id=r.text(key_id, (*path, "signing", "kms_key_id")) if key_id is not None else None,
        public_key_pem=str(pem) if pem is not None else None,
    )


def parse_config(data: Any, locator: Locator, digest: str) -> EstateConfig:
    r = FieldReader(locator)
    top = r.mapping(
        data,
        (),
        {"version", "aws", "atlas", "privatelink", "secrets", "ecs", "data_classification", "vendors", "evidence",
         "terraform"},
        {"version"},
    )
    if top["version"] != 1:
        raise locator.error(("version",), "unsupported config version (this attest reads 1)")
    aws = r.mapping(
        top.get("aws", {}), ("aws",),
        {"accounts", "deploy_principals", "provenance_tags", "vpc_endpoints", "certificate_min_days"}, set(),
    )
    atlas = r.mapping(top.get("atlas", {}), ("atlas",), {"org_id", "projects", "approved_access_ranges"}, set())
    ecs = r.mapping(top.get("ecs", {}), ("ecs",), {"services"}, set())
    terraform = r.mapping(top.get("terraform", {}), ("terraform",), {"manages"}, set())
    org = atlas.get("org_id")
    config = EstateConfig(
        path=locator.path,
        digest=digest,
        aws_accounts=r.items(aws, "accounts", ("aws",), lambda v, p: _account(r, v, p)),
        deploy_principals=r.texts(aws.get("deploy_principals"), ("aws", "deploy_principals")),
        provenance_tags=r.texts(aws.get("provenance_tags"), ("aws", "provenance_tags")),
        vpc_endpoint_names=r.texts(aws.get("vpc_endpoints"), ("aws", "vpc_endpoints")),
        atlas_org_id=_atlas_id(r, org, ("atlas", "org_id")) if org is not None else None,
        atlas_projects=r.items(atlas, "projects", ("atlas",), lambda v, p: _project(r, v, p)),
        approved_ranges=tuple(
            r.cidr(v, ("atlas", "approved_access_ranges", i))
            for i, v in enumerate(r.seq(atlas.get("approved_access_ranges"), ("atlas", "approved_access_ranges")))
        ),
        privatelinks=r.items(top, "privatelink", (), lambda v, p: _privatelink(r, v, p)),
        secrets=r.items(top, "secrets", (), lambda v, p: _secret(r, v, p)),
        ecs_services=r.items(ecs, "services", ("ecs",), lambda v, p: _service(r, v, p)),
        collections=r.items(top, "data_classification", (), lambda v, p: _collection(r, v, p)),
        vendors=r.items(top, "vendors", (), lambda v, p: _vendor(r, v, p)),
        evidence=_evidence(r, top.get("evidence", {}), ("evidence",)),
        terraform_manages=r.texts(terraform.get("manages"), ("terraform", "manages")),
        certificate_min_days=_positive(r, aws, "certificate_min_days", ("aws",), 30),
    )
    _cross_check(config, locator)
    return config


def _cross_check(config: EstateConfig, locator: Locator) -> None:
    """References between sections must resolve, and what they name must be named once."""
    _unique(locator, ("aws", "accounts"), "id", [a.id for a in config.aws_accounts])
    _unique(locator, ("atlas", "projects"), "id", [p.id for p in config.atlas_projects])
    _unique(locator, ("atlas", "projects"), "name", [p.name for p in config.atlas_projects])
    _unique(locator, ("privatelink",), "name", [link.name for link in config.privatelinks])
    clusters = {f"{p.name}/{c.name}" for p in config.atlas_projects for c in p.clusters}
    accounts = {a.id: a for a in config.aws_accounts}
    for i, secret in enumerate(config.secrets):
        if secret.points_to not in clusters:
            raise locator.error(("secrets", i, "points_to"), f"no cluster {secret.points_to!r} under atlas.projects")
    for i, link in enumerate(config.privatelinks):
        if config.project(link.atlas_project) is None:
            raise locator.error(("privatelink", i, "atlas_project"), f"no Atlas project {link.atlas_project!r}")
        if link.aws_account not in accounts:
            raise locator.error(("privatelink", i, "aws_account"), f"no AWS account {link.aws_account!r} under aws.accounts")
        _collected_region(locator, ("privatelink", i, "region"), accounts[link.aws_account], link.region)
    for i, service in enumerate(config.ecs_services):
        if service.account not in accounts:
            raise locator.error(("ecs", "services", i, "account"), f"no AWS account {service.account!r} under aws.accounts")
        _collected_region(locator, ("ecs", "services", i, "region"), accounts[service.account], service.region)
    for i, managed in enumerate(config.terraform_manages):
        if managed not in accounts and config.project(managed) is None:
            raise locator.error(("terraform", "manages", i),
                                f"{managed!r} is neither an AWS account id under aws.accounts nor an Atlas project")
    for i, coll in enumerate(config.collections):
        if coll.cluster not in clusters:
            raise locator.error(("data_classification", i, "cluster"), f"no cluster {coll.cluster!r} under atlas.projects")


def _unique(locator: Locator, section: KeyPath, key: str, values: list[str]) -> None:
    first: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in first:
            raise locator.error((*section, index, key), f"{value!r} is already declared at {_dotted(section)}[{first[value]}]")
        first[value] = index


def _dotted(path: KeyPath) -> str:
    return ".".join(str(p) for p in path)


def _collected_region(locator: Locator, path: KeyPath, account: AwsAccount, region: str) -> None:
    """A declared thing in a region its account does not collect could never be found."""
    if region not in account.regions:
        raise locator.error(path, f"{region} is not among the regions of account {account.id} "
                                  f"({', '.join(account.regions)}): it would never be collected")


def load_config(path: str | Path) -> EstateConfig:
    with paused_gc():  # a large estate's config is read beside an already loaded large snapshot
        data, locator = load_yaml(path)
        digest = "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()
        if data is None:
            raise BadInputError("the estate config is empty", where=str(path))
        return parse_config(data, locator, digest)
