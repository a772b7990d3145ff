"""Seed the `aws:` section of an estate into moto with the same boto3 calls an operator would make.

Secret values are the estate's canaries: they go into moto (so a collector that read them would
leak them) and nowhere else. Returns the ids moto assigned, which the Atlas emulator needs (the
interface endpoint ids) and tests use.

Two optional keys plant states only a later API call can reach: `state: deleted` on a VPC endpoint
(DeleteVpcEndpoints; moto keeps listing it as `deleted`, and the emulator still knows its id), and
`state: disabled | pending_deletion` on a KMS key (DisableKey / ScheduleKeyDeletion, applied once
the secrets that use it exist).

Network exposure: `default_vpc: false` deletes moto's default VPC (a hardened account has none);
`prefix_lists` are managed prefix lists that security-group rules name with `prefix_list:`
(besides `cidr:` and `ipv6_cidr:`); `vpc.network_acl.ingress` adds entries, in rule order, to the
VPC's default network ACL (which moto creates allowing everything at rule 100).

Change evidence: `cloudtrail` ({name, home_region, multi_region, log_file_validation, logging})
creates the trail and its bucket in its home region; `config_recorder` ({name, all_supported,
recording}) an AWS Config recorder and its delivery channel, in every region the section is seeded.

Edge TLS: `certificates` ({name, domain, not_after}) are imported into ACM as self-signed
certificates; `load_balancers` ({name, scheme, type, subnets, security_groups, listeners:
[{port, protocol, ssl_policy, certificate, redirect_https}]}); `cloudfront` ({name, origin (a load
balancer), viewer_protocol_policy, minimum_protocol_version}).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping

import datetime as dt

import boto3

from attest.core.errors import BadInputError
from attest.sandbox.certificates import self_signed

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
        self._clients: dict[str, Any] = {}

    def client(self, service: str) -> Any:
        """One client per service (building one costs about 50 ms: its model is loaded each time)."""
        if service not in self._clients:
            self._clients[service] = self._session.client(service, endpoint_url=self._endpoint_url)
        return self._clients[service]

    def drop_default_vpc(self) -> None:
        """Delete the region's default VPC and its subnets, as a hardened account has none."""
        ec2 = self.client("ec2")
        for vpc in ec2.describe_vpcs(Filters=[{"Name": "is-default", "Values": ["true"]}])["Vpcs"]:
            for subnet in ec2.describe_subnets(Filters=[{"Name": "vpc-id", "Values": [vpc["VpcId"]]}])["Subnets"]:
                ec2.delete_subnet(SubnetId=subnet["SubnetId"])
            ec2.delete_vpc(VpcId=vpc["VpcId"])

    def prefix_lists(self) -> dict[str, str]:
        ec2 = self.client("ec2")
        ids: dict[str, str] = {}
        for pl in self.aws.get("prefix_lists", []):
            entries = [{"Cidr": str(c)} for c in pl["entries"]]
            ids[pl["name"]] = ec2.create_managed_prefix_list(
                PrefixListName=pl["name"], MaxEntries=max(len(entries), 1),
                AddressFamily=pl.get("family", "IPv4"), Entries=entries,
            )["PrefixList"]["PrefixListId"]
        return ids

    def network_acl(self, vpc_id: str, acl: Mapping[str, Any]) -> None:
        """Add the estate's ingress entries to the VPC's default network ACL (moto's: allow all at 100)."""
        ec2 = self.client("ec2")
        acl_id = ec2.describe_network_acls(
            Filters=[{"Name": "vpc-id", "Values": [vpc_id]}, {"Name": "default", "Values": ["true"]}]
        )["NetworkAcls"][0]["NetworkAclId"]
        for entry in acl.get("ingress", []):
            source = {"Ipv6CidrBlock": entry["ipv6_cidr"]} if "ipv6_cidr" in entry else {"CidrBlock": entry["cidr"]}
            protocol = {"tcp": "6", "udp": "17", "all": "-1"}[str(entry["protocol"])]
            ports = {"PortRange": {"From": int(entry["from_port"]), "To": int(entry["to_port"])}} if protocol != "-1" else {}
            ec2.create_network_acl_entry(
                NetworkAclId=acl_id, RuleNumber=int(entry["rule"]), Protocol=protocol, RuleAction=entry["action"],
                Egress=False, **source, **ports,
            )

    def network(self, prefix_lists: Mapping[str, str]) -> tuple[str, dict[str, str], dict[str, str]]:
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
        if vpc.get("network_acl"):
            self.network_acl(vpc_id, vpc["network_acl"])
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
                    "IpRanges": [{"CidrIp": r["cidr"]}] if "cidr" in r else [],
                    "Ipv6Ranges": [{"CidrIpv6": r["ipv6_cidr"]}] if "ipv6_cidr" in r else [],
                    "PrefixListIds": [{"PrefixListId": prefix_lists[r["prefix_list"]]}] if "prefix_list" in r else [],
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

    def bucket(self, name: str) -> str:
        """An S3 bucket named for the account and region (moto's bucket names are global)."""
        s3 = self.client("s3")
        full = f"{name}-{self.aws['account']}-{self.region}"
        extra = {} if self.region == "us-east-1" else {"CreateBucketConfiguration": {"LocationConstraint": self.region}}
        s3.create_bucket(Bucket=full, **extra)
        return full

    def audit_trail(self) -> None:
        """The estate's CloudTrail trail, created in its home region only (a multi-region trail is one)."""
        spec = self.aws.get("cloudtrail")
        if not spec or str(spec.get("home_region", self.region)) != self.region:
            return
        trails = self.client("cloudtrail")
        arn = trails.create_trail(
            Name=spec["name"], S3BucketName=self.bucket(spec["name"]),
            IsMultiRegionTrail=bool(spec.get("multi_region", True)),
            EnableLogFileValidation=bool(spec.get("log_file_validation", True)),
        )["TrailARN"]
        if spec.get("logging", True):
            trails.start_logging(Name=arn)

    def config_recorder(self) -> None:
        """An AWS Config recorder (with the delivery channel it needs), started unless `recording: false`."""
        spec = self.aws.get("config_recorder")
        if not spec:
            return
        config = self.client("config")
        config.put_configuration_recorder(ConfigurationRecorder={
            "name": spec.get("name", "default"),
            "roleARN": f"arn:aws:iam::{self.aws['account']}:role/aws-config",
            "recordingGroup": {"allSupported": bool(spec.get("all_supported", True)), "includeGlobalResourceTypes": True},
        })
        config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": self.bucket("config")})
        if spec.get("recording", True):
            config.start_configuration_recorder(ConfigurationRecorderName=spec.get("name", "default"))

    def certificates(self) -> dict[str, str]:
        """Import each `certificates` entry as a self-signed certificate valid until `not_after`."""
        acm = self.client("acm")
        arns: dict[str, str] = {}
        for spec in self.aws.get("certificates", []):
            pem, key = self_signed(str(spec["domain"]), dt.date.fromisoformat(str(spec["not_after"])))
            arns[spec["name"]] = acm.import_certificate(Certificate=pem, PrivateKey=key)["CertificateArn"]
        return arns

    def load_balancers(self, subnets: Mapping[str, str], groups: Mapping[str, str], certs: Mapping[str, str]) -> dict[str, str]:
        """Each load balancer with its listeners: TLS ones name a policy and a certificate; plain HTTP
        ones forward nowhere but, with `redirect_https`, redirect to 443."""
        elb = self.client("elbv2")
        dns: dict[str, str] = {}
        for spec in self.aws.get("load_balancers", []):
            balancer = elb.create_load_balancer(
                Name=spec["name"], Subnets=[subnets[n] for n in spec["subnets"]], Scheme=spec.get("scheme", "internet-facing"),
                Type=spec.get("type", "application"), SecurityGroups=[groups[n] for n in spec.get("security_groups", [])],
            )["LoadBalancers"][0]
            dns[spec["name"]] = balancer["DNSName"]
            for listener in spec.get("listeners", []):
                elb.create_listener(LoadBalancerArn=balancer["LoadBalancerArn"], **_listener(listener, certs))
        return dns

    def distributions(self, origins: Mapping[str, str]) -> None:
        cloudfront = self.client("cloudfront")
        for spec in self.aws.get("cloudfront", []):
            cloudfront.create_distribution(DistributionConfig={
                "CallerReference": f"{spec['name']}-{self.aws['account']}-{self.region}", "Comment": spec["name"], "Enabled": True,
                "Origins": {"Quantity": 1, "Items": [{
                    "Id": "origin", "DomainName": origins[spec["origin"]],
                    "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only"},
                }]},
                "DefaultCacheBehavior": {
                    "TargetOriginId": "origin", "ViewerProtocolPolicy": spec["viewer_protocol_policy"], "MinTTL": 0,
                    "ForwardedValues": {"QueryString": False, "Cookies": {"Forward": "none"}},
                },
                "ViewerCertificate": {"CloudFrontDefaultCertificate": True, "MinimumProtocolVersion": spec["minimum_protocol_version"]},
            })

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
        spec = self.aws.get("ecs")
        if not spec:
            return (), "", {}
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


