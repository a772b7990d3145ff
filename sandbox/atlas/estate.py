"""The Atlas side of a seeded estate, as the documents the Admin API v2 would answer with.

Built once from the `atlas:` section of an estate file plus the AWS interface-endpoint ids
(which moto assigns). Documents carry their own API path (for `links`) and never a password:
the real API does not return one, so neither does the emulator. Ids the estate does not give are
derived from names, so the same estate always gives the same documents.

Optional estate keys beyond default.yaml, for variants: project `tags`, `custom_db_roles`
([{role_name, actions: [{action, resources: [{db, collection, cluster}]}], inherited_roles: [{db, role}]}]),
`audit_log` ({enabled, configuration_type, audit_authorization_success, audit_filter}),
`encryption_at_rest` ({aws_kms: {customer_master_key_id, enabled, region, role_id, valid,
require_private_networking}}); org `settings` ({multi_factor_auth_required,
api_access_list_required, restrict_employee_access}); cluster
`instance_size`, `backup_enabled`, `encryption_at_rest_provider`, `pit_enabled`,
`termination_protection`, `tags`; endpoint service `error_message`; interface endpoint
`delete_requested`, `error_message`; user `aws_iam_type`, `x509_type`, `labels`,
`delete_after_date`; access entry `awsSecurityGroup`, `deleteAfterDate`.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from typing import Any, Mapping
from urllib.parse import quote

from attest.core.errors import BadInputError

CREATED = "2026-01-15T09:30:00Z"
MONGO_PATCH = {"6.0": "6.0.24", "7.0": "7.0.21", "8.0": "8.0.12"}
OWNER_ROLES = ("GROUP_OWNER", "ORG_OWNER")


@dataclass(frozen=True)
class Item:
    """One API document and the API path of its `self` link (None: no links on this kind)."""

    path: str | None
    doc: Mapping[str, Any]


@dataclass(frozen=True)
class Principal:
    name: str          # public key or client id
    secret: str
    role: str

    @property
    def is_owner(self) -> bool:
        return self.role in OWNER_ROLES


@dataclass
class Project:
    group: Item
    clusters: dict[str, Item] = field(default_factory=dict)
    process_args: dict[str, dict[str, Any]] = field(default_factory=dict)
    endpoint_services: dict[str, Item] = field(default_factory=dict)
    interface_endpoints: dict[tuple[str, str], Item] = field(default_factory=dict)
    database_users: list[Item] = field(default_factory=list)
    access_list: list[Item] = field(default_factory=list)
    custom_db_roles: list[Item] = field(default_factory=list)
    audit_log: Item = field(default_factory=lambda: Item(None, {}))
    encryption_at_rest: Item = field(default_factory=lambda: Item(None, {}))


@dataclass(frozen=True)
class AtlasEstate:
    org_id: str
    org_settings: Item
    projects: Mapping[str, Project]
    api_keys: Mapping[str, Principal]
    service_accounts: Mapping[str, Principal]


def build_estate(section: Mapping[str, Any], vpce_ids: Mapping[str, str]) -> AtlasEstate:
    """The estate's documents; a section that lacks a needed key or has a wrong type is bad input."""
    try:
        return _build(section, vpce_ids)
    except KeyError as exc:
        raise BadInputError(f"atlas section: missing key {exc.args[0]!r}", where="estate") from None
    except (TypeError, AttributeError, ValueError) as exc:
        raise BadInputError(f"atlas section: {exc}", where="estate") from None


def _build(section: Mapping[str, Any], vpce_ids: Mapping[str, str]) -> AtlasEstate:
    org_id = str(section.get("org", {}).get("id", "000000000000000000000000"))
    projects = {str(p["id"]): _project(p, org_id, vpce_ids) for p in section.get("projects", [])}
    keys = {
        str(k["public_key"]): Principal(str(k["public_key"]), str(k["private_key"]), str(k.get("role", "GROUP_READ_ONLY")))
        for k in section.get("api_keys", [])
    }
    accounts = {
        str(a["client_id"]): Principal(str(a["client_id"]), str(a["client_secret"]), str(a.get("role", "GROUP_READ_ONLY")))
        for a in section.get("service_accounts", [])
    }
    org_settings = Item(None, _org_settings(section.get("org", {}).get("settings") or {}))
    return AtlasEstate(org_id=org_id, org_settings=org_settings, projects=projects, api_keys=keys, service_accounts=accounts)


