"""Security groups admit the internet only to the web ports, 80 and 443 (ATL-NET-004).

Covers inline `ingress` blocks of aws_security_group, aws_security_group_rule (type ingress) and
aws_vpc_security_group_ingress_rule. The internet is a literal IPv4 range shorter than /8 or an
IPv6 range shorter than /16 (0.0.0.0/1 counts, as in the live rule). A managed prefix list's
contents are not in the Terraform of the group, so only the live rule resolves them.
"""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories

from attest_base import AttestCheck
from attest_values import Verdict, as_list, blocks, failed, first, network, not_applicable, passed, undetermined

WEB_PORTS = ((80, 80), (443, 443))
OPEN_BELOW = {4: 8, 6: 16}


class InternetIngressOnlyWebPorts(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Security group admits the internet only to ports 80 and 443",
            id="CKV_ATTEST_11",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_security_group", "aws_security_group_rule", "aws_vpc_security_group_ingress_rule"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        if "type" in conf and str(first(conf, "type")) != "ingress":
            return not_applicable("an egress rule admits nothing")
        rules = blocks(conf, "ingress") if "ingress" in conf else [conf]
        for rule in rules:
            verdict = _judge_rule(rule)
            if verdict is not None:
                return verdict
        return passed("admits the internet to no port but 80 and 443")

    def get_evaluated_keys(self) -> list[str]:
        return ["ingress", "from_port", "to_port", "cidr_blocks", "ipv6_cidr_blocks", "cidr_ipv4", "cidr_ipv6"]


def _judge_rule(rule: dict[str, Any]) -> Verdict | None:
    """A failure or an undetermined verdict for one ingress rule, or None when it is fine."""
    span = _non_web_ports(rule)
    if span is None:
        return None
    sources = as_list(first(rule, "cidr_blocks")) + as_list(first(rule, "ipv6_cidr_blocks"))
    sources += [s for s in (first(rule, "cidr_ipv4"), first(rule, "cidr_ipv6")) if s is not None]
    for source in sources:
        net = network(source)
        if net is None and not any(ref in str(source) for ref in ("aws_vpc.", "aws_subnet.")):
            return undetermined(f"ingress to {span} from {source}, which is not a range source determines")
        if net is not None and net.prefixlen < OPEN_BELOW[net.version]:
            if span.startswith("ports") and not all(isinstance(first(rule, k), int) for k in ("from_port", "to_port")):
                return undetermined(f"ingress from {net} (the internet) to {span}, which are not numbers source determines")
            return failed(f"ingress admits {net} (the internet) to {span}, not only 80 or 443")
    return None


def _non_web_ports(rule: dict[str, Any]) -> str | None:
    """The ports a rule opens beyond 80 and 443, in words, or None when it opens no more."""
    protocol = str(first(rule, "protocol", first(rule, "ip_protocol", "-1"))).lower()
    if protocol in ("-1", "all"):
        return "all ports"
    if protocol not in ("tcp", "udp", "6", "17"):
        return None
    low, high = first(rule, "from_port"), first(rule, "to_port")
    if isinstance(low, int) and isinstance(high, int) and any(lo <= low and high <= hi for lo, hi in WEB_PORTS):
        return None
    return f"ports {low}-{high}"


check = InternetIngressOnlyWebPorts()
