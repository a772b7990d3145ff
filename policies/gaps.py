"""Which controls in scope rest on each source that could not be read (each gap of the snapshot).

A control rests on every resource type its rules read (their own type, the types they reach through
`related.<kind>`, and the types that feed their node's facts) and on the types its `depends_on`
names. Each gap is recorded with those controls, so every output can list it, per control as a
scope limitation, and a control that rests on it is `error` rather than `pass`.
"""
from __future__ import annotations

from typing import Any, Iterable

from attest.collector.snapshot import GAP_REASON_LABELS, Gap
from attest.policies.controls import Control
from attest.policies.graph import EDGE_KINDS, FACT_INPUTS
from attest.policies.rule_schema import Rule


def rule_reads(rule: Rule) -> frozenset[str]:
    """Every resource type whose absence would leave this rule's verdict unknown."""
    reached = {t for kind in rule.relations() for t in EDGE_KINDS[kind][0]}
    return frozenset({rule.resource, *reached, *FACT_INPUTS.get(rule.resource, frozenset())})


def control_sources(control: Control, rules: Iterable[Rule]) -> frozenset[str]:
    by_id = {rule.id: rule for rule in rules}
    reads = {t for m in control.mappings if m.rule_id in by_id for t in rule_reads(by_id[m.rule_id])}
    return frozenset(reads | {d.rule_id for d in control.depends_on})


def gap_records(gaps: tuple[Gap, ...], controls: tuple[Control, ...], rules: tuple[Rule, ...]) -> tuple[dict[str, Any], ...]:
    """Each gap as findings.json records it: its fields, pointer, reason label, and the controls resting on it."""
    sources = {c.id: control_sources(c, rules) for c in controls}
    return tuple(
        {
            **gap.to_dict(),
            "pointer": f"/gaps/{index}",
            "label": GAP_REASON_LABELS.get(gap.reason, gap.reason),
            "controls": sorted(cid for cid, types in sources.items() if types & set(gap.resource_types)),
        }
        for index, gap in enumerate(gaps)
    )


def limitations(control_id: str, records: tuple[dict[str, Any], ...]) -> tuple[str, ...]:
    """The pointers of the gaps a control rests on."""
    return tuple(str(r["pointer"]) for r in records if control_id in r.get("controls", ()))