def _org_settings(raw: Mapping[str, Any]) -> dict[str, Any]:
    """getOrgSettings: the security switches default to off, as on a new organisation."""
    return {
        "apiAccessListRequired": bool(raw.get("api_access_list_required", False)),
        "genAIFeaturesEnabled": True,
        "maxServiceAccountSecretValidityInHours": 8760,
        "multiFactorAuthRequired": bool(raw.get("multi_factor_auth_required", False)),
        "restrictEmployeeAccess": bool(raw.get("restrict_employee_access", False)),
        "streamsCrossGroupEnabled": False,
    }


def _encryption_at_rest(raw: Mapping[str, Any]) -> dict[str, Any]:
    """getGroupEncryptionAtRest: each provider `enabled: false` unless the estate configures AWS KMS.

    The real answer never carries the legacy `secretAccessKey`; neither does this one.
    """
    aws = raw.get("aws_kms")
    doc: dict[str, Any] = {
        "awsKms": {"enabled": False},
        "azureKeyVault": {"enabled": False},
        "enabledForSearchNodes": False,
        "googleCloudKms": {"enabled": False},
    }
    if aws:
        doc["awsKms"] = {
            "customerMasterKeyID": str(aws["customer_master_key_id"]),
            "enabled": bool(aws.get("enabled", True)),
            "region": str(aws.get("region", "US_EAST_1")),
            "requirePrivateNetworking": bool(aws.get("require_private_networking", False)),
            "roleId": str(aws.get("role_id", _hex_id("role", str(aws["customer_master_key_id"])))),
            "valid": bool(aws.get("valid", True)),
        }
    return doc


def _hex_id(*parts: str) -> str:
    return hashlib.sha256("\x00".join(parts).encode()).hexdigest()[:24]


def _project(raw: Mapping[str, Any], org_id: str, vpce_ids: Mapping[str, str]) -> Project:
    gid = str(raw["id"])
    base = f"/api/atlas/v2/groups/{gid}"
    clusters = raw.get("clusters") or []
    project = Project(
        group=Item(base, {
            "clusterCount": len(clusters),
            "created": CREATED,
            "id": gid,
            "name": str(raw["name"]),
            "orgId": org_id,
            "tags": [{"key": str(k), "value": str(v)} for k, v in sorted((raw.get("tags") or {}).items())],
            "withDefaultAlertsSettings": True,
        })
    )
    regions = [str(s.get("region", "US_EAST_1")) for s in raw.get("endpoint_services") or []]
    for cluster in clusters:
        name = str(cluster["name"])
        project.clusters[name] = Item(f"{base}/clusters/{name}", _cluster(gid, cluster, regions[0] if regions else "US_EAST_1"))
        project.process_args[name] = _process_args(cluster.get("process_args") or {})
    for service in raw.get("endpoint_services") or []:
        _endpoint_service(project, base, service, vpce_ids)
    for user in raw.get("database_users") or []:
        project.database_users.append(_database_user(base, gid, user))
    for entry in raw.get("access_list") or []:
        project.access_list.append(_access_entry(base, gid, entry))
    for role in raw.get("custom_db_roles") or []:
        project.custom_db_roles.append(Item(None, _custom_role(role)))
    audit = raw.get("audit_log") or {}
    audit_doc: dict[str, Any] = {
        "auditAuthorizationSuccess": bool(audit.get("audit_authorization_success", False)),
        "configurationType": str(audit.get("configuration_type", "NONE")),
        "enabled": bool(audit.get("enabled", False)),
    }
    if "audit_filter" in audit:
        audit_doc["auditFilter"] = str(audit["audit_filter"])
    project.audit_log = Item(None, audit_doc)
    project.encryption_at_rest = Item(None, _encryption_at_rest(raw.get("encryption_at_rest") or {}))
    return project


