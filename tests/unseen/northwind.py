"""Northwind Clinic: an estate written for issue 19, not derived from sandbox/estates or the fixtures.

Two AWS accounts in eu-west-2 (one app account with everything in it, one data account declared but
with nothing collected), Atlas projects `records` (PHI) and `catalog` (reference), PrivateLink from
the app VPC to `catalog` through an endpoint with NO Name tag that the config names by id, an
access-list entry with no `comment` key, and an AWS vendor whose BAA is declared for public data only.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

APP, DATA = "555566667777", "888899990000"
REGION = "eu-west-2"
RECORDS, CATALOG = "64b000000000000000000011", "64b000000000000000000022"
ORG = "64b0000000000000000000aa"
VPCE = "vpce-0f1e2d3c4b5a69788"
SERVICE = "com.amazonaws.vpce.eu-west-2.vpce-svc-0123456789abcdef0"
KEY_ARN = f"arn:aws:kms:{REGION}:{APP}:key/9f8e7d6c-5b4a-3928-1706-f5e4d3c2b1a0"

CONFIG = f"""\
version: 1
aws:
  accounts:
    - {{id: "{APP}", name: clinic-app, regions: [{REGION}]}}
    - {{id: "{DATA}", name: clinic-data, regions: [{REGION}]}}
  deploy_principals: [arn:aws:iam::{APP}:role/release-bot]
  provenance_tags: [commit, pipeline]
  vpc_endpoints: [{VPCE}]
atlas:
  org_id: {ORG}
  approved_access_ranges: [172.31.0.0/16, 192.0.2.16/29]
  projects:
    - id: {RECORDS}
      name: records
      role: phi
      clusters: [{{name: records-main, role: phi, databases: [charts]}}]
      database_users: [svc_records]
      access_list: [172.31.0.0/16, 192.0.2.16/29]
    - id: {CATALOG}
      name: catalog
      role: reference
      clusters: [{{name: catalog-ro, role: reference, databases: [drugs]}}]
      database_users: [svc_catalog_ro]
      access_list: [172.31.0.0/16]
      endpoint_service_regions: [EU_WEST_2]
privatelink:
  - name: clinic-to-catalog
    aws_account: "{APP}"
    region: {REGION}
    vpc_endpoint_id: {VPCE}
    atlas_project: catalog
    atlas_region: EU_WEST_2
    ports: ["1024-65535"]
secrets:
  - {{name: clinic/records/mongo, points_to: records/records-main, env_var: RECORDS_MONGO_URL}}
  - {{name: clinic/catalog/mongo, points_to: catalog/catalog-ro, env_var: CATALOG_MONGO_URL}}
ecs:
  services:
    - {{account: "{APP}", region: {REGION}, cluster: clinic, service: portal}}
data_classification:
  - {{cluster: records/records-main, database: charts, collection: encounters, class: phi}}
vendors:
  - name: MongoDB Atlas
    data_classes: [phi, public]
    baa: {{signed: true, atlas_projects: [records, catalog]}}
  - name: Amazon Web Services
    data_classes: [public]
    baa: {{signed: true, aws_accounts: ["{APP}", "{DATA}"]}}
