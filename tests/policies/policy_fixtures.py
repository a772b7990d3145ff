"""A hand-made snapshot shaped like the seeded estate, for the policy tests.

`seeded_doc()` is the snapshot as plain JSON data (attribute shapes as boto3 and Atlas v2 return
them, see docs/resources.md); tests mutate it to plant one fault, then judge it (conftest `judge`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.json_pointer import ABSENT, lookup

ROOT = Path(__file__).resolve().parents[2]
LOCAL_CONFIG = ROOT / "sandbox" / "attest.local.yaml"
ACCOUNT, REGION = "123456789012", "us-east-1"
PROD, REF = "6a7000000000000000000001", "6a7000000000000000000002"
ORG = "6a7000000000000000000a00"
SERVICE_NAME = "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f60718"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1111aaaa-2222-3333-4444-555566667777"


def config_with_account(directory: Path, account: str, name: str, regions: str) -> Path:
    """The local estate's config, written into `directory` with a second AWS account after its own
    (`regions` as the YAML list reads, e.g. `[eu-west-1, eu-central-1]`)."""
    text = LOCAL_CONFIG.read_text(encoding="utf-8")
    anchor = "      regions: [us-east-1]\n"
    assert anchor in text
    path = directory / "attest.yaml"
    path.write_text(text.replace(anchor, anchor + f'    - id: "{account}"\n      name: {name}\n      regions: {regions}\n', 1),
                    encoding="utf-8")
    return path


def _aws(kind: str, rid: str, attrs: dict[str, Any], source: str) -> dict[str, Any]:
    return {"id": rid, "type": kind, "provider": "aws", "scope": ACCOUNT, "region": REGION, "source": [source], "attributes": attrs}


def _atlas(kind: str, project: str, name: str, attrs: dict[str, Any]) -> dict[str, Any]:
    short = kind.split(".", 1)[1]
    return {"id": f"atlas:{project}/{short}/{name}", "type": kind, "provider": "atlas", "scope": project, "region": None,
            "source": [f"atlas:{short}"], "attributes": attrs}


def _perm(low: int | None, high: int | None, cidr: str, protocol: str = "tcp") -> dict[str, Any]:
    perm: dict[str, Any] = {"IpProtocol": protocol, "IpRanges": [{"CidrIp": cidr}], "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}
    if low is not None:
        perm.update(FromPort=low, ToPort=high)
    return perm


def _ec2(kind: str, ident: str) -> str:
    return f"arn:aws:ec2:{REGION}:{ACCOUNT}:{kind}/{ident}"


def _secret(name: str, suffix: str, data_class: str, kms: str | None, **extra: Any) -> dict[str, Any]:
    arn = f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-{suffix}"
    attrs = {"ARN": arn, "Name": name, "Tags": [{"Key": "data_class", "Value": data_class}], **extra}
    if kms:
        attrs["KmsKeyId"] = kms
    return _aws("aws.secretsmanager.secret", arn, attrs, "secretsmanager:ListSecrets")


def _task_def(revision: int, latest: bool, tags: list[dict[str, str]]) -> dict[str, Any]:
    arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/shopping-app:{revision}"
    secrets = [
        {"name": "MONGODB_URI", "valueFrom": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/mongodb/uri-AbCdEf"},
        {"name": "MONGODB_REFERENCE_URI", "valueFrom": f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:prod/mongodb/reference-uri-GhIjKl"},
    ]
    container = {"name": "web", "environment": [{"name": "NODE_ENV", "value": "production"}], "secrets": secrets}
    attrs = {"taskDefinitionArn": arn, "family": "shopping-app", "revision": revision, "containerDefinitions": [container],
             "tags": tags, "isLatestRevision": latest, "status": "ACTIVE"}
    return _aws("aws.ecs.task_definition", arn, attrs, "ecs:DescribeTaskDefinition")


def seeded_doc() -> dict[str, Any]:
    """The seeded estate as a snapshot document: everything passes but the three known findings."""
    sg_pl = {"GroupId": "sg-pl", "GroupName": "atlas-privatelink", "VpcId": "vpc-prod", "IpPermissions": [_perm(1024, 65535, "10.20.0.0/16")]}
    sg_app = {"GroupId": "sg-app", "GroupName": "app-tasks", "VpcId": "vpc-prod", "IpPermissions": [_perm(3000, 3000, "10.20.0.0/16")]}
    endpoint = {
        "VpcEndpointId": "vpce-0abc", "VpcId": "vpc-prod", "ServiceName": SERVICE_NAME, "State": "available",
        "VpcEndpointType": "Interface", "SubnetIds": ["subnet-a", "subnet-b"],
        "Groups": [{"GroupId": "sg-pl", "GroupName": "atlas-privatelink"}], "Tags": [{"Key": "Name", "Value": "atlas-reference"}],
    }
    acl = {"NetworkAclId": "acl-prod", "VpcId": "vpc-prod", "IsDefault": True,
           "Associations": [{"SubnetId": "subnet-a"}, {"SubnetId": "subnet-b"}],
           "Entries": [
               {"Egress": False, "RuleNumber": 10, "RuleAction": "deny", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 22}},
               {"Egress": False, "RuleNumber": 11, "RuleAction": "deny", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 3389, "To": 3389}},
               {"Egress": False, "RuleNumber": 12, "RuleAction": "deny", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 1433, "To": 6379}},
               {"Egress": False, "RuleNumber": 13, "RuleAction": "deny", "Protocol": "6", "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 27015, "To": 27017}},
               {"Egress": False, "RuleNumber": 100, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
               {"Egress": True, "RuleNumber": 100, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
           ]}
    key = {"KeyId": KEY_ARN.rsplit("/", 1)[1], "Arn": KEY_ARN, "KeyManager": "CUSTOMER", "KeyState": "Enabled",
           "Enabled": True, "KeyRotationEnabled": True, "Aliases": ["alias/prod-mongodb"]}
    service_arn = f"arn:aws:ecs:{REGION}:{ACCOUNT}:service/prod/shopping-app"
    td2 = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/shopping-app:2"
    service = {"serviceArn": service_arn, "serviceName": "shopping-app", "clusterArn": f"arn:aws:ecs:{REGION}:{ACCOUNT}:cluster/prod",
               "taskDefinition": td2, "desiredCount": 2, "runningCount": 2,
               "deployments": [{"status": "PRIMARY", "rolloutState": "COMPLETED", "taskDefinition": td2}]}
    resources = [
        _aws("aws.ec2.vpc", _ec2("vpc", "vpc-prod"), {"VpcId": "vpc-prod", "CidrBlock": "10.20.0.0/16",
             "CidrBlockAssociationSet": [{"CidrBlock": "10.20.0.0/16"}]}, "ec2:DescribeVpcs"),
        _aws("aws.ec2.subnet", _ec2("subnet", "subnet-a"), {"SubnetId": "subnet-a", "VpcId": "vpc-prod",
             "AvailabilityZone": "us-east-1a", "CidrBlock": "10.20.1.0/24"}, "ec2:DescribeSubnets"),
        _aws("aws.ec2.subnet", _ec2("subnet", "subnet-b"), {"SubnetId": "subnet-b", "VpcId": "vpc-prod",
             "AvailabilityZone": "us-east-1b", "CidrBlock": "10.20.2.0/24"}, "ec2:DescribeSubnets"),
        _aws("aws.ec2.security_group", _ec2("security-group", "sg-pl"), sg_pl, "ec2:DescribeSecurityGroups"),
        _aws("aws.ec2.security_group", _ec2("security-group", "sg-app"), sg_app, "ec2:DescribeSecurityGroups"),
        _aws("aws.ec2.vpc_endpoint", _ec2("vpc-endpoint", "vpce-0abc"), endpoint, "ec2:DescribeVpcEndpoints"),
        _aws("aws.ec2.network_acl", _ec2("network-acl", "acl-prod"), acl, "ec2:DescribeNetworkAcls"),
        _aws("aws.kms.key", KEY_ARN, key, "kms:DescribeKey"),
        _aws("aws.elbv2.listener", f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/shop-public/1/443", {
             "ListenerArn": f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:listener/app/shop-public/1/443", "Port": 443,
             "Protocol": "HTTPS", "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "DefaultActions": [{"Type": "forward"}],
             "LoadBalancer": {"Scheme": "internet-facing", "Type": "application"}}, "elasticloadbalancing:DescribeListeners"),
        _aws("aws.acm.certificate", f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/shop", {
             "CertificateArn": f"arn:aws:acm:{REGION}:{ACCOUNT}:certificate/shop", "DomainName": "shop.healthshop.example",
             "NotAfter": "2028-06-30T00:00:00Z", "Status": "ISSUED",
             "InUseBy": [f"arn:aws:elasticloadbalancing:{REGION}:{ACCOUNT}:loadbalancer/app/shop-public/1"]}, "acm:DescribeCertificate"),
        _aws("aws.cloudfront.distribution", f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1SHOP", {
             "ARN": f"arn:aws:cloudfront::{ACCOUNT}:distribution/E1SHOP", "DefaultCacheBehavior": {"ViewerProtocolPolicy": "redirect-to-https"},
             "CacheBehaviors": {"Quantity": 0}, "ViewerCertificate": {"MinimumProtocolVersion": "TLSv1.2_2021"}},
             "cloudfront:ListDistributions"),
        _aws("aws.cloudtrail.trail", f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/prod-audit", {
             "Name": "prod-audit", "HomeRegion": REGION, "IsMultiRegionTrail": True, "LogFileValidationEnabled": True,
             "TrailARN": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:trail/prod-audit", "Status": {"IsLogging": True}},
             "cloudtrail:DescribeTrails"),
        _aws("aws.config.recorder", f"arn:aws:config:{REGION}:{ACCOUNT}:config-recorder/default", {
             "name": "default", "recordingGroup": {"allSupported": True}, "Status": {"name": "default", "recording": True}},
             "config:DescribeConfigurationRecorders"),
        _secret("prod/mongodb/uri", "AbCdEf", "phi", KEY_ARN),
        _secret("prod/mongodb/reference-uri", "GhIjKl", "public", "alias/prod-mongodb"),
        _secret("legacy/mongodb/uri", "MnOpQr", "phi", None, DeletedDate="2026-12-03T00:00:00Z"),
        _aws("aws.ecs.service", service_arn, service, "ecs:DescribeServices"),
        _task_def(1, False, [{"key": "git_sha", "value": "3f1c2a9e8d7b6c5a4f3e2d1c0b9a8f7e6d5c4b3a"}]),
        _task_def(2, True, []),
        _atlas("atlas.project", PROD, "prod", {"id": PROD, "name": "prod"}),
        _atlas("atlas.project", REF, "reference", {"id": REF, "name": "reference"}),
        _atlas("atlas.cluster", PROD, "prod-cluster", {"name": "prod-cluster", "encryptionAtRestProvider": "AWS",
               "processArgs": {"minimumEnabledTlsProtocol": "TLS1_2"}}),
        _atlas("atlas.encryption_at_rest", PROD, "config", {"awsKms": {"enabled": True, "valid": True,
               "customerMasterKeyID": "6f8a2c1e-7b3d-4e59-9a10-2c4b6d8e0f13"}, "azureKeyVault": {"enabled": False}}),
        _atlas("atlas.audit_log", PROD, "config", {"enabled": True, "configurationType": "FILTER_JSON"}),
        {"id": f"atlas:org:{ORG}/org_settings/settings", "type": "atlas.org_settings", "provider": "atlas", "scope": ORG,
         "region": None, "source": ["atlas:getOrgSettings"],
         "attributes": {"multiFactorAuthRequired": True, "apiAccessListRequired": True}},
        _atlas("atlas.cluster", REF, "reference-cluster", {"name": "reference-cluster", "processArgs": {"minimumEnabledTlsProtocol": "TLS1_2"}}),
        _atlas("atlas.endpoint_service", REF, "es1", {"id": "es1", "endpointServiceName": SERVICE_NAME, "regionName": "US_EAST_1",
               "status": "AVAILABLE", "interfaceEndpoints": ["vpce-0abc"], "cloudProvider": "AWS"}),
        _atlas("atlas.interface_endpoint", REF, "vpce-0abc", {"interfaceEndpointId": "vpce-0abc", "connectionStatus": "AVAILABLE",
               "endpointServiceId": "es1", "deleteRequested": False}),
        _atlas("atlas.database_user", PROD, "admin/app_prod", {"username": "app_prod", "databaseName": "admin",
               "roles": [{"roleName": "readWrite", "databaseName": "app"}], "scopes": [{"name": "prod-cluster", "type": "CLUSTER"}]}),
        _atlas("atlas.database_user", REF, "admin/app_read_staging", {"username": "app_read_staging", "databaseName": "admin",
               "roles": [{"roleName": "read", "databaseName": "cms"}], "scopes": [{"name": "reference-cluster", "type": "CLUSTER"}]}),
        _atlas("atlas.access_list_entry", PROD, "10.20.0.0/16", {"cidrBlock": "10.20.0.0/16", "comment": "prod VPC"}),
        _atlas("atlas.access_list_entry", REF, "10.20.0.0/16", {"cidrBlock": "10.20.0.0/16", "comment": "prod VPC"}),
        _atlas("atlas.access_list_entry", REF, "198.51.100.0/28", {"cidrBlock": "198.51.100.0/28", "comment": "CI runners"}),
        _atlas("atlas.access_list_entry", REF, "203.0.113.45/32", {"cidrBlock": "203.0.113.45/32", "ipAddress": "203.0.113.45",
               "comment": "jdoe laptop (ENG-412)"}),
    ]
    resources.sort(key=lambda r: (r["id"], r["type"]))
    return {
        "schema_version": "1", "collected_at": "2026-11-26T12:00:00Z", "collector_version": "test",
        "identity": {"aws_caller_arns": [], "atlas_principal": None}, "scope": {},
        "resources": resources, "gaps": [], "notes": [],
    }


def find(doc: dict[str, Any], resource_type: str, suffix: str = "") -> dict[str, Any]:
    """The one resource of a type whose id ends with `suffix` (attributes are mutable in place)."""
    hits = [r for r in doc["resources"] if r["type"] == resource_type and r["id"].endswith(suffix)]
    assert len(hits) == 1, f"{resource_type} {suffix}: {len(hits)} matches"
    return hits[0]


def resolve_citation(snapshot_doc: dict[str, Any], config_doc: Any, citation: str) -> Any:
    """The value a citation names: `/pointer` in the snapshot, `config/attest.yaml#/pointer` in the
    config; `ABSENT` when it names nothing."""
    if citation.startswith("config/attest.yaml#"):
        document, pointer = config_doc, citation.partition("#")[2]
    else:
        document, pointer = snapshot_doc, citation
    return lookup(document, pointer)


def resolves(snapshot_doc: dict[str, Any], config_doc: Any, citation: str) -> bool:
    return resolve_citation(snapshot_doc, config_doc, citation) is not ABSENT
