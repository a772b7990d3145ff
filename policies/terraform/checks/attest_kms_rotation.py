"""Customer-managed symmetric KMS keys rotate automatically, at least yearly."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from attest_base import AttestCheck
from attest_values import Verdict, failed, first, not_applicable, passed, undetermined


class KmsKeyRotates(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="KMS key has automatic rotation enabled, at most every 365 days",
            id="CKV_ATTEST_2",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_kms_key"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        spec = first(conf, "customer_master_key_spec", "SYMMETRIC_DEFAULT")
        if isinstance(spec, str) and spec != "SYMMETRIC_DEFAULT":
            return not_applicable(f"a {spec} key cannot rotate automatically")
        if first(conf, "enable_key_rotation") is not True:
            return failed("does not set enable_key_rotation = true")
        period = first(conf, "rotation_period_in_days", 365)
        if not isinstance(period, int):
            return undetermined(f"rotation_period_in_days {period} is not a number source determines")
        if period > 365:
            return failed(f"rotates every {period} days, more than 365")
        return passed(f"rotates every {period} days")

    def get_evaluated_keys(self) -> list[str]:
        return ["enable_key_rotation", "rotation_period_in_days"]


check = KmsKeyRotates()
