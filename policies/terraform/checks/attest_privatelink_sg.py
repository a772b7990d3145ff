"""The PrivateLink security group admits only the Atlas ports (TCP 1024-65535) from the VPC CIDR.

The PrivateLink group is the one whose name or Name tag says `privatelink`. A source is the VPC CIDR
when it references a VPC's `cidr_block`, or, once checkov has rendered it, when it is a private
(RFC 1918) range; public ranges, IPv6 ranges, prefix lists and other groups are refused.
"""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from attest_base import AttestCheck
from attest_values import Verdict, as_list, blocks, failed, first, network, not_applicable, passed

ATLAS_PORTS = (1024, 65535)


class PrivateLinkGroupAtlasPortsFromVpc(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="PrivateLink security group admits only Atlas ports from the VPC CIDR",
            id="CKV_ATTEST_3",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_security_group"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        tags = first(conf, "tags") or {}
        label = f"{first(conf, 'name', '')} {first(tags, 'Name', '') if isinstance(tags, dict) else ''}"
        if "privatelink" not in label.lower():
            return not_applicable("not the PrivateLink group (its name or Name tag does not say privatelink)")
        rules = blocks(conf, "ingress")
        if not rules:
            return failed("declares no ingress: the endpoint cannot be reached on the Atlas ports")
        bad = [_describe(rule) for rule in rules if not _admissible(rule)]
        if bad:
            return failed("admits more than TCP 1024-65535 from the VPC CIDR: " + "; ".join(bad))
        return passed("admits only TCP 1024-65535 from the VPC CIDR")

    def get_evaluated_keys(self) -> list[str]:
        return ["ingress"]


def _admissible(rule: dict[str, Any]) -> bool:
    if str(first(rule, "protocol", "")).lower() not in ("tcp", "6"):
        return False
    ports = (first(rule, "from_port"), first(rule, "to_port"))
    if not all(isinstance(p, int) and ATLAS_PORTS[0] <= p <= ATLAS_PORTS[1] for p in ports):
        return False
    for other in ("ipv6_cidr_blocks", "prefix_list_ids", "security_groups"):
        if as_list(first(rule, other)):
            return False
    if first(rule, "self") is True:
        return False
    sources = as_list(first(rule, "cidr_blocks"))
    return bool(sources) and all(_from_vpc(source) for source in sources)


def _describe(rule: dict[str, Any]) -> str:
    sources = [str(s) for key in ("cidr_blocks", "ipv6_cidr_blocks", "prefix_list_ids", "security_groups")
               for s in as_list(first(rule, key))]
    if first(rule, "self") is True:
        sources.append("self")
    return (f"{first(rule, 'protocol', '?')} {first(rule, 'from_port', '?')}-{first(rule, 'to_port', '?')} "
            f"from {', '.join(sources) or 'nothing'}")


def _from_vpc(source: Any) -> bool:
    text = str(source)
    if "aws_vpc." in text and text.endswith("cidr_block"):
        return True
    net = network(text)
    return net is not None and net.version == 4 and net.is_private and net.prefixlen > 0


check = PrivateLinkGroupAtlasPortsFromVpc()
