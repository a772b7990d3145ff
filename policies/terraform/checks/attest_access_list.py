"""Atlas project IP access-list entries never open the project to the whole internet."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from attest_base import AttestCheck
from attest_values import Verdict, failed, first, network, passed, undetermined


class AccessListNotOpen(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas IP access-list entry is not 0.0.0.0/0",
            id="CKV_ATTEST_7",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["mongodbatlas_project_ip_access_list"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        for key in ("cidr_block", "ip_address"):
            value = first(conf, key)
            net = network(value if value is not None else "")
            if (net is not None and net.prefixlen == 0) or str(value) == "0.0.0.0":
                return failed(f"{key} {value} opens the project to the whole internet")
        if first(conf, "aws_security_group") is not None:
            return passed("admits a security group, not an address range")
        for key in ("cidr_block", "ip_address"):
            value = first(conf, key)
            if value is not None:
                if network(value) is None:
                    return undetermined(f"{key} {value} is not an address source determines")
                return passed(f"{key} {value} is not open to the internet")
        return undetermined("the entry names no cidr_block, ip_address or aws_security_group")

    def get_evaluated_keys(self) -> list[str]:
        return ["cidr_block", "ip_address"]


check = AccessListNotOpen()
