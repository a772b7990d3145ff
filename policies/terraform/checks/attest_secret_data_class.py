"""Secrets Manager secrets say what class of data they unlock (`data_class` tag, e.g. phi, public)."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from attest_base import AttestCheck
from attest_values import Verdict, failed, first, passed


class SecretTaggedWithDataClass(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Secrets Manager secret is tagged with a data_class",
            id="CKV_ATTEST_9",
            categories=[CheckCategories.GENERAL_SECURITY],
            supported_resources=["aws_secretsmanager_secret"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        tags = first(conf, "tags")
        data_class = first(tags, "data_class") if isinstance(tags, dict) else None
        if isinstance(data_class, str) and data_class.strip():
            return passed(f"is tagged data_class = {data_class}")
        return failed("has no data_class tag saying what class of data it unlocks")

    def get_evaluated_keys(self) -> list[str]:
        return ["tags/[0]/data_class"]


check = SecretTaggedWithDataClass()
