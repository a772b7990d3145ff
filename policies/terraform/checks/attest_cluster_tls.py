"""Atlas advanced clusters refuse TLS older than 1.2 (set explicitly; a missing setting fails)."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from attest_base import AttestCheck
from attest_values import Verdict, blocks, failed, first, passed

ACCEPTED = frozenset({"TLS1_2", "TLS1_3"})


class ClusterMinimumTls12(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas advanced cluster minimum TLS protocol is 1.2 or newer",
            id="CKV_ATTEST_8",
            categories=[CheckCategories.ENCRYPTION],
            supported_resources=["mongodbatlas_advanced_cluster"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        versions = [first(block, "minimum_enabled_tls_protocol") for block in blocks(conf, "advanced_configuration")]
        versions = [v for v in versions if v is not None]
        if not versions:
            return failed("sets no advanced_configuration.minimum_enabled_tls_protocol (TLS1_2 or newer required)")
        old = [str(v) for v in versions if v not in ACCEPTED]
        if old:
            return failed(f"accepts {', '.join(old)}: minimum_enabled_tls_protocol must be TLS1_2 or newer")
        return passed(f"accepts {', '.join(sorted(map(str, versions)))} or newer only")

    def get_evaluated_keys(self) -> list[str]:
        return ["advanced_configuration/[0]/minimum_enabled_tls_protocol"]


check = ClusterMinimumTls12()
