"""The AWS resources of one generated account-region, as DescribeX items (docs/resources.md).

Each builder plants its faults at a fixed rate from the seeded generator and tells the `Tally`
which status each rule must give the resource.
"""
from __future__ import annotations

import random
import zlib
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from synth_estate import COLLECTED_AT, PL_NAME, REGIONS, VPC_ENDPOINT_NAMES, Shape, Tally, Unit

from attest.collector.aws.reading import plain

Doc = dict[str, Any]
# A service ships about once a quarter: only its newest revision falls in the 90-day window of
# CloudTrail change records, which keeps those records near two per service.
RELEASE_EVERY = timedelta(days=91)


@dataclass(frozen=True)
class Release:
    """A service's newest revision, for its CloudTrail records (synth_edge.py): who registered it,
    when, and whether the service was updated to it (not where it runs the revision before)."""

    service: str
    task_definition: str
    registered_at: datetime
    principal: str
    deployed: bool


def _aws(unit: Unit, kind: str, rid: str, attrs: Doc, source: str) -> Doc:
    return {"id": rid, "type": kind, "provider": "aws", "scope": unit.account, "region": unit.region,
            "source": [source], "attributes": attrs}


def _arn(unit: Unit, service: str, rest: str) -> str:
    return f"arn:aws:{service}:{unit.region}:{unit.account}:{rest}"


def _perm(low: int | None, high: int | None, cidr: str, prefix_list: str | None = None) -> Doc:
    perm: Doc = {"IpProtocol": "tcp" if low is not None else "-1", "IpRanges": [] if prefix_list else [{"CidrIp": cidr}],
                 "Ipv6Ranges": [], "PrefixListIds": [{"PrefixListId": prefix_list}] if prefix_list else [],
                 "UserIdGroupPairs": []}
    if low is not None:
        perm.update(FromPort=low, ToPort=high)
    return perm


def _registered_by(principal: str, session: str) -> str:
    """What ECS writes in `registeredBy`: a user's ARN, or for a role the session's (assumed-role) ARN."""
    account, path = principal.split(":", 5)[4:]
    kind, _, name = path.partition("/")
    return f"arn:aws:sts::{account}:assumed-role/{name.rsplit('/', 1)[-1]}/{session}" if kind == "role" else principal


def service_name(project_number: int, region: str) -> str:
    return f"com.amazonaws.vpce.{region}.vpce-svc-{project_number:05x}{zlib.crc32(region.encode()) % 4096:03x}0000"


