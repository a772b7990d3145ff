"""Failure first: what an auditor must read (exceptions) before the passing evidence, which is collapsed per rule.

An exception is a finding that failed, could not be evaluated, or was waived, or any finding whose
waiver expires within 30 days of the evaluation day (or has lapsed, or is malformed).
"""
from __future__ import annotations

from dataclasses import dataclass

from attest.policies.findings import Status
from attest.reports.model import FindingView

_ORDER = {Status.FAIL: 0, Status.ERROR: 1, Status.WAIVED: 2, Status.MANUAL: 3, Status.PASS: 4}


@dataclass(frozen=True)
class PassingRule:
    rule_id: str
    title: str
    findings: tuple[FindingView, ...]


def is_exception(f: FindingView) -> bool:
    if f.finding.status in (Status.FAIL, Status.ERROR, Status.WAIVED):
        return True
    return f.waiver is not None and f.waiver.state != "active"


def exceptions(findings: tuple[FindingView, ...]) -> list[FindingView]:
    """Fail, then error, then waived (soonest expiry first within each), then the rest that need attention."""
    def key(f: FindingView) -> tuple[int, str, str, str]:
        expiry = f.waiver.waiver.expires if f.waiver else "~"
        return (_ORDER[f.finding.status], expiry, f.finding.rule_id, f.subject)
    return sorted((f for f in findings if is_exception(f)), key=key)


def others(findings: tuple[FindingView, ...]) -> list[PassingRule]:
    """Every finding that is not an exception (passing or manual), grouped by rule."""
    groups: dict[str, list[FindingView]] = {}
    for f in findings:
        if not is_exception(f):
            groups.setdefault(f.finding.rule_id, []).append(f)
    return [PassingRule(rule_id, items[0].finding.title, tuple(items)) for rule_id, items in sorted(groups.items())]

