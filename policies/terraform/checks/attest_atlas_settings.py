"""Atlas encryption at rest (ATL-DB-006), database auditing (ATL-DB-007) and organisation
settings (ATL-DB-008), as declared with the mongodbatlas provider."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories

from attest_base import AttestCheck
from attest_values import Verdict, blocks, failed, first, passed, undetermined

_PROVIDER_BLOCKS = ("aws_kms_config", "azure_key_vault_config", "google_cloud_kms_config")


class AtlasEncryptionAtRestCustomerKey(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas project encrypts at rest with an enabled customer-managed key",
            id="CKV_ATTEST_13",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["mongodbatlas_encryption_at_rest"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        switches = {key: first(b, "enabled") for key in _PROVIDER_BLOCKS for b in blocks(conf, key)}
        on = sorted(key for key, value in switches.items() if value is True)
        if on:
            return passed(f"encrypts at rest with the customer key of {on[0]}")
        unknown = sorted(key for key, value in switches.items() if not isinstance(value, bool))
        if unknown:
            return undetermined(f"{unknown[0]}.enabled {switches[unknown[0]]} is not a boolean source determines")
        return failed("enables no customer-managed key provider (aws_kms_config, azure_key_vault_config, google_cloud_kms_config)")

    def get_evaluated_keys(self) -> list[str]:
        return [f"{key}/[0]/enabled" for key in _PROVIDER_BLOCKS]


class AtlasAuditingEnabled(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas database auditing is enabled",
            id="CKV_ATTEST_14",
            categories=[CheckCategories.LOGGING],
            supported_resources=["mongodbatlas_auditing"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        enabled = first(conf, "enabled")
        if enabled is True:
            return passed("enables database auditing")
        if enabled is False or enabled is None:
            return failed("does not set enabled = true: database auditing is off")
        return undetermined(f"enabled {enabled} is not a boolean source determines")

    def get_evaluated_keys(self) -> list[str]:
        return ["enabled"]


class AtlasOrganizationMfaAndApiAccessList(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas organisation requires MFA and an API access list",
            id="CKV_ATTEST_15",
            categories=[CheckCategories.IAM],
            supported_resources=["mongodbatlas_organization", "mongodbatlas_organization_settings"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        for key in ("multi_factor_auth_required", "api_access_list_required"):
            value = first(conf, key)
            if value is False or value is None:
                return failed(f"does not set {key} = true")
            if value is not True:
                return undetermined(f"{key} {value} is not a boolean source determines")
        return passed("requires MFA and an access list for the Admin API")

    def get_evaluated_keys(self) -> list[str]:
        return ["multi_factor_auth_required", "api_access_list_required"]


encryption = AtlasEncryptionAtRestCustomerKey()
auditing = AtlasAuditingEnabled()
organization = AtlasOrganizationMfaAndApiAccessList()
