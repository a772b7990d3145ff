"""Atlas advanced clusters refuse TLS older than 1.2 (set explicitly; a missing setting fails)."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import blocks, first

ACCEPTED = frozenset({"TLS1_2", "TLS1_3"})


class ClusterMinimumTls12(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas advanced cluster minimum TLS protocol is 1.2 or newer",
            id="CKV_ATTEST_8",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["mongodbatlas_advanced_cluster"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        settings = blocks(conf, "advanced_configuration")
        versions = [first(block, "minimum_enabled_tls_protocol") for block in settings]
        return CheckResult.PASSED if versions and all(v in ACCEPTED for v in versions) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["advanced_configuration/[0]/minimum_enabled_tls_protocol"]


check = ClusterMinimumTls12()
