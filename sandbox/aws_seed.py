"""Seed the `aws:` section of an estate into moto with the same boto3 calls an operator would make.

Secret values are the estate's canaries: they go into moto (so a collector that read them would
leak them) and nowhere else. Returns the ids moto assigned, which the Atlas emulator needs (the
interface endpoint ids) and tests use.

Two optional keys plant states only a later API call can reach: `state: deleted` on a VPC endpoint
(DeleteVpcEndpoints; moto keeps listing it as `deleted`, and the emulator still knows its id), and
`state: disabled | pending_deletion` on a KMS key (DisableKey / ScheduleKeyDeletion, applied once
the secrets that use it exist).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import boto3

from attest.core.errors import BadInputError

CREDENTIALS = {"aws_access_key_id": "testing", "aws_secret_access_key": "testing"}


@dataclass(frozen=True)
class SeededAws:
    """What moto assigned, by the estate's own names."""

    account: str
    region: str
    vpc_id: str
    subnet_ids: Mapping[str, str]
    security_group_ids: Mapping[str, str]
    vpce_ids: Mapping[str, str]
    kms_key_arns: Mapping[str, str]
    secret_arns: Mapping[str, str]
    task_definition_arns: tuple[str, ...]
    cluster_arn: str
    service_arns: Mapping[str, str]


def _tags(pairs: Mapping[str, Any], key: str = "Key", value: str = "Value") -> list[dict[str, str]]:
    return [{key: str(k), value: str(v)} for k, v in sorted(pairs.items())]


