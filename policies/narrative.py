"""A control's "how the estate meets it", written from its findings, so it can never contradict them.

The text in `controls.yaml` (`narrative`) says how the estate is meant to meet a control; whether it
does is the findings' to say. This sentence-per-verdict summary is generated from the mapped rules'
results in mapping order: what holds, what does not (and where), what is waived (and under which
waiver), what could not be evaluated, which unread sources limit it (the control's scope
limitations), and what the manual attestations vouch for.
"""
from __future__ import annotations

from typing import Any, Iterable, Mapping, Sequence

from attest.policies.controls import Control
from attest.policies.findings import Finding, Status, rollup

_SHOWN = 3


def _places(findings: Iterable[Finding]) -> str:
    names = sorted({f.resource_id or f.evidence for f in findings})
    shown = ", ".join(names[:_SHOWN])
    return shown + (f" and {len(names) - _SHOWN} more" if len(names) > _SHOWN else "")


def _rule(rule_id: str, titles: dict[str, str]) -> str:
    title = titles.get(rule_id, "")
    return f"{title.rstrip('.')} ({rule_id})" if title else rule_id


def _limitation(gap: dict[str, Any]) -> str:
    where = f"{gap['scope']}/{gap['region']}" if gap.get("region") else gap["scope"]
    return f"{gap['operation']} in {where} ({gap['label']})"


def control_narrative(control: Control, by_rule: Mapping[str, Sequence[Finding]], statuses: Mapping[str, Iterable[Status]],
                      titles: dict[str, str], today: str, gaps: Iterable[dict[str, Any]] = ()) -> str:
    """One paragraph: each mapped rule under the verdict of its findings (`by_rule`: the findings
    grouped by rule, as the engine has them; `statuses`: the statuses each rule's findings have,
    so a rule that holds everywhere is not read again), the unread sources the control rests on,
    then the attestations."""
    holds, fails, waived, errors, idle = [], [], [], [], []
    for mapping in control.mappings:
        mine = by_rule.get(mapping.rule_id, [])
        name = _rule(mapping.rule_id, titles)
        status = rollup(statuses.get(mapping.rule_id, ()))
        if status is Status.PASS:
            holds.append(f"{name}, on {len(mine)} of {len(mine)}")
        elif status is Status.FAIL:
            bad = [f for f in mine if f.status is Status.FAIL]
            fails.append(f"{name}, failing on {_places(bad)} ({len(bad)} of {len(mine)})")
        elif status is Status.WAIVED:
            excused = [f for f in mine if f.status is Status.WAIVED]
            ids = sorted({f.waiver.id for f in excused if f.waiver})
            waived.append(f"{name}, on {_places(excused)} under waiver {', '.join(ids)}")
        elif status is Status.ERROR:
            unknown = [f for f in mine if f.status is Status.ERROR]
            errors.append(f"{name}, on {_places(unknown)}")
        else:
            idle.append(name)
    parts = []
    for label, items in (("Does not hold", fails), ("Could not be evaluated", errors), ("Waived", waived),
                         ("Holds", holds), ("No finding (nothing of its kind in the evidence)", idle)):
        if items:
            parts.append(f"{label}: " + "; ".join(items) + ".")
    unread = [_limitation(gap) for gap in gaps]
    if unread:
        parts.append("Scope limited: could not read " + "; ".join(unread) + ", which this control rests on.")
    for attestation in control.attestations:
        lapsed = attestation.valid_until < today
        parts.append(
            f"Attested by {attestation.attested_by} (not checked by attest): {attestation.statement.rstrip('.')}"
            f"; valid until {attestation.valid_until}{', LAPSED' if lapsed else ''}."
        )
    return " ".join(parts) or "No rule or attestation covers this control."
