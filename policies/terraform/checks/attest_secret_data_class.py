"""Secrets Manager secrets say what class of data they unlock (`data_class` tag, e.g. phi, public)."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import first


class SecretTaggedWithDataClass(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Secrets Manager secret is tagged with a data_class",
            id="CKV_ATTEST_9",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_secretsmanager_secret"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        tags = first(conf, "tags")
        data_class = first(tags, "data_class") if isinstance(tags, dict) else None
        return CheckResult.PASSED if isinstance(data_class, str) and data_class.strip() else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["tags/[0]/data_class"]


check = SecretTaggedWithDataClass()
