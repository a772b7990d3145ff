"""No network ACL admits the internet to database ports (ATL-NET-006).

aws_network_acl: its inline `ingress` blocks are taken in rule order, as AWS does: an allow from
the internet admits what no earlier entry decided, and a deny decides only when it covers the
whole address family (0.0.0.0/0 or ::/0). aws_network_acl_rule: an ingress allow from the internet
that covers a database port fails on its own, since its place among the ACL's other rules is not
in this resource (the live rule judges the whole ACL).
"""
from __future__ import annotations

from typing import Any, NamedTuple

from checkov.common.models.enums import CheckCategories

from attest_base import AttestCheck
from attest_values import Verdict, blocks, failed, first, network, not_applicable, passed, undetermined

DATABASE_PORTS = ((27015, 27017), (1433, 1433), (1521, 1521), (3306, 3306), (5432, 5432), (6379, 6379))
OPEN_BELOW = {4: 8, 6: 16}


class NaclNoInternetDatabasePorts(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Network ACL does not admit the internet to database ports",
            id="CKV_ATTEST_12",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_network_acl", "aws_network_acl_rule"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        if "rule_number" in conf:
            if first(conf, "egress") is True:
                return not_applicable("an egress rule admits nothing")
            entry = _entry(conf, "rule_action")
            entries = [entry]
            reached = [entry.ports] if entry.action == "allow" and entry.reach != "narrow" else []
        else:
            entries = [_entry(b, "action") for b in blocks(conf, "ingress")]
            reached = _in_order(entries)
        unknown = next((e for e in entries if e.action == "allow" and e.reach == "unknown"), None)
        if unknown is not None:
            return undetermined(f"rule {unknown.number} allows a source that is not a range source determines")
        for low, high in reached:
            for lo, hi in DATABASE_PORTS:
                if lo <= high and low <= hi:
                    return failed(f"admits the internet to ports {low}-{high}, which include database ports {lo}-{hi}")
        return passed("admits the internet to no database port")

    def get_evaluated_keys(self) -> list[str]:
        return ["ingress", "rule_action", "cidr_block", "ipv6_cidr_block", "from_port", "to_port"]


class _Entry(NamedTuple):
    number: int
    action: str          # allow | deny | skip (a protocol that reaches no TCP port)
    family: int          # 4 or 6 (0 when the source is not a literal)
    reach: str           # whole (/0) | open (the internet) | narrow | unknown (not a literal)
    ports: tuple[int, int]


def _entry(conf: dict[str, Any], action_key: str) -> _Entry:
    number = first(conf, "rule_number", first(conf, "rule_no", -1))
    source = first(conf, "cidr_block") or first(conf, "ipv6_cidr_block")
    net = network(source)
    reach = _reference_reach(source) if net is None else "whole" if net.prefixlen == 0 else (
        "open" if net.prefixlen < OPEN_BELOW[net.version] else "narrow"
    )
    protocol = str(first(conf, "protocol", "-1")).lower()
    low, high = first(conf, "from_port", 0), first(conf, "to_port", 65535)
    ports = (low, high) if isinstance(low, int) and isinstance(high, int) and (low, high) != (0, 0) else (0, 65535)
    action = str(first(conf, action_key, "allow")).lower() if protocol in ("-1", "all", "tcp", "6") else "skip"
    return _Entry(
        number if isinstance(number, int) else -1, action, net.version if net else 0, reach,
        (0, 65535) if protocol in ("-1", "all") else ports,
    )


def _reference_reach(source: Any) -> str:
    """A VPC's or subnet's own range is narrow; any other expression source cannot resolve."""
    text = str(source)
    return "narrow" if "aws_vpc." in text or "aws_subnet." in text else "unknown"


def _in_order(entries: list[_Entry]) -> list[tuple[int, int]]:
    """The TCP port ranges admitted from the internet, each address family in rule order."""
    admitted: list[tuple[int, int]] = []
    for family in (4, 6):
        decided: list[tuple[int, int]] = []
        for entry in sorted((e for e in entries if e.family == family), key=lambda e: e.number):
            if entry.action == "allow" and entry.reach != "narrow":
                admitted += _minus(entry.ports, decided)
            elif entry.action == "deny" and entry.reach == "whole":
                decided.append(entry.ports)
    return admitted


def _minus(rng: tuple[int, int], cuts: list[tuple[int, int]]) -> list[tuple[int, int]]:
    left = [rng]
    for lo, hi in cuts:
        nxt: list[tuple[int, int]] = []
        for low, high in left:
            if hi < low or high < lo:
                nxt.append((low, high))
                continue
            if low < lo:
                nxt.append((low, lo - 1))
            if hi < high:
                nxt.append((hi + 1, high))
        left = nxt
    return left


check = NaclNoInternetDatabasePorts()