class _Seeder:
    def __init__(self, endpoint_url: str, aws: Mapping[str, Any], credentials: Mapping[str, str] = CREDENTIALS) -> None:
        self.aws = aws
        self.region = str(aws["region"])
        session = boto3.Session(region_name=self.region, **credentials)
        self._session, self._endpoint_url = session, endpoint_url

    def client(self, service: str) -> Any:
        return self._session.client(service, endpoint_url=self._endpoint_url)

    def network(self) -> tuple[str, dict[str, str], dict[str, str]]:
        ec2 = self.client("ec2")
        vpc = self.aws["vpc"]
        vpc_id = ec2.create_vpc(
            CidrBlock=vpc["cidr"], TagSpecifications=[{"ResourceType": "vpc", "Tags": _tags({"Name": vpc["name"]})}]
        )["Vpc"]["VpcId"]
        subnets = {
            s["name"]: ec2.create_subnet(
                VpcId=vpc_id,
                CidrBlock=s["cidr"],
                AvailabilityZone=s["az"],
                TagSpecifications=[{"ResourceType": "subnet", "Tags": _tags({"Name": s["name"]})}],
            )["Subnet"]["SubnetId"]
            for s in vpc["subnets"]
        }
        groups: dict[str, str] = {}
        for group in self.aws.get("security_groups", []):
            group_id = ec2.create_security_group(
                GroupName=group["name"],
                Description=group["description"],
                VpcId=vpc_id,
                TagSpecifications=[{"ResourceType": "security-group", "Tags": _tags({"Name": group["name"]})}],
            )["GroupId"]
            rules = [
                {
                    "IpProtocol": r["protocol"],
                    "FromPort": int(r["from_port"]),
                    "ToPort": int(r["to_port"]),
                    "IpRanges": [{"CidrIp": r["cidr"]}],
                }
                for r in group.get("ingress", [])
            ]
            if rules:
                ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=rules)
            groups[group["name"]] = group_id
        return vpc_id, subnets, groups

    def endpoints(self, vpc_id: str, subnets: Mapping[str, str], groups: Mapping[str, str]) -> dict[str, str]:
        ec2 = self.client("ec2")
        ids: dict[str, str] = {}
        for endpoint in self.aws.get("vpc_endpoints", []):
            made = ec2.create_vpc_endpoint(
                VpcEndpointType="Interface",
                VpcId=vpc_id,
                ServiceName=endpoint["service_name"],
                SubnetIds=[subnets[name] for name in endpoint["subnets"]],
                SecurityGroupIds=[groups[name] for name in endpoint["security_groups"]],
                # `name_tag: false` seeds it without a Name tag: the estate still refers to it by `name`
                **({} if endpoint.get("name_tag") is False else
                   {"TagSpecifications": [{"ResourceType": "vpc-endpoint", "Tags": _tags({"Name": endpoint["name"]})}]}),
            )["VpcEndpoint"]
            if made["State"] not in ("available", "pendingAcceptance", "pending"):
                raise RuntimeError(f"moto left endpoint {endpoint['name']} in state {made['State']}")
            ids[endpoint["name"]] = made["VpcEndpointId"]
            if endpoint.get("state", "available") == "deleted":
                ec2.delete_vpc_endpoints(VpcEndpointIds=[made["VpcEndpointId"]])
            elif endpoint.get("state", "available") != "available":
                raise BadInputError(f"vpc endpoint {endpoint['name']}: state is available or deleted")
        return ids

    def keys(self) -> dict[str, str]:
        kms = self.client("kms")
        arns: dict[str, str] = {}
        for key in self.aws.get("kms_keys", []):
            meta = kms.create_key(Description=key["description"])["KeyMetadata"]
            kms.create_alias(AliasName=key["alias"], TargetKeyId=meta["KeyId"])
            if key.get("rotation"):
                kms.enable_key_rotation(KeyId=meta["KeyId"])
            arns[key["alias"]] = meta["Arn"]
        return arns

    def key_states(self, key_arns: Mapping[str, str]) -> None:
        kms = self.client("kms")
        for key in self.aws.get("kms_keys", []):
            state = key.get("state", "enabled")
            key_id = key_arns[key["alias"]].rsplit("/", 1)[-1]   # moto takes the bare key id here, not the ARN
            if state == "disabled":
                kms.disable_key(KeyId=key_id)
            elif state == "pending_deletion":
                kms.schedule_key_deletion(KeyId=key_id, PendingWindowInDays=7)
            elif state != "enabled":
                raise BadInputError(f"kms key {key['alias']}: state is enabled, disabled or pending_deletion")

    def secrets(self, key_arns: Mapping[str, str]) -> dict[str, str]:
        sm = self.client("secretsmanager")
        arns: dict[str, str] = {}
        for secret in self.aws.get("secrets", []):
            extra: dict[str, Any] = {}
            if secret.get("kms_key"):
                extra["KmsKeyId"] = key_arns[secret["kms_key"]]
            arn = sm.create_secret(
                Name=secret["name"], SecretString=str(secret["value"]), Tags=_tags(secret.get("tags") or {}), **extra
            )["ARN"]
            if secret.get("scheduled_for_deletion_days"):
                sm.delete_secret(SecretId=arn, RecoveryWindowInDays=int(secret["scheduled_for_deletion_days"]))
            arns[secret["name"]] = arn
        return arns

    def ecs(self, secret_arns: Mapping[str, str], subnets: Mapping[str, str], groups: Mapping[str, str]) -> tuple[tuple[str, ...], str, dict[str, str]]:
        ecs = self.client("ecs")
        spec = self.aws["ecs"]
        cluster_arn = ecs.create_cluster(clusterName=spec["cluster"])["cluster"]["clusterArn"]
        task_arns = tuple(self._task_definition(ecs, td, secret_arns) for td in spec.get("task_definitions", []))
        services = {}
        for service in spec.get("services", []):
            services[service["name"]] = ecs.create_service(
                cluster=spec["cluster"],
                serviceName=service["name"],
                taskDefinition=service["task_definition"],
                desiredCount=int(service.get("desired_count", 1)),
                launchType="FARGATE",
                networkConfiguration={
                    "awsvpcConfiguration": {
                        "subnets": [subnets[n] for n in service.get("subnets", [])],
                        "securityGroups": [groups[n] for n in service.get("security_groups", [])],
                        "assignPublicIp": "DISABLED",
                    }
                },
            )["service"]["serviceArn"]
        return task_arns, cluster_arn, services

    def _task_definition(self, ecs: Any, td: Mapping[str, Any], secret_arns: Mapping[str, str]) -> str:
        container = td["container"]
        tags = _tags(td.get("tags") or {}, "key", "value")
        arn: str = ecs.register_task_definition(
            family=td["family"],
            requiresCompatibilities=["FARGATE"],
            networkMode="awsvpc",
            cpu="256",
            memory="512",
            containerDefinitions=[
                {
                    "name": container["name"],
                    "image": container["image"],
                    "essential": True,
                    "environment": [{"name": k, "value": str(v)} for k, v in (container.get("environment") or {}).items()],
                    "secrets": [
                        {"name": var, "valueFrom": secret_arns[name]} for var, name in (container.get("secrets") or {}).items()
                    ],
                    **({"command": [str(part) for part in container["command"]]} if container.get("command") else {}),
                }
            ],
            **({"tags": tags} if tags else {}),
        )["taskDefinition"]["taskDefinitionArn"]
        return arn


def seed_aws(endpoint_url: str, estate: Mapping[str, Any], credentials: Mapping[str, str] = CREDENTIALS) -> SeededAws:
    """Create the estate's AWS resources in the moto server at `endpoint_url`, in the account the
    `credentials` belong to (the default account, or another one through an assumed role's keys)."""
    aws = estate.get("aws")
    if not isinstance(aws, Mapping):
        raise BadInputError("the estate has no `aws:` section")
    seeder = _Seeder(endpoint_url, aws, credentials)
    try:
        vpc_id, subnets, groups = seeder.network()
        vpce_ids = seeder.endpoints(vpc_id, subnets, groups)
        key_arns = seeder.keys()
        secret_arns = seeder.secrets(key_arns)
        seeder.key_states(key_arns)
        task_arns, cluster_arn, services = seeder.ecs(secret_arns, subnets, groups)
    except KeyError as exc:
        raise BadInputError(f"the estate refers to an undefined name {exc}") from None
    return SeededAws(
        account=str(aws["account"]),
        region=seeder.region,
        vpc_id=vpc_id,
        subnet_ids=subnets,
        security_group_ids=groups,
        vpce_ids=vpce_ids,
        kms_key_arns=key_arns,
        secret_arns=secret_arns,
        task_definition_arns=task_arns,
        cluster_arn=cluster_arn,
        service_arns=services,
    )
