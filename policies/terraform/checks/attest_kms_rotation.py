"""Customer-managed symmetric KMS keys rotate automatically, at least yearly."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import first


class KmsKeyRotates(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="KMS key has automatic rotation enabled, at most every 365 days",
            id="CKV_ATTEST_2",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_kms_key"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        spec = first(conf, "customer_master_key_spec", "SYMMETRIC_DEFAULT")
        if isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT":
            return CheckResult.UNKNOWN
        if first(conf, "enable_key_rotation") is not True:
            return CheckResult.FAILED
        period = first(conf, "rotation_period_in_days", 365)
        return CheckResult.PASSED if isinstance(period, int) and period <= 365 else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["enable_key_rotation", "rotation_period_in_days"]


check = KmsKeyRotates()
