"""Every Atlas project IP access-list entry says why it exists (a non-empty comment)."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import first


class AccessListEntryExplained(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas IP access-list entry has a comment",
            id="CKV_ATTEST_10",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["mongodbatlas_project_ip_access_list"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        comment = first(conf, "comment")
        return CheckResult.PASSED if isinstance(comment, str) and comment.strip() else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["comment"]


check = AccessListEntryExplained()
