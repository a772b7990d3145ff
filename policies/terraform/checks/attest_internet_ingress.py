"""Security groups admit the internet only to the web ports, 80 and 443 (ATL-NET-004).

Covers inline `ingress` blocks of aws_security_group, aws_security_group_rule (type ingress) and
aws_vpc_security_group_ingress_rule. The internet is a literal IPv4 range shorter than /8 or an
IPv6 range shorter than /16 (0.0.0.0/1 counts, as in the live rule). A managed prefix list's
contents are not in the Terraform of the group, so only the live rule resolves them.
"""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import as_list, blocks, first, network

WEB_PORTS = ((80, 80), (443, 443))
OPEN_BELOW = {4: 8, 6: 16}


class InternetIngressOnlyWebPorts(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Security group admits the internet only to ports 80 and 443",
            id="CKV_ATTEST_11",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if "type" in conf and str(first(conf, "type")) != "ingress":
            return CheckResult.UNKNOWN
        rules = blocks(conf, "ingress") if "ingress" in conf else [conf]
        return CheckResult.FAILED if any(_violates(rule) for rule in rules) else CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["ingress", "from_port", "to_port", "cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"]


def _violates(rule: dict[str, Any]) -> bool:
    sources = as_list(first(rule, "cidr_blocks")) + as_list(first(rule, "ipv6_cidr_blocks"))
    sources += [s for s in (first(rule, "cidr_ipv4"), first(rule, "cidr_ipv6")) if s is not None]
    if not any(_open(source) for source in sources):
        return False
    protocol = str(first(rule, "protocol", first(rule, "ip_protocol", "-1"))).lower()
    if protocol in ("-1", "all"):
        return True
    if protocol not in ("tcp", "udp", "6", "17"):
        return False
    low, high = first(rule, "from_port"), first(rule, "to_port")
    if not isinstance(low, int) or not isinstance(high, int):
        return True
    return not any(lo <= low and high <= hi for lo, hi in WEB_PORTS)


def _open(source: Any) -> bool:
    net = network(source)
    return net is not None and net.prefixlen < OPEN_BELOW[net.version]


check = InternetIngressOnlyWebPorts()
