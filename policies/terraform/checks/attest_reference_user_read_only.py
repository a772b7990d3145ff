"""Database users on the reference project hold read roles only: nothing may write toward reference.

A user is on the reference project when its `project_id` expression names it (for example
`data.mongodbatlas_project.reference.id`); users elsewhere are not this check's concern.
"""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import blocks, first

READ_ROLES = frozenset({"read", "readAnyDatabase"})


class ReferenceUserReadOnly(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas database user on the reference project has read roles only",
            id="CKV_ATTEST_6",
            categories=[CheckCategories.IAM],
            supported_resources=["mongodbatlas_database_user"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        if "reference" not in str(first(conf, "project_id", "")).lower():
            return CheckResult.UNKNOWN
        roles = [str(first(role, "role_name", "")) for role in blocks(conf, "roles")]
        return CheckResult.PASSED if roles and all(r in READ_ROLES for r in roles) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["roles"]


check = ReferenceUserReadOnly()