def _cluster(gid: str, raw: Mapping[str, Any], region: str) -> dict[str, Any]:
    name = str(raw["name"])
    major = str(raw.get("mongo_version", "8.0"))
    host = f"{name}.{_hex_id(gid, name)[:5]}.mongodb.net"
    spec = {"instanceSize": str(raw.get("instance_size", "M10")), "diskIOPS": 3000, "diskSizeGB": 10.0, "ebsVolumeType": "STANDARD"}
    region_config = {
        "analyticsSpecs": {**spec, "nodeCount": 0},
        "autoScaling": {"compute": {"enabled": False, "scaleDownEnabled": False}, "diskGB": {"enabled": True}},
        "electableSpecs": {**spec, "nodeCount": 3},
        "priority": 7,
        "providerName": "AWS",
        "readOnlySpecs": {**spec, "nodeCount": 0},
        "regionName": region,
    }
    effective = {f"effective{k[0].upper()}{k[1:]}": v for k, v in region_config.items() if k.endswith("Specs")}
    spec_id, zone_id = _hex_id(gid, name, "spec"), _hex_id(gid, name, "zone")
    zone = {"id": spec_id, "zoneId": zone_id, "zoneName": "Zone 1"}
    return {
        "adaptiveCapacity": None,
        "advancedConfiguration": {
            "customOpensslCipherConfigTls12": [],
            "customOpensslCipherConfigTls13": [],
            "minimumEnabledTlsProtocol": str((raw.get("process_args") or {}).get("minimumEnabledTlsProtocol", "TLS1_2")),
            "tlsCipherConfigMode": "DEFAULT",
        },
        "backupEnabled": bool(raw.get("backup_enabled", True)),
        "biConnector": {"enabled": False, "readPreference": "secondary"},
        "clusterType": "REPLICASET",
        "connectionStrings": {
            "standard": f"mongodb://{name}-shard-00-00.{host}:27017/?ssl=true&authSource=admin",
            "standardSrv": f"mongodb+srv://{host}",
        },
        "createDate": CREATED,
        "diskWarmingMode": "FULLY_WARMED",
        "effectiveDatabaseEdition": "CORE",
        "effectiveReplicationSpecs": [{**zone, "regionConfigs": [region_config]}],
        "encryptionAtRestProvider": str(raw.get("encryption_at_rest_provider", "NONE")),
        "featureCompatibilityVersion": major,
        "globalClusterSelfManagedSharding": False,
        "groupId": gid,
        "id": _hex_id(gid, name),
        "internalClusterRole": "NONE",
        "labels": [],
        "mongoDBMajorVersion": major,
        "mongoDBVersion": MONGO_PATCH.get(major, f"{major}.0"),
        "name": name,
        "paused": False,
        "pitEnabled": bool(raw.get("pit_enabled", False)),
        "redactClientLogData": False,
        "replicationSpecs": [{**zone, "regionConfigs": [{**region_config, **effective}]}],
        "retainBackups": False,
        "rootCertType": "ISRGROOTX1",
        "stateName": "IDLE",
        "tags": [{"key": str(k), "value": str(v)} for k, v in sorted((raw.get("tags") or {}).items())],
        "terminationProtectionEnabled": bool(raw.get("termination_protection", False)),
        "useAwsTimeBasedSnapshotCopyForFastInitialSync": False,
        "versionReleaseSystem": "LTS",
    }


def _process_args(overrides: Mapping[str, Any]) -> dict[str, Any]:
    """All fields of ClusterDescriptionProcessArgs20240805; unset ones are null, as real answers show."""
    doc: dict[str, Any] = {
        "changeStreamOptionsPreAndPostImagesExpireAfterSeconds": None,
        "chunkMigrationConcurrency": None,
        "customOpensslCipherConfigTls12": [],
        "customOpensslCipherConfigTls13": [],
        "defaultMaxTimeMS": None,
        "defaultWriteConcern": "majority",
        "javascriptEnabled": True,
        "minimumEnabledTlsProtocol": "TLS1_2",
        "noTableScan": False,
        "oplogMinRetentionHours": None,
        "oplogSizeMB": None,
        "queryStatsLogVerbosity": None,
        "sampleRefreshIntervalBIConnector": None,
        "sampleSizeBIConnector": None,
        "tlsCipherConfigMode": "DEFAULT",
        "transactionLifetimeLimitSeconds": None,
    }
    doc.update(overrides)
    return doc


