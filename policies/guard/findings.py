"""Guard results as the project's findings: each violation a `Finding` with a `Status`, and each
waiver a `WaiverRef`, so a code finding sits in the same findings list, reports and evidence
bundle as live and Terraform ones. Waivers come from two sources in one model: an inline comment
(`inline:<file>:<line>`) and the guard file's test policy (`test_policy:<file>`).

A finding's `evidence` is its site (where it is reported and waived: the write, or the outermost call
passing the handle), its `location` the violation's primary location (where a pull request shows it)
and its `trace` the path from the reference source to the write."""
from __future__ import annotations

from attest.policies.findings import Finding, Remediation, Status, Step, WaiverRef
from attest.policies.guard.results import GuardResult, Violation, span
from attest.policies.guard.rules import FIX, RULES, WHY
from attest.policies.guard.waivers import Waiver

STATUS = {"fail": Status.FAIL, "error": Status.ERROR, "waived": Status.WAIVED, "test": Status.WAIVED}
# waiver states of the guard (active | expired | malformed) as the project's waiver status
WAIVER_STATUS = {"active": "active", "expired": "expired", "malformed": "malformed"}


def inline_waiver(waiver: Waiver) -> WaiverRef:
    return WaiverRef(id=f"inline:{waiver.where}", reason=waiver.reason, owner="", issue=waiver.issue,
                     approved_by="inline comment (reviewed with the change)", expires=waiver.until,
                     rule_id=waiver.rule, resource_pattern=f"{waiver.file}:*", status=WAIVER_STATUS[waiver.state],
                     problem=waiver.problem)


def _test_policy(violation: Violation, source: str) -> WaiverRef:
    return WaiverRef(id=f"test_policy:{source}", reason="sited in a test file: reported, not blocking "
                     "(test_policy: report)", owner="", issue="", approved_by=source, expires="",
                     rule_id=violation.rule, resource_pattern=violation.site.file)


def to_finding(violation: Violation, config_source: str = "(defaults)") -> Finding:
    rule = RULES[violation.rule]
    plane = "terraform" if violation.site.file.endswith(".tf") else "code"
    waiver = (inline_waiver(violation.waiver) if violation.waiver is not None
              else _test_policy(violation, config_source) if violation.status == "test" else None)
    return Finding(rule_id=rule.id, title=rule.title, status=STATUS[violation.status], severity=rule.severity,
                   controls=rule.controls, resource_id=violation.resource, evidence=violation.site.where(),
                   message=violation.message, rationale=WHY[rule.id],
                   remediation=Remediation(console=(FIX[rule.id],)), plane=plane, waiver=waiver,
                   location=span(violation.primary), trace=tuple(Step(span(h), h.label) for h in violation.path))


def to_findings(result: GuardResult, config_source: str = "(defaults)") -> list[Finding]:
    """Every violation as a finding (sorted like the project's findings). An analysis that could not
    be completed is one `error` finding located where it stopped: never an empty, passing list."""
    found = [to_finding(v, config_source) for v in result.violations]
    for where, message in result.not_analysed:
        found.append(Finding(rule_id="dynamic-use", title="The guard could not analyse the repository",
                             status=Status.ERROR, severity="high", controls=RULES["dynamic-use"].controls,
                             resource_id=None, evidence=where, message=f"could not analyse: {message}",
                             plane="code"))
    return sorted(found, key=Finding.sort_key)
