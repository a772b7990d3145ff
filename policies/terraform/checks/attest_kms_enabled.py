"""KMS keys stay enabled: `is_enabled = false` makes every secret it encrypts unreadable (ATL-SEC-003)."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories

from attest_base import AttestCheck
from attest_values import Verdict, failed, first, passed, undetermined


class KmsKeyEnabled(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="KMS key is enabled",
            id="CKV_ATTEST_22",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_kms_key"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        enabled = first(conf, "is_enabled", True)
        if enabled is True:
            return passed("is enabled")
        if enabled is False:
            return failed("sets is_enabled = false: secrets it encrypts cannot be read")
        return undetermined(f"is_enabled {enabled} is not a boolean source determines")

    def get_evaluated_keys(self) -> list[str]:
        return ["is_enabled"]


check = KmsKeyEnabled()