class UnitBuilder:
    """Builds one account-region and records its config entries and expected findings."""

    def __init__(self, unit: Unit, shape: Shape, rng: random.Random, tally: Tally, config: dict[str, list[Any]]) -> None:
        self.unit, self.shape, self.rng, self.tally, self.config = unit, shape, rng, tally, config
        self.sizes = shape.unit_sizes
        self.cidr = f"10.{unit.number % 256}.0.0/16"
        self.vpc_id = f"vpc-{unit.number:08x}"
        self.out: list[Doc] = []
        self.releases: list[Release] = []

    def build(self, with_services: bool) -> list[Doc]:
        self._network()
        keys = self._keys()
        self._secrets_and_ecs(keys, with_services)
        return self.out

    def _network(self) -> None:
        u = self.unit
        self.out.append(_aws(u, "aws.ec2.vpc", _arn(u, "ec2", f"vpc/{self.vpc_id}"), {
            "VpcId": self.vpc_id, "CidrBlock": self.cidr, "State": "available", "IsDefault": False,
            "CidrBlockAssociationSet": [{"CidrBlock": self.cidr, "CidrBlockState": {"State": "associated"}}],
            "Tags": [{"Key": "Name", "Value": f"main-{u.region}"}]}, "ec2:DescribeVpcs"))
        self.subnets = [f"subnet-{u.number:06x}{j:02x}" for j in range(6)]
        base = self.cidr.split(".")[1]
        for j, subnet in enumerate(self.subnets):
            self.out.append(_aws(u, "aws.ec2.subnet", _arn(u, "ec2", f"subnet/{subnet}"), {
                "SubnetId": subnet, "VpcId": self.vpc_id, "AvailabilityZone": f"{u.region}{'abc'[j % 3]}",
                "CidrBlock": f"10.{base}.{j}.0/24", "SubnetArn": _arn(u, "ec2", f"subnet/{subnet}"),
                "MapPublicIpOnLaunch": False, "State": "available"}, "ec2:DescribeSubnets"))
        self._network_acl()
        self._prefix_lists()
        self._change_evidence()
        self._security_groups()
        self._endpoints()

    def _network_acl(self) -> None:
        """The subnets' ACL: denies admin and database ports from the internet ahead of an allow-all,
        or (planted) lets SSH through before its deny."""
        u, acl = self.unit, f"acl-{self.unit.number:08x}"
        entries = [{"Egress": False, "RuleNumber": 10 + i, "RuleAction": "deny", "Protocol": "6", "CidrBlock": "0.0.0.0/0",
                    "PortRange": {"From": low, "To": high}}
                   for i, (low, high) in enumerate([(22, 22), (3389, 3389), (27015, 27017), (1433, 6379)])]
        entries += [{"Egress": False, "RuleNumber": 100, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"},
                    {"Egress": True, "RuleNumber": 100, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]
        ssh_first = self.rng.random() < 0.1
        if ssh_first:
            entries.append({"Egress": False, "RuleNumber": 5, "RuleAction": "allow", "Protocol": "6",
                            "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 22, "To": 22}})
        self.out.append(_aws(u, "aws.ec2.network_acl", _arn(u, "ec2", f"network-acl/{acl}"), {
            "NetworkAclId": acl, "VpcId": self.vpc_id, "IsDefault": True, "Entries": entries,
            "Associations": [{"NetworkAclId": acl, "SubnetId": s} for s in self.subnets]}, "ec2:DescribeNetworkAcls"))
        self.tally.add("ATL-NET-005", "fail" if ssh_first else "pass")
        self.tally.add("ATL-NET-006", "pass")

    def _change_evidence(self) -> None:
        """The account's multi-region trail (in its first region) and this region's Config recorder,
        off (planted) in one region of some accounts."""
        u = self.unit
        if u.region == REGIONS[0]:
            arn = _arn(u, "cloudtrail", "trail/org-audit")
            self.out.append(_aws(u, "aws.cloudtrail.trail", arn, {
                "Name": "org-audit", "TrailARN": arn, "HomeRegion": u.region, "IsMultiRegionTrail": True,
                "LogFileValidationEnabled": True, "Status": {"IsLogging": True}}, "cloudtrail:DescribeTrails"))
            self.tally.add("ATL-CM-006", "pass")
        recording = not (u.region == REGIONS[-1] and int(u.account) % 4 == 1)
        self.out.append(_aws(u, "aws.config.recorder", _arn(u, "config", "config-recorder/default"), {
            "name": "default", "recordingGroup": {"allSupported": True},
            "Status": {"name": "default", "recording": recording}}, "config:DescribeConfigurationRecorders"))
        if u.region == REGIONS[-1]:
            self.tally.add("ATL-CM-007", "pass" if recording else "fail")

    def _prefix_lists(self) -> None:
        """Two customer prefix lists: the office ranges, and (a mistake) one holding 0.0.0.0/0."""
        u = self.unit
        self.office, self.anywhere = f"pl-{u.number:08x}0", f"pl-{u.number:08x}1"
        for list_id, name, cidrs in ((self.office, "office", ["192.0.2.0/26"]), (self.anywhere, "anywhere", ["0.0.0.0/0"])):
            self.out.append(_aws(u, "aws.ec2.prefix_list", _arn(u, "ec2", f"prefix-list/{list_id}"), {
                "PrefixListId": list_id, "PrefixListName": name, "AddressFamily": "IPv4", "State": "create-complete",
                "OwnerId": u.account, "Entries": [{"Cidr": c} for c in cidrs]}, "ec2:DescribeManagedPrefixLists"))

    def _sg(self, j: int, name: str, perms: list[Doc]) -> None:
        group = f"sg-{self.unit.number:05x}{j:07x}"
        self.out.append(_aws(self.unit, "aws.ec2.security_group", _arn(self.unit, "ec2", f"security-group/{group}"), {
            "GroupId": group, "GroupName": name, "VpcId": self.vpc_id, "Description": f"{name} tasks",
            "OwnerId": self.unit.account, "IpPermissions": perms,
            "IpPermissionsEgress": [_perm(None, None, "0.0.0.0/0")]}, "ec2:DescribeSecurityGroups"))

    def _security_groups(self) -> None:
        perms = [_perm(1024, 65535, self.cidr)]
        ssh = self.rng.random() < 0.05
        if ssh:
            perms.append(_perm(22, 22, "0.0.0.0/0"))
        self._sg(0, "atlas-privatelink", perms)
        for rule in ("ATL-NET-001", "ATL-NET-003", "ATL-NET-004"):
            self.tally.add(rule, "fail" if ssh else "pass")
        self.tally.add("ATL-NET-002", "pass")
        for j in range(1, self.sizes["sg"]):
            self.add_filler_sg(j)

    def add_filler_sg(self, j: int) -> None:
        """An application security group: public HTTPS, VPC-only app ports, SSH from the office
        prefix list, or (planted) open MongoDB or RDP through a prefix list holding 0.0.0.0/0."""
        draw = self.rng.random()
        if draw < 0.02:
            perms, fails = [_perm(27017, 27017, "0.0.0.0/0")], {"ATL-NET-002", "ATL-NET-004"}
        elif draw < 0.03:
            perms, fails = [_perm(3389, 3389, "", self.anywhere)], {"ATL-NET-002", "ATL-NET-003", "ATL-NET-004"}
        elif draw < 0.1:
            perms, fails = [_perm(22, 22, "", self.office)], set()
        elif draw < 0.7:
            perms, fails = [_perm(443, 443, "0.0.0.0/0"), _perm(8080, 8080, self.cidr)], set()
        else:
            perms, fails = [_perm(3000, 3010, self.cidr)], set()
        self._sg(j, f"app-{j}", perms)
        for rule in ("ATL-NET-002", "ATL-NET-003", "ATL-NET-004"):
            self.tally.add(rule, "fail" if rule in fails else "pass")

    def _endpoint(self, j: int, name: str, service: str, subnets: list[str], state: str = "available") -> str:
        endpoint = f"vpce-{self.unit.number:05x}{j:07x}"
        group = f"sg-{self.unit.number:05x}{0 if j == 0 else 1:07x}"
        self.out.append(_aws(self.unit, "aws.ec2.vpc_endpoint", _arn(self.unit, "ec2", f"vpc-endpoint/{endpoint}"), {
            "VpcEndpointId": endpoint, "VpcEndpointType": "Interface", "VpcId": self.vpc_id, "ServiceName": service,
            "State": state, "SubnetIds": subnets, "Groups": [{"GroupId": group, "GroupName": "g"}],
            "PrivateDnsEnabled": False, "Tags": [{"Key": "Name", "Value": name}]}, "ec2:DescribeVpcEndpoints"))
        return endpoint

    def _endpoints(self) -> None:
        u, ref = self.unit, self.shape.reference_for(self.unit)
        fault = self.rng.choices(["none", "state", "one_subnet", "service"], [0.85, 0.05, 0.05, 0.05])[0]
        self._endpoint(
            0, PL_NAME, "com.amazonaws.vpce.wrong" if fault == "service" else service_name(ref.number, u.region),
            self.subnets[:1] if fault == "one_subnet" else self.subnets[:2],
            "pendingAcceptance" if fault == "state" else "available",
        )
        for rule, planted in (("ATL-PL-003", "state"), ("ATL-PL-004", "one_subnet"), ("ATL-PL-005", "service")):
            self.tally.add(rule, "fail" if fault == planted else "pass")
        self.tally.add("ATL-CM-001", "pass")
        self.config["privatelink"].append({
            "name": f"pl-{u.account}-{u.region}", "aws_account": u.account, "region": u.region,
            "vpc_endpoint_name": PL_NAME, "atlas_project": ref.name, "atlas_region": u.atlas_region, "ports": ["1024-65535"],
        })
        for j in range(1, self.sizes["endpoints"] + 1):
            undeclared = self.rng.random() < 0.05
            name = f"debug-{j}" if undeclared else VPC_ENDPOINT_NAMES[1 + j % (len(VPC_ENDPOINT_NAMES) - 1)]
            self._endpoint(j, name, f"com.amazonaws.{u.region}.{name}", self.subnets[2:4])
            self.tally.add("ATL-CM-001", "fail" if undeclared else "pass")

    def _keys(self) -> dict[str, list[str]]:
        """Key references by kind: good (customer, rotating, enabled), norot, pending."""
        u = self.unit
        refs: dict[str, list[str]] = {"good": [], "norot": [], "pending": []}
        for j in range(max(3, self.sizes["keys"])):
            kind = "norot" if j == 0 else "pending" if j == 1 else "good"
            key_id = f"{u.number:08x}-0000-4000-8000-{j:012x}"
            arn = _arn(u, "kms", f"key/{key_id}")
            alias = f"alias/app-{j}"
            self.out.append(_aws(u, "aws.kms.key", arn, {
                "KeyId": key_id, "Arn": arn, "AWSAccountId": u.account, "KeyManager": "CUSTOMER",
                "KeyState": "PendingDeletion" if kind == "pending" else "Enabled", "Enabled": kind != "pending",
                "KeyUsage": "ENCRYPT_DECRYPT", "KeySpec": "SYMMETRIC_DEFAULT", "Origin": "AWS_KMS",
                "KeyRotationEnabled": kind != "norot", "Aliases": [alias]}, "kms:DescribeKey"))
            refs[kind].append(arn if j % 2 == 0 else _arn(u, "kms", alias))
        aws_key = f"{u.number:08x}-0000-4000-9000-000000000000"
        self.out.append(_aws(u, "aws.kms.key", _arn(u, "kms", f"key/{aws_key}"), {
            "KeyId": aws_key, "Arn": _arn(u, "kms", f"key/{aws_key}"), "KeyManager": "AWS", "KeyState": "Enabled",
            "Enabled": True, "KeyRotationEnabled": True, "Aliases": ["alias/aws/secretsmanager"]}, "kms:DescribeKey"))
        return refs

    def _secret(self, name: str, data_class: str | None, key: str | None) -> str:
        arn = _arn(self.unit, "secretsmanager", f"secret:{name}-{zlib.crc32(name.encode()) % 999999:06d}")
        tags = [{"Key": "team", "Value": "platform"}]
        if data_class:
            tags.append({"Key": "data_class", "Value": data_class})
        attrs: Doc = {"ARN": arn, "Name": name, "Tags": tags, "LastChangedDate": "2026-10-01T00:00:00Z"}
        if key:
            attrs["KmsKeyId"] = key
        self.out.append(_aws(self.unit, "aws.secretsmanager.secret", arn, attrs, "secretsmanager:ListSecrets"))
        return arn

    def _connection_secret(self, keys: dict[str, list[str]], name: str, data_class: str, declared_class: str | None) -> str:
        """A connection-string secret on a drawn key; `declared_class` is its cluster's class when declared."""
        kind = self.rng.choices(["good", "norot", "pending", "none"], [0.88, 0.04, 0.04, 0.04])[0]
        key = None if kind == "none" else self.rng.choice(keys[kind])
        self.tally.add("ATL-SEC-001", "fail" if kind == "none" else "pass")
        self.tally.add("ATL-SEC-005", "pass")  # every generated connection secret carries its data_class
        if kind != "none":
            self.tally.add("ATL-SEC-002", "fail" if kind == "norot" else "pass")
            self.tally.add("ATL-SEC-003", "fail" if kind == "pending" else "pass")
        if declared_class is not None:
            self.tally.add("ATL-SEC-004", "pass" if data_class == declared_class else "fail")
        return self._secret(name, data_class, key)

    def _secrets_and_ecs(self, keys: dict[str, list[str]], with_services: bool) -> None:
        u, ref, phi = self.unit, self.shape.reference_for(self.unit), self.shape.phi_for(self.unit)
        prefix = f"{u.account}/{u.region}"
        ref_name = f"{prefix}/mongodb/reference-uri"
        ref_secret = self._connection_secret(keys, ref_name, "public", "public")
        self.config["secrets"].append({"name": ref_name, "points_to": f"{ref.name}/{ref.cluster}", "env_var": "MONGODB_REFERENCE_URI"})
        for j in range(self.sizes["other_secrets"]):
            if self.rng.random() < 0.01:
                self._connection_secret(keys, f"{prefix}/tmp/mongodb-export-{j}", "phi", None)
            else:
                self._secret(f"{prefix}/app/api-key-{j}", None, self.rng.choice(keys["good"]))
        cluster = _arn(u, "ecs", "cluster/main")
        self.out.append(_aws(u, "aws.ecs.cluster", cluster, {
            "clusterArn": cluster, "clusterName": "main", "status": "ACTIVE"}, "ecs:DescribeClusters"))
        for j in range(self.sizes["services"]):
            name = f"svc-{j:03d}"
            mismatch = self.rng.random() < 0.03
            secret_name = f"{prefix}/{name}/mongodb/uri"
            uri = self._connection_secret(keys, secret_name, "public" if mismatch else "phi", "phi")
            self.config["secrets"].append({"name": secret_name, "points_to": f"{phi.name}/{phi.cluster}", "env_var": "MONGODB_URI"})
            self._service(cluster, name, [("MONGODB_URI", uri), ("MONGODB_REFERENCE_URI", ref_secret)], with_services)

    def _task_definition(self, family: str, revision: int, registered: datetime, principal: str, secrets: list[tuple[str, str]]) -> str:
        arn = _arn(self.unit, "ecs", f"task-definition/{family}:{revision}")
        env = [{"name": "NODE_ENV", "value": "production"}, {"name": "LOG_LEVEL", "value": "info"}]
        planted = self.rng.random() < 0.01
        if planted:
            env.append({"name": "MONGODB_URI", "value": "[redacted sha256:0123456789abcdef]"})
        self.tally.add("ATL-ECS-001", "fail" if planted else "pass")
        pipeline = principal.endswith("github-actions-deploy")
        container = {"name": "web", "image": f"{self.unit.account}.dkr.ecr.{self.unit.region}.amazonaws.com/{family}:{revision}",
                     "cpu": 256, "memory": 512, "essential": True, "environment": env,
                     "secrets": [{"name": n, "valueFrom": v} for n, v in secrets],
                     "portMappings": [{"containerPort": 3000, "protocol": "tcp"}]}
        self.out.append(_aws(self.unit, "aws.ecs.task_definition", arn, {
            "taskDefinitionArn": arn, "family": family, "revision": revision, "status": "ACTIVE",
            "registeredBy": _registered_by(principal, f"{family}-{revision}"), "registeredAt": plain(registered), "networkMode": "awsvpc",
            "requiresCompatibilities": ["FARGATE"], "containerDefinitions": [container],
            "tags": [{"key": "git_sha", "value": f"{revision:040x}"}] if pipeline else [],
            "isLatestRevision": revision == self.sizes["revisions"]}, "ecs:DescribeTaskDefinition"))
        return arn

    def _service(self, cluster: str, name: str, secrets: list[tuple[str, str]], with_services: bool) -> None:
        u, revisions = self.unit, self.sizes["revisions"]
        deploy = f"arn:aws:iam::{u.account}:role/github-actions-deploy"
        declared = self.rng.random() >= 0.03
        fault = self.rng.choices(["none", "old", "hand", "rollout"], [0.91, 0.03, 0.03, 0.03])[0]
        # The newest revision is from the last 90 days; one still rolling out, from minutes ago.
        age = self.rng.randrange(300, 1800) if fault == "rollout" else self.rng.randrange(3600, 89 * 86400)
        newest = COLLECTED_AT - timedelta(seconds=age)
        hand = f"arn:aws:iam::{u.account}:user/jdoe"
        arns = [
            self._task_definition(name, r, newest - (revisions - r) * RELEASE_EVERY,
                                  hand if fault == "hand" and r == revisions else deploy, secrets)
            for r in range(1, revisions + 1)
        ]
        self.releases.append(Release(name, arns[-1], newest, hand if fault == "hand" else deploy, fault != "old"))
        if declared:
            self.config["ecs_services"].append({"account": u.account, "region": u.region, "cluster": "main", "service": name})
        if not with_services:
            return
        running = arns[-2] if fault == "old" else arns[-1]
        arn = _arn(u, "ecs", f"service/main/{name}")
        self.out.append(_aws(u, "aws.ecs.service", arn, {
            "serviceArn": arn, "serviceName": name, "clusterArn": cluster, "taskDefinition": running,
            "desiredCount": 2, "runningCount": 2, "launchType": "FARGATE", "status": "ACTIVE",
            "deployments": [{"status": "PRIMARY", "taskDefinition": running,
                             "rolloutState": "IN_PROGRESS" if fault == "rollout" else "COMPLETED"}]}, "ecs:DescribeServices"))
        if declared:
            self.tally.add("ATL-CM-004", "fail" if fault == "hand" else "pass")
            self.tally.add("ATL-ECS-002", "fail" if fault == "old" else "pass")
            self.tally.add("ATL-ECS-003", "fail" if fault == "rollout" else "pass")