def _listener(spec: Mapping[str, Any], certs: Mapping[str, str]) -> dict[str, Any]:
    protocol = str(spec["protocol"])
    out: dict[str, Any] = {"Protocol": protocol, "Port": int(spec["port"])}
    if protocol in ("HTTPS", "TLS"):
        out["SslPolicy"] = spec["ssl_policy"]
        out["Certificates"] = [{"CertificateArn": certs[spec["certificate"]]}]
    redirect = {"Protocol": "HTTPS", "Port": "443", "StatusCode": "HTTP_301"}
    out["DefaultActions"] = [{"Type": "redirect", "RedirectConfig": redirect}] if spec.get("redirect_https", protocol == "HTTP") else [
        {"Type": "fixed-response", "FixedResponseConfig": {"StatusCode": "200", "ContentType": "text/plain"}}
    ]
    return out


def seed_aws(endpoint_url: str, estate: Mapping[str, Any], credentials: Mapping[str, str] = CREDENTIALS) -> SeededAws:
    """Create the estate's AWS resources in the moto server at `endpoint_url`, in the account the
    `credentials` belong to (the default account, or another one through an assumed role's keys)."""
    aws = estate.get("aws")
    if not isinstance(aws, Mapping):
        raise BadInputError("the estate has no `aws:` section")
    seeder = _Seeder(endpoint_url, aws, credentials)
    try:
        if aws.get("default_vpc", True) is False:
            seeder.drop_default_vpc()
        vpc_id, subnets, groups = seeder.network(seeder.prefix_lists())
        vpce_ids = seeder.endpoints(vpc_id, subnets, groups)
        key_arns = seeder.keys()
        secret_arns = seeder.secrets(key_arns)
        seeder.key_states(key_arns)
        task_arns, cluster_arn, services = seeder.ecs(secret_arns, subnets, groups)
        seeder.audit_trail()
        seeder.config_recorder()
        seeder.distributions(seeder.load_balancers(subnets, groups, seeder.certificates()))
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