"""


def write_config(directory: Path, text: str = CONFIG) -> Path:
    path = directory / "northwind.yaml"
    path.write_text(text)
    return path


def _aws(kind: str, arn: str, attrs: dict[str, Any], source: str) -> dict[str, Any]:
    return {"id": arn, "type": kind, "provider": "aws", "scope": APP, "region": REGION, "source": [source], "attributes": attrs}


def _atlas(kind: str, project: str, name: str, attrs: dict[str, Any]) -> dict[str, Any]:
    short = kind.split(".", 1)[1]
    return {"id": f"atlas:{project}/{short}/{name}", "type": kind, "provider": "atlas", "scope": project, "region": None,
            "source": [f"atlas:{short}"], "attributes": attrs}


def _ec2(kind: str, ident: str) -> str:
    return f"arn:aws:ec2:{REGION}:{APP}:{kind}/{ident}"


def _ingress(low: int, high: int, cidr: str) -> dict[str, Any]:
    return {"IpProtocol": "tcp", "FromPort": low, "ToPort": high, "IpRanges": [{"CidrIp": cidr}],
            "Ipv6Ranges": [], "PrefixListIds": [], "UserIdGroupPairs": []}


def _secret(name: str, suffix: str, data_class: str, key: str) -> dict[str, Any]:
    arn = f"arn:aws:secretsmanager:{REGION}:{APP}:secret:{name}-{suffix}"
    return _aws("aws.secretsmanager.secret", arn, {"ARN": arn, "Name": name, "KmsKeyId": key,
                "Tags": [{"Key": "data_class", "Value": data_class}, {"Key": "team", "Value": "clinic"}]}, "secretsmanager:ListSecrets")


def _change_evidence(account: str) -> list[dict[str, Any]]:
    """The account's organisation trail copy (multi-region, validated, logging) and its Config recorder."""
    trail = f"arn:aws:cloudtrail:{REGION}:{account}:trail/northwind-audit"
    return [
        {**_aws("aws.cloudtrail.trail", trail, {"Name": "northwind-audit", "TrailARN": trail, "HomeRegion": REGION,
                "IsMultiRegionTrail": True, "LogFileValidationEnabled": True, "Status": {"IsLogging": True}},
                "cloudtrail:DescribeTrails"), "scope": account},
        {**_aws("aws.config.recorder", f"arn:aws:config:{REGION}:{account}:config-recorder/default",
                {"name": "default", "recordingGroup": {"allSupported": True}, "Status": {"recording": True}},
                "config:DescribeConfigurationRecorders"), "scope": account},
    ]


def _edge() -> list[dict[str, Any]]:
    """The patient portal's public edge (an ALB on TLS 1.2+, its certificate, a CloudFront
    distribution in front) and the one ECS change of the window, made by the release role."""
    balancer = f"arn:aws:elasticloadbalancing:{REGION}:{APP}:loadbalancer/app/portal-edge/7f3a"
    listener = f"arn:aws:elasticloadbalancing:{REGION}:{APP}:listener/app/portal-edge/7f3a/443"
    certificate = f"arn:aws:acm:{REGION}:{APP}:certificate/0c1d2e3f-portal"
    return [
        _aws("aws.elbv2.listener", listener, {
            "ListenerArn": listener, "LoadBalancerArn": balancer, "Port": 443, "Protocol": "HTTPS",
            "SslPolicy": "ELBSecurityPolicy-TLS13-1-2-2021-06", "Certificates": [{"CertificateArn": certificate}],
            "DefaultActions": [{"Type": "forward"}], "LoadBalancer": {"Scheme": "internet-facing", "Type": "application"}},
            "elasticloadbalancing:DescribeListeners"),
        _aws("aws.acm.certificate", certificate, {
            "CertificateArn": certificate, "DomainName": "portal.northwind-clinic.example", "NotAfter": "2027-09-14T12:00:00Z",
            "Status": "ISSUED", "InUseBy": [balancer]}, "acm:DescribeCertificate"),
        _aws("aws.cloudfront.distribution", f"arn:aws:cloudfront::{APP}:distribution/E2NWPORTAL", {
            "ARN": f"arn:aws:cloudfront::{APP}:distribution/E2NWPORTAL", "DomainName": "d2nw.cloudfront.example",
            "DefaultCacheBehavior": {"ViewerProtocolPolicy": "https-only"},
            "CacheBehaviors": {"Quantity": 1, "Items": [{"PathPattern": "/static/*", "ViewerProtocolPolicy": "redirect-to-https"}]},
            "ViewerCertificate": {"MinimumProtocolVersion": "TLSv1.2_2021"}}, "cloudfront:ListDistributions"),
        _aws("aws.cloudtrail.change_event", f"arn:aws:cloudtrail:{REGION}:{APP}:event/4d2c7a10-portal-7", {
            "eventId": "4d2c7a10-portal-7", "eventName": "RegisterTaskDefinition", "eventTime": "2026-11-30T22:41:07Z",
            "eventSource": "ecs.amazonaws.com", "identityType": "AssumedRole",
            "principal": f"arn:aws:iam::{APP}:role/release-bot", "cluster": None, "target": "portal",
            "taskDefinition": f"arn:aws:ecs:{REGION}:{APP}:task-definition/portal:7", "errorCode": None},
            "cloudtrail:LookupEvents"),
    ]


