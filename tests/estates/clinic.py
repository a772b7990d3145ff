"""The clinic estate's snapshot, written by hand (not derived from sandbox/ or other fixtures).

Two projects, 130 clinic-site /32 entries inside the approved range, one entry outside every
declared range; the claims cluster encrypted with the project's customer key, the organisation's
settings, and in each AWS account one multi-region trail and a Config recorder per region in scope
(so the change-record and encryption rules have what they read); and the two gaps a read-only key meets in practice: the audit-log
configuration refused (HTTP 403) and the custom-roles list answered 406 (media version not served).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

CONFIG = Path(__file__).with_name("clinic.yaml")
CLAIMS, FORMULARY = "6c2000000000000000000011", "6c2000000000000000000012"
SITES = [f"100.64.0.{host}/32" for host in range(1, 131)]
STRAY = "100.64.1.9/32"
ORG = "6c2000000000000000000a00"


def _atlas(kind: str, project: str, name: str, attrs: dict[str, Any], op: str) -> dict[str, Any]:
    return {"id": f"atlas:{project}/{kind.split('.', 1)[1]}/{name}", "type": kind, "provider": "atlas", "scope": project,
            "region": None, "source": [f"atlas:{op}"], "attributes": attrs}


def _entry(project: str, cidr: str, comment: str) -> dict[str, Any]:
    return _atlas("atlas.access_list_entry", project, cidr, {"cidrBlock": cidr, "comment": comment, "groupId": project},
                  "listGroupAccessListEntries")


def _aws(kind: str, account: str, region: str, arn: str, attrs: dict[str, Any], op: str) -> dict[str, Any]:
    return {"id": arn, "type": kind, "provider": "aws", "scope": account, "region": region, "source": [f"aws:{op}"],
            "attributes": attrs}


def _change_records() -> list[dict[str, Any]]:
    """A logging, validated, multi-region trail per account; a recorder of everything per region."""
    records = []
    for account, regions in (("345678901234", ["eu-central-1"]), ("456789012345", ["eu-west-1", "eu-central-1"])):
        records.append(_aws("aws.cloudtrail.trail", account, "eu-central-1",
                            f"arn:aws:cloudtrail:eu-central-1:{account}:trail/clinic-audit",
                            {"Name": "clinic-audit", "HomeRegion": "eu-central-1", "IsMultiRegionTrail": True,
                             "LogFileValidationEnabled": True, "Status": {"IsLogging": True}}, "cloudtrail:DescribeTrails"))
        records += [_aws("aws.config.recorder", account, region, f"arn:aws:config:{region}:{account}:recorder/default",
                         {"name": "default", "recordingGroup": {"allSupported": True}, "Status": {"recording": True}},
                         "config:DescribeConfigurationRecorders") for region in regions]
    return records


def _gap(op: str, project: str, reason: str, detail: str, types: list[str]) -> dict[str, Any]:
    return {"provider": "atlas", "operation": f"atlas:{op}", "scope": project, "region": None, "reason": reason,
            "detail": detail, "resource_types": types}


def snapshot_doc(*, gaps: bool = True, stray: bool = True) -> dict[str, Any]:
    resources = [
        _atlas("atlas.project", CLAIMS, "claims", {"id": CLAIMS, "name": "claims"}, "getGroup"),
        _atlas("atlas.project", FORMULARY, "formulary", {"id": FORMULARY, "name": "formulary"}, "getGroup"),
        _atlas("atlas.cluster", CLAIMS, "claims-main",
               {"name": "claims-main", "processArgs": {"minimumEnabledTlsProtocol": "TLS1_2"},
                "encryptionAtRestProvider": "AWS"}, "listGroupClusters"),
        _atlas("atlas.cluster", FORMULARY, "formulary-ro",
               {"name": "formulary-ro", "processArgs": {"minimumEnabledTlsProtocol": "TLS1_3"}}, "listGroupClusters"),
        _atlas("atlas.database_user", CLAIMS, "admin/claims_api",
               {"username": "claims_api", "databaseName": "admin", "roles": [{"roleName": "readWrite", "databaseName": "claims"}],
                "scopes": [{"name": "claims-main", "type": "CLUSTER"}]}, "listGroupDatabaseUsers"),
        _atlas("atlas.database_user", FORMULARY, "admin/formulary_reader",
               {"username": "formulary_reader", "databaseName": "admin", "roles": [{"roleName": "read", "databaseName": "drugs"}],
                "scopes": [{"name": "formulary-ro", "type": "CLUSTER"}]}, "listGroupDatabaseUsers"),
        _entry(CLAIMS, "10.40.0.0/16", "workloads VPC"),
        _entry(FORMULARY, "10.40.0.0/16", "workloads VPC"),
        *(_entry(CLAIMS, cidr, f"clinic site {i + 1}") for i, cidr in enumerate(SITES)),
        _atlas("atlas.encryption_at_rest", CLAIMS, "config", {"awsKms": {"enabled": True, "valid": True}},
               "getGroupEncryptionAtRest"),
        {**_atlas("atlas.org_settings", ORG, "settings", {"multiFactorAuthRequired": True, "apiAccessListRequired": True},
                  "getOrgSettings"), "id": f"atlas:{ORG}/org_settings/settings"},
        *_change_records(),
    ]
    if not gaps:  # with the gaps, the audit-log read was refused: no record of it
        resources.append(_atlas("atlas.audit_log", CLAIMS, "config", {"enabled": True}, "getGroupAuditLog"))
    if stray:
        resources.append(_entry(CLAIMS, STRAY, "temporary: billing contractor"))
    resources.sort(key=lambda r: (r["id"], r["type"]))
    return {
        "schema_version": "1", "collected_at": "2026-12-01T03:00:00Z", "collector_version": "test",
        "identity": {"aws_caller_arns": [], "atlas_principal": "clinic-readonly"}, "scope": {},
        "resources": resources, "notes": [],
        "gaps": [
            _gap("getGroupAuditLog", CLAIMS, "access_denied", "getGroupAuditLog: HTTP 403 USER_UNAUTHORIZED", ["atlas.audit_log"]),
            _gap("listGroupCustomDbRoleRoles", FORMULARY, "version_mismatch",
                 "listGroupCustomDbRoleRoles: HTTP 406 INVALID_VERSION_DATE (asked for application/vnd.atlas.2023-01-01+json)",
                 ["atlas.custom_db_role"]),
        ] if gaps else [],
    }