def _custom_role(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Each action resource carries `cluster`, `collection` and `db`, all three required by the spec."""
    actions = [
        {
            "action": str(action["action"]),
            "resources": [
                {"cluster": bool(r.get("cluster", False)), "collection": str(r.get("collection", "")), "db": str(r.get("db", ""))}
                for r in action.get("resources", [])
            ],
        }
        for action in raw.get("actions", [])
    ]
    inherited = [{"db": str(r["db"]), "role": str(r["role"])} for r in raw.get("inherited_roles", [])]
    return {"actions": actions, "inheritedRoles": inherited, "roleName": str(raw["role_name"])}


def _endpoint_service(project: Project, base: str, raw: Mapping[str, Any], vpce_ids: Mapping[str, str]) -> None:
    sid = str(raw["id"])
    endpoint_ids: list[str] = []
    for endpoint in raw.get("interface_endpoints") or []:
        name = str(endpoint["aws_vpc_endpoint"])
        if name not in vpce_ids:
            raise ValueError(f"no AWS VPC endpoint id for {name!r} (pass it in vpce_ids)")
        eid = vpce_ids[name]
        endpoint_ids.append(eid)
        project.interface_endpoints[(sid, eid)] = Item(None, {
            "cloudProvider": "AWS",
            "connectionStatus": str(endpoint.get("connection_status", "AVAILABLE")),
            "deleteRequested": bool(endpoint.get("delete_requested", False)),
            "errorMessage": endpoint.get("error_message"),
            "interfaceEndpointId": eid,
        })
    project.endpoint_services[sid] = Item(None, {
        "cloudProvider": "AWS",
        "endpointServiceName": raw.get("endpoint_service_name"),
        "errorMessage": raw.get("error_message"),
        "id": sid,
        "interfaceEndpoints": endpoint_ids,
        "regionName": str(raw.get("region", "US_EAST_1")),
        "status": str(raw.get("status", "AVAILABLE")),
        "supportedRemoteRegions": None,
    })


def _database_user(base: str, gid: str, raw: Mapping[str, Any]) -> Item:
    database, username = str(raw.get("database_name", "admin")), str(raw["username"])
    doc: dict[str, Any] = {
        "awsIAMType": str(raw.get("aws_iam_type", "NONE")),
        "databaseName": database,
        "groupId": gid,
        "labels": list(raw.get("labels", [])),
        "ldapAuthType": "NONE",
        "oidcAuthType": "NONE",
        "roles": [dict(r) for r in raw.get("roles", [])],
        "scopes": [dict(s) for s in raw.get("scopes", [])],
        "username": username,
        "x509Type": str(raw.get("x509_type", "NONE")),
    }
    if raw.get("delete_after_date"):
        doc["deleteAfterDate"] = str(raw["delete_after_date"])
    return Item(f"{base}/databaseUsers/{quote(database, safe='')}/{quote(username, safe='')}", doc)


def _access_entry(base: str, gid: str, raw: Mapping[str, Any]) -> Item:
    """A single IP comes back with both `ipAddress` and a `/32` `cidrBlock`, as the real API does."""
    doc: dict[str, Any] = {"groupId": gid}
    if "awsSecurityGroup" in raw:
        doc["awsSecurityGroup"] = str(raw["awsSecurityGroup"])
        key = doc["awsSecurityGroup"]
    elif "ipAddress" in raw:
        doc["ipAddress"] = str(raw["ipAddress"])
        doc["cidrBlock"] = f"{raw['ipAddress']}/32"
        key = doc["cidrBlock"]
    else:
        doc["cidrBlock"] = str(raw["cidrBlock"])
        key = doc["cidrBlock"]
    if "comment" in raw:
        doc["comment"] = str(raw["comment"])
    if raw.get("deleteAfterDate"):
        doc["deleteAfterDate"] = str(raw["deleteAfterDate"])
    return Item(f"{base}/accessList/{quote(key, safe='')}", doc)
