"""Interface VPC endpoints span two or more subnets (so two or more availability zones can serve).

A `subnet_ids` that is one unexpanded expression cannot be counted and fails (fail closed).
"""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import as_list, first


class InterfaceEndpointMultiSubnet(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Interface VPC endpoint spans at least two subnets",
            id="CKV_ATTEST_4",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["aws_vpc_endpoint"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if str(first(conf, "vpc_endpoint_type", "Gateway")) != "Interface":
            return CheckResult.UNKNOWN
        subnets = {str(s) for s in as_list(first(conf, "subnet_ids")) if s}
        return CheckResult.PASSED if len(subnets) >= 2 else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["subnet_ids"]


check = InterfaceEndpointMultiSubnet()
