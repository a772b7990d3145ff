"""Every Atlas project IP access-list entry says why it exists (a non-empty comment)."""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckCategories
from attest_base import AttestCheck
from attest_values import Verdict, failed, first, passed


class AccessListEntryExplained(AttestCheck):
    def __init__(self) -> None:
        super().__init__(
            name="Atlas IP access-list entry has a comment",
            id="CKV_ATTEST_10",
            categories=[CheckCategories.NETWORKING],
            supported_resources=["mongodbatlas_project_ip_access_list"],
        )

    def judge(self, conf: dict[str, Any]) -> Verdict:
        comment = first(conf, "comment")
        if isinstance(comment, str) and comment.strip():
            return passed(f"says who or what it is for: {comment.strip()!r}")
        return failed("has no comment saying who or what the entry is for")

    def get_evaluated_keys(self) -> list[str]:
        return ["comment"]


check = AccessListEntryExplained()
