"""The base of attest's checkov checks: every verdict carries the operator's sentence.

checkov knows PASSED, FAILED and UNKNOWN, and leaves UNKNOWN out of its report, so a check that
could not decide would vanish. Our checks return a `Verdict` instead; this base turns it into a
result checkov always reports, with the sentence (and a marker attest reads) in `details`:
undetermined -> FAILED marked `attest:undetermined` (attest makes it an `error`), not applicable ->
PASSED marked `attest:not-applicable` (attest leaves it out).
"""
from __future__ import annotations

from typing import Any

from checkov.common.models.enums import CheckResult
from checkov.terraform.checks.resource.base_resource_check import BaseResourceCheck

from attest_values import NOT_APPLICABLE, UNDETERMINED, Verdict

_RESULTS = {"pass": CheckResult.PASSED, "fail": CheckResult.FAILED}


class AttestCheck(BaseResourceCheck):
    """Subclasses implement `judge`; `scan_resource_conf` is final."""

    def judge(self, conf: dict[str, Any]) -> Verdict:
        raise NotImplementedError

    def scan_resource_conf(self, conf: dict[str, Any]) -> CheckResult:
        outcome, sentence = self.judge(conf)
        if outcome == "n/a":
            self.details.append(f"{NOT_APPLICABLE} {sentence}")
            return CheckResult.PASSED
        if outcome not in _RESULTS:
            self.details.append(f"{UNDETERMINED} {sentence}")
            return CheckResult.FAILED
        self.details.append(sentence)
        return _RESULTS[outcome]
