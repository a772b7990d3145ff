"""Interface VPC endpoints span two or more subnets (so two or more availability zones can serve).

A `subnet_ids` that is one unexpanded expression cannot be counted and fails (fail closed).
"""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from attest_base import AttestCheck
from attest_values import Verdict, as_list, failed, first, not_applicable, passed


class InterfaceEndpointMultiSubnet(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Interface VPC endpoint spans at least two subnets",
            id="CKV_ATTEST_4",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_vpc_endpoint"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        kind = str(first(conf, "vpc_endpoint_type", "Gateway"))
        if kind != "Interface":
            return not_applicable(f"a {kind} endpoint has no subnets")
        subnets = {str(s) for s in as_list(first(conf, "subnet_ids")) if s}
        if len(subnets) >= 2:
            return passed(f"spans {len(subnets)} subnets")
        return failed(f"spans {len(subnets)} subnet(s) ({', '.join(sorted(subnets)) or 'none'}); "
                      "two or more (one per availability zone) are required")

    def get_evaluated_keys(self) -> list[str]:
        return ["subnet_ids"]


check = InterfaceEndpointMultiSubnet()
