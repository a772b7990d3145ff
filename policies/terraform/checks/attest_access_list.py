"""Atlas project IP access-list entries never open the project to the whole internet."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import first, network


class AccessListNotOpen(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas IP access-list entry is not 0.0.0.0/0",
            id="CKV_ATTEST_7",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["mongodbatlas_project_ip_access_list"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        for key in ("cidr_block", "ip_address"):
            net = network(first(conf, key, ""))
            if net is not None and net.prefixlen == 0:
                return CheckResult.FAILED
            if str(first(conf, key, "")) == "0.0.0.0":
                return CheckResult.FAILED
        return CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["cidr_block", "ip_address"]


check = AccessListNotOpen()
