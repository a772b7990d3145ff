"""Secrets Manager secrets are encrypted with a customer-managed key, not the AWS-managed one."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import first


class SecretOnCustomerManagedKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Secrets Manager secret is encrypted with a customer-managed KMS key",
            id="CKV_ATTEST_1",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_secretsmanager_secret"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        key = first(conf, "kms_key_id")
        if not isinstance(key, str) or not key.strip() or "aws/" in key:
            return CheckResult.FAILED
        return CheckResult.PASSED

    def get_evaluated_keys(self) -> list[str]:
        return ["kms_key_id"]


check = SecretOnCustomerManagedKey()
