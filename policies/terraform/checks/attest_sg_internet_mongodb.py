"""No security group admits the internet to a MongoDB port (27015-27017): not 0.0.0.0/0, ::/0, nor
any range wider than IPv4 /8 or IPv6 /16 (the live rule ATL-NET-002's bound)."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories

from attest_base import AttestCheck
from attest_values import Verdict, as_list, blocks, failed, first, network, passed, undetermined

MONGODB_PORTS = (27015, 27017)
_WIDEST = {4: 8, 6: 16}


class NoInternetToMongoDbPorts(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Security group admits no internet range to MongoDB ports",
            id="CKV_ATTEST_21",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_security_group"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        for rule in blocks(conf, "ingress"):
            ports = (first(rule, "from_port"), first(rule, "to_port"))
            if not all(isinstance(p, int) for p in ports):
                return undetermined(f"an ingress rule's ports {ports[0]}-{ports[1]} are not numbers source determines")
            protocol = str(first(rule, "protocol", "")).lower()
            all_ports = protocol in ("-1", "all")
            if not all_ports and (ports[1] < MONGODB_PORTS[0] or ports[0] > MONGODB_PORTS[1]):
                continue
            for key in ("cidr_blocks", "ipv6_cidr_blocks"):
                for source in as_list(first(rule, key)):
                    net = network(source)
                    if net is None and "aws_vpc." not in str(source):
                        return undetermined(f"{key} entry {source} is not a range source determines")
                    if net is not None and net.prefixlen < _WIDEST[net.version]:
                        span = "all ports" if all_ports else f"ports {ports[0]}-{ports[1]}"
                        return failed(f"ingress admits {net} (the internet) to {span}, which include MongoDB's 27015-27017")
        return passed("admits no internet range to MongoDB ports")

    def get_evaluated_keys(self) -> list[str]:
        return ["ingress"]


check = NoInternetToMongoDbPorts()
