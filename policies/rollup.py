"""The frame and roll-up shared by the planes `attest check` folds into its results (Terraform,
code): a run without a snapshot starts from every control and no finding, and each control is
judged again over the findings of the rules it maps once a plane has added its own."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace

from attest.policies.findings import ControlResult, Finding, Results, Status, control_status
from attest.policies.rule_loader import PolicySet


def static_results(policy: PolicySet, day: dt.date) -> Results:
    """The frame of a run without a snapshot: every control, no live finding."""
    controls = tuple(
        ControlResult(control_id=c.id, framework=c.framework, title=c.title, summary=c.summary,
                      narrative=c.narrative, status=Status.MANUAL, mappings=c.mappings, attestations=c.attestations)
        for c in policy.controls
    )
    return Results(snapshot_collected_at="", snapshot_digest="", policy_digest=policy.digest, controls=controls,
                   findings=(), waivers=(), evaluated_on=day.isoformat())


def static_rollup(results: Results) -> Results:
    """Without a snapshot a control answers only for the rules a static plane judged: a rule with no
    declaration or code to judge is not evidence either way (the live check judges it)."""
    judged = {f.rule_id for f in results.findings}
    controls = []
    for control in results.controls:
        kept = tuple(m for m in control.mappings if m.rule_id in judged)
        controls.append(rerolled(replace(control, mappings=kept), results.findings, results.evaluated_on))
    return replace(results, controls=tuple(controls))


def rerolled(control: ControlResult, findings: tuple[Finding, ...], today: str) -> ControlResult:
    """The control's status over the findings of the rules it maps."""
    rules = set(control.rule_ids)
    statuses = [f.status for f in findings if f.rule_id in rules]
    return replace(control, status=control_status(statuses, has_rules=bool(rules), attestations=control.attestations,
                                                  today=today, limited=bool(control.scope_limitations)))
