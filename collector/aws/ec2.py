"""EC2 network resources: VPCs, subnets, security groups and VPC endpoints."""
from __future__ import annotations

from typing import Any, Callable

from attest.collector.aws.reading import Reading, need

ACTIONS = ("ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcEndpoints")
MIN_PAGE = 5  # EC2 rejects MaxResults below 5
RESOURCE_TYPES = ("aws.ec2.vpc", "aws.ec2.subnet", "aws.ec2.security_group", "aws.ec2.vpc_endpoint")


def _arn(r: Reading, kind: str, ident: str) -> str:
    return f"arn:aws:ec2:{r.region}:{r.account}:{kind}/{ident}"


_LISTS: tuple[tuple[str, str, str, str, Callable[[Reading, dict[str, Any]], str]], ...] = (
    ("DescribeVpcs", "describe_vpcs", "Vpcs", "aws.ec2.vpc", lambda r, i: _arn(r, "vpc", need(i, "VpcId", "DescribeVpcs"))),
    ("DescribeSubnets", "describe_subnets", "Subnets", "aws.ec2.subnet",
     lambda r, i: i.get("SubnetArn") or _arn(r, "subnet", need(i, "SubnetId", "DescribeSubnets"))),
    ("DescribeSecurityGroups", "describe_security_groups", "SecurityGroups", "aws.ec2.security_group",
     lambda r, i: _arn(r, "security-group", need(i, "GroupId", "DescribeSecurityGroups"))),
    ("DescribeVpcEndpoints", "describe_vpc_endpoints", "VpcEndpoints", "aws.ec2.vpc_endpoint",
     lambda r, i: _arn(r, "vpc-endpoint", need(i, "VpcEndpointId", "DescribeVpcEndpoints"))),
)


def read(r: Reading) -> None:
    """One paginated Describe per type; a failed one leaves only its own type unknown."""
    ec2 = r.client("ec2")
    for operation, method, key, type_, make_id in _LISTS:
        source = f"ec2:{operation}"
        found = r.attempt(
            source, (type_,), lambda: [(make_id(r, i), i) for i in r.paginate(ec2, method, key, source, min_page=MIN_PAGE)]
        )
        for resource_id, item in found or ():
            r.add(resource_id, type_, (source,), item)