def snapshot_doc() -> dict[str, Any]:
    """Everything holds except ATL-DB-003 (an entry with no comment key), ATL-BAA-001 for the app
    account (its vendor is declared for public data; the account holds a PHI connection string) and
    ATL-CM-006/007 for the data account, from which nothing was collected (no trail, no recorder)."""
    task = f"arn:aws:ecs:{REGION}:{APP}:task-definition/portal:7"
    container = {
        "name": "portal", "image": "registry.example/portal:7",
        "environment": [{"name": "LOG_LEVEL", "value": "info"}],
        "secrets": [{"name": "RECORDS_MONGO_URL", "valueFrom": f"arn:aws:secretsmanager:{REGION}:{APP}:secret:clinic/records/mongo-Q1w2E3"},
                    {"name": "CATALOG_MONGO_URL", "valueFrom": "clinic/catalog/mongo"}],
    }
    resources = [
        _aws("aws.ec2.vpc", _ec2("vpc", "vpc-1a2b3c4d"), {"VpcId": "vpc-1a2b3c4d", "CidrBlock": "172.31.0.0/16"}, "ec2:DescribeVpcs"),
        _aws("aws.ec2.subnet", _ec2("subnet", "subnet-0aa1"), {"SubnetId": "subnet-0aa1", "VpcId": "vpc-1a2b3c4d",
             "AvailabilityZone": "eu-west-2a", "CidrBlock": "172.31.10.0/24"}, "ec2:DescribeSubnets"),
        _aws("aws.ec2.subnet", _ec2("subnet", "subnet-0bb2"), {"SubnetId": "subnet-0bb2", "VpcId": "vpc-1a2b3c4d",
             "AvailabilityZone": "eu-west-2c", "CidrBlock": "172.31.20.0/24"}, "ec2:DescribeSubnets"),
        _aws("aws.ec2.security_group", _ec2("security-group", "sg-0c1d"), {"GroupId": "sg-0c1d", "GroupName": "catalog-link",
             "VpcId": "vpc-1a2b3c4d", "IpPermissions": [_ingress(1024, 65535, "172.31.0.0/16")]}, "ec2:DescribeSecurityGroups"),
        _aws("aws.ec2.security_group", _ec2("security-group", "sg-0e2f"), {"GroupId": "sg-0e2f", "GroupName": "portal-alb",
             "VpcId": "vpc-1a2b3c4d", "IpPermissions": [_ingress(443, 443, "0.0.0.0/0")]}, "ec2:DescribeSecurityGroups"),
        _aws("aws.ec2.vpc_endpoint", _ec2("vpc-endpoint", VPCE), {
            "VpcEndpointId": VPCE, "VpcId": "vpc-1a2b3c4d", "ServiceName": SERVICE, "State": "available",
            "VpcEndpointType": "Interface", "SubnetIds": ["subnet-0aa1", "subnet-0bb2"],
            "Groups": [{"GroupId": "sg-0c1d", "GroupName": "catalog-link"}], "Tags": []}, "ec2:DescribeVpcEndpoints"),
        _aws("aws.kms.key", KEY_ARN, {"KeyId": KEY_ARN.rsplit("/", 1)[1], "Arn": KEY_ARN, "KeyManager": "CUSTOMER",
             "KeyState": "Enabled", "Enabled": True, "KeyRotationEnabled": True, "Aliases": ["alias/clinic-db"]}, "kms:DescribeKey"),
        _secret("clinic/records/mongo", "Q1w2E3", "phi", KEY_ARN),
        _secret("clinic/catalog/mongo", "R4t5Y6", "public", "alias/clinic-db"),
        _aws("aws.ecs.service", f"arn:aws:ecs:{REGION}:{APP}:service/clinic/portal", {
            "serviceName": "portal", "clusterArn": f"arn:aws:ecs:{REGION}:{APP}:cluster/clinic", "taskDefinition": task,
            "desiredCount": 3, "runningCount": 3,
            "deployments": [{"status": "PRIMARY", "rolloutState": "COMPLETED", "taskDefinition": task}]}, "ecs:DescribeServices"),
        _aws("aws.ecs.task_definition", task, {
            "taskDefinitionArn": task, "family": "portal", "revision": 7, "isLatestRevision": True, "status": "ACTIVE",
            "registeredBy": f"arn:aws:iam::{APP}:role/release-bot", "containerDefinitions": [container],
            "tags": [{"key": "commit", "value": "9c1b7e2"}, {"key": "pipeline", "value": "portal-release"}]}, "ecs:DescribeTaskDefinition"),
        _atlas("atlas.project", RECORDS, "records", {"id": RECORDS, "name": "records"}),
        _atlas("atlas.project", CATALOG, "catalog", {"id": CATALOG, "name": "catalog"}),
        _atlas("atlas.cluster", RECORDS, "records-main", {"name": "records-main", "processArgs": {"minimumEnabledTlsProtocol": "TLS1_3"}}),
        _atlas("atlas.cluster", CATALOG, "catalog-ro", {"name": "catalog-ro", "processArgs": {"minimumEnabledTlsProtocol": "TLS1_2"}}),
        _atlas("atlas.endpoint_service", CATALOG, "65c0000000000000000000e7", {
            "id": "65c0000000000000000000e7", "endpointServiceName": SERVICE, "regionName": "EU_WEST_2", "status": "AVAILABLE",
            "interfaceEndpoints": [VPCE], "cloudProvider": "AWS"}),
        _atlas("atlas.interface_endpoint", CATALOG, VPCE, {"interfaceEndpointId": VPCE, "connectionStatus": "AVAILABLE",
               "endpointServiceId": "65c0000000000000000000e7", "deleteRequested": False}),
        _atlas("atlas.database_user", RECORDS, "admin/svc_records", {"username": "svc_records", "databaseName": "admin",
               "roles": [{"roleName": "readWrite", "databaseName": "charts"}], "scopes": [{"name": "records-main", "type": "CLUSTER"}]}),
        _atlas("atlas.database_user", CATALOG, "admin/svc_catalog_ro", {"username": "svc_catalog_ro", "databaseName": "admin",
               "roles": [{"roleName": "read", "databaseName": "drugs"}], "scopes": [{"name": "catalog-ro", "type": "CLUSTER"}]}),
        _atlas("atlas.access_list_entry", RECORDS, "172.31.0.0/16", {"cidrBlock": "172.31.0.0/16", "comment": "clinic VPC"}),
        _atlas("atlas.access_list_entry", RECORDS, "192.0.2.16/29", {"cidrBlock": "192.0.2.16/29"}),
        _atlas("atlas.access_list_entry", CATALOG, "172.31.0.0/16", {"cidrBlock": "172.31.0.0/16", "comment": "clinic VPC"}),
        _atlas("atlas.audit_log", RECORDS, "config", {"enabled": True, "auditAuthorizationSuccess": False}),
        {**_atlas("atlas.org_settings", ORG, "settings", {"multiFactorAuthRequired": True, "apiAccessListRequired": True}),
         "scope": ORG},
        *_edge(),
        *_change_evidence(APP),
    ]
    resources.sort(key=lambda r: (r["id"], r["type"]))
    return {
        "schema_version": "1", "collected_at": "2026-12-01T03:15:00Z", "collector_version": "test",
        "identity": {"aws_caller_arns": [], "atlas_principal": None}, "scope": {},
        "resources": resources, "gaps": [], "notes": [],
    }
