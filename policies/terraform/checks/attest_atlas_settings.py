"""Atlas encryption at rest (ATL-DB-006), database auditing (ATL-DB-007) and organisation
settings (ATL-DB-008), as declared with the mongodbatlas provider."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories, CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import blocks, first

_PROVIDER_BLOCKS = ("aws_kms_config", "azure_key_vault_config", "google_cloud_kms_config")


class AtlasEncryptionAtRestCustomerKey(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas project encrypts at rest with an enabled customer-managed key",
            id="CKV_ATTEST_13",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["mongodbatlas_encryption_at_rest"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        enabled = [b for key in _PROVIDER_BLOCKS for b in blocks(conf, key) if first(b, "enabled") is True]
        return CheckResult.PASSED if enabled else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return [f"{key}/[0]/enabled" for key in _PROVIDER_BLOCKS]


class AtlasAuditingEnabled(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas database auditing is enabled",
            id="CKV_ATTEST_14",
            categories=[CheckCategories.LOGGING],
            supported_resources=["mongodbatlas_auditing"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        return CheckResult.PASSED if first(conf, "enabled") is True else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["enabled"]


class AtlasOrganizationMfaAndApiAccessList(BaseResourceCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas organisation requires MFA and an API access list",
            id="CKV_ATTEST_15",
            categories=[CheckCategories.IAM],
            supported_resources=["mongodbatlas_organization", "mongodbatlas_organization_settings"],
        )

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        required = (first(conf, "multi_factor_auth_required"), first(conf, "api_access_list_required"))
        return CheckResult.PASSED if required == (True, True) else CheckResult.FAILED

    def get_evaluated_keys(self) -> list[str]:
        return ["multi_factor_auth_required", "api_access_list_required"]


encryption = AtlasEncryptionAtRestCustomerKey()
auditing = AtlasAuditingEnabled()
organization = AtlasOrganizationMfaAndApiAccessList()
