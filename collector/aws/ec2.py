"""EC2 network resources: VPCs, subnets, security groups, network ACLs, VPC endpoints, and the
managed prefix lists that security groups admit (resolved to their CIDRs)."""
from __future__ import annotations

from typing import Any, Callable

from attest.collector.aws.reading import MalformedAnswer, Reading, need

ACTIONS = (
    "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeVpcEndpoints",
    "ec2:DescribeNetworkAcls", "ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries",
)
MIN_PAGE = 5  # EC2 rejects MaxResults below 5
RESOURCE_TYPES = (
    "aws.ec2.vpc", "aws.ec2.subnet", "aws.ec2.security_group", "aws.ec2.vpc_endpoint",
    "aws.ec2.network_acl", "aws.ec2.prefix_list",
)
PREFIX_LIST_SOURCE = ("ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries")


def _arn(r: Reading, kind: str, ident: str) -> str:
    return f"arn:aws:ec2:{r.region}:{r.account}:{kind}/{ident}"


_LISTS: tuple[tuple[str, str, str, str, Callable[[Reading, dict[str, Any]], str]], ...] = (
    ("DescribeVpcs", "describe_vpcs", "Vpcs", "aws.ec2.vpc", lambda r, i: _arn(r, "vpc", need(i, "VpcId", "DescribeVpcs"))),
    ("DescribeSubnets", "describe_subnets", "Subnets", "aws.ec2.subnet",
     lambda r, i: i.get("SubnetArn") or _arn(r, "subnet", need(i, "SubnetId", "DescribeSubnets"))),
    ("DescribeSecurityGroups", "describe_security_groups", "SecurityGroups", "aws.ec2.security_group",
     lambda r, i: _arn(r, "security-group", need(i, "GroupId", "DescribeSecurityGroups"))),
    ("DescribeNetworkAcls", "describe_network_acls", "NetworkAcls", "aws.ec2.network_acl",
     lambda r, i: _arn(r, "network-acl", need(i, "NetworkAclId", "DescribeNetworkAcls"))),
    ("DescribeVpcEndpoints", "describe_vpc_endpoints", "VpcEndpoints", "aws.ec2.vpc_endpoint",
     lambda r, i: _arn(r, "vpc-endpoint", need(i, "VpcEndpointId", "DescribeVpcEndpoints"))),
)


def read(r: Reading) -> None:
    """One paginated Describe per type; a failed one leaves only its own type unknown. Then the
    prefix lists the security groups name, each with its entries."""
    ec2 = r.client("ec2")
    groups: list[dict[str, Any]] = []
    for operation, method, key, type_, make_id in _LISTS:
        source = f"ec2:{operation}"
        found = r.attempt(
            source, (type_,), lambda: [(make_id(r, i), i) for i in r.paginate(ec2, method, key, source, min_page=MIN_PAGE)]
        )
        for resource_id, item in found or ():
            r.add(resource_id, type_, (source,), item)
            if type_ == "aws.ec2.security_group":
                groups.append(item)
    _prefix_lists(r, ec2, referenced_prefix_lists(groups))


def referenced_prefix_lists(groups: list[dict[str, Any]]) -> list[str]:
    """Every prefix-list id an ingress rule of these groups admits, sorted, each once."""
    ids = {
        pair.get("PrefixListId")
        for group in groups
        for permission in group.get("IpPermissions") or []
        for pair in permission.get("PrefixListIds") or []
        if isinstance(pair, dict)
    }
    return sorted(i for i in ids if isinstance(i, str) and i)


def _prefix_lists(r: Reading, ec2: Any, ids: list[str]) -> None:
    """DescribeManagedPrefixLists for the ids, then each list's entries (its CIDRs).

    A list whose entries cannot be read is not added: the rules then see the reference as
    unresolved, and the gap makes their findings `error`.
    """
    if not ids:
        return
    source = "ec2:DescribeManagedPrefixLists"
    found = r.attempt(source, ("aws.ec2.prefix_list",), lambda: r.paginate(
        ec2, "describe_managed_prefix_lists", "PrefixLists", source, min_page=MIN_PAGE, PrefixListIds=ids,
    ))
    for item in found or ():
        list_id = item.get("PrefixListId") if isinstance(item, dict) else None
        if not isinstance(list_id, str):
            r.gap(source, ("aws.ec2.prefix_list",), MalformedAnswer("DescribeManagedPrefixLists item has no 'PrefixListId'"))
            continue
        entries = r.attempt("ec2:GetManagedPrefixListEntries", ("aws.ec2.prefix_list",), lambda: r.paginate(
            ec2, "get_managed_prefix_list_entries", "Entries", "ec2:GetManagedPrefixListEntries",
            min_page=MIN_PAGE, PrefixListId=list_id,
        ))
        if entries is None:
            continue
        r.add(_arn(r, "prefix-list", list_id), "aws.ec2.prefix_list", PREFIX_LIST_SOURCE, {**item, "Entries": entries})
