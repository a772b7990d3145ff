"""Secrets Manager secrets are encrypted with a customer-managed key, not the AWS-managed one."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from attest_base import AttestCheck
from attest_values import Verdict, failed, first, passed


class SecretOnCustomerManagedKey(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Secrets Manager secret is encrypted with a customer-managed KMS key",
            id="CKV_ATTEST_1",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["aws_secretsmanager_secret"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        key = first(conf, "kms_key_id")
        if not isinstance(key, str) or not key.strip():
            return failed("sets no kms_key_id, so the AWS-managed key encrypts it")
        if "aws/" in key:
            return failed(f"kms_key_id {key} is an AWS-managed key, not a customer-managed one")
        return passed(f"is encrypted with {key}")

    def get_evaluated_keys(self) -> list[str]:
        return ["kms_key_id"]


check = SecretOnCustomerManagedKey()
