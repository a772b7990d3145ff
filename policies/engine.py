"""The engine: a snapshot, the estate config, the policy set and waivers in; `Results` out.

For each rule, every graph node of the rule's type that its `where` selects gets one finding:
`pass` when all `expect` conditions hold, `fail` when one does not (then `waived` if a waiver
covers it), `error` when one cannot be evaluated. Evidence completeness is enforced here:
- a gap whose `resource_types` include the rule's resource type makes the rule `error` in the
  gap's scope (and region), via one finding pointing at `/gaps/N`, and no finding of that rule in
  that scope may pass, nor fail for want of a value (a check that met null or nothing is
  `error` there: the gap, not the estate, explains the absence; a fail on a value that was read
  stays a fail);
- a gap in a type the rule reaches through `related.<kind>` or through its node's facts
  (`graph.FACT_INPUTS`) does the same for every scope, since relations cross scopes; except an
  account's facts, computed from its own trails and recorders only: there the gap stays in its
  account, and a fail on a fact whose inputs it hides is `error` (an empty list read from nothing);
- a rule with `required_when` true that selects nothing is `error` (evidence `/resources`).
Findings are sorted, and the output depends only on the inputs (including `today`).
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from functools import partial
from itertools import chain
from typing import Any

from attest.core.canonical import canonical_json
from attest.collector.config import EstateConfig
from attest.core.gcpause import paused_gc
from attest.collector.snapshot import Gap, Snapshot, format_time
from attest.policies.citing import CitationIndex, ConfigEntries, RuleReads
from attest.policies.conditions import Outcome, compile_verdict, evaluate_all
from attest.policies.controls import Control
from attest.policies.findings import ControlResult, Finding, Results, Status, control_status
from attest.policies.graph_accounts import FACT_SOURCES as ACCOUNT_FACT_SOURCES
from attest.policies.graph_accounts import INPUTS as ACCOUNT_INPUTS
from attest.policies.graph_accounts import NODE_TYPE as ACCOUNT_TYPE
from attest.policies.graph_declared import NODE_TYPE as DECLARED_TYPE
from attest.policies.estate_graph import EstateGraph
from attest.policies.gaps import gap_records, limitations, rule_reads
from attest.policies.graph import Documents, build_graph, config_document, nodes_by_type
from attest.policies.narrative import control_narrative
from attest.policies.pointers import existing_suffix
from attest.policies.rule_loader import PolicySet
from attest.policies.rule_schema import Rule
from attest.policies.waivers import Waiver, waiver_for


def _finding(rule: Rule, status: Status, resource_id: str | None, evidence: str, message: str,
             cited: tuple[str, str, tuple[str, ...]] | None = None, waiver: Waiver | None = None) -> Finding:
    """One finding; `cited` is (evidence, missing, cites) from `_cited` and replaces `evidence`.
    Positional arguments and `Finding.live`: a rule over 100,000 nodes makes as many findings."""
    evidence, missing, cites = cited if cited is not None else (evidence, "", ())
    return Finding.live(rule.id, rule.title, status, rule.severity, rule.controls, resource_id, evidence, message,
                        rule.rationale, rule.remediation, waiver.ref if waiver else None, missing, cites)


def _cited(citer: CitationIndex, node_id: str, outcome: Outcome, cites: tuple[str, ...]) -> tuple[str, str, tuple[str, ...]]:
    """(evidence, missing, cites): what decided a verdict (its node, or the related node its failing check read),
    at the field the check read or the nearest existing parent of it, with the absent keys in
    `missing`; every other input of its verdict goes in `cites`."""
    subject = node_id
    if outcome.via:
        targets = citer.graph.targets(node_id, outcome.via)
        subject = targets[0] if targets else node_id
    own = citer.pointer(subject) or "/resources"
    suffix = outcome.pointer_suffix if not outcome.via or subject != node_id else ""
    missing = ""
    if suffix and own.startswith("/resources/"):
        suffix, missing = existing_suffix(citer.nodes[subject]["attributes"], suffix)
        own += suffix
    others = tuple(c for c in cites if c != own and not own.startswith(c + "/"))
    return own, missing, others


_HOLDS = Outcome(True, "")


def _unpaired(graph: EstateGraph, key: str) -> list[str]:
    """Why privatelink entries paired no endpoint, for a rule that needs them (`config.privatelinks`)."""
    pairing = graph.pairing
    return [pairing.why[name] for name in sorted(pairing.why)] if key == "privatelinks" and pairing else []


def _truthy(value: Any) -> bool:
    return value not in (None, False, "", [], {}, 0)


def _gap_text(gap: Gap) -> str:
    where = f"{gap.scope}/{gap.region}" if gap.region else gap.scope
    return f"{gap.operation} could not be read in {where} ({gap.reason})"


def _gaps_for(rule: Rule, gaps: tuple[Gap, ...]) -> list[tuple[int, Gap, bool]]:
    """(index, gap, crosses_scopes) for each gap that leaves some input of the rule unknown. An
    account's facts come from its own trails and recorders only, so a gap in those stays in its scope."""
    reached = rule_reads(rule) - {rule.resource}
    across = reached - ACCOUNT_INPUTS if rule.resource == ACCOUNT_TYPE else reached
    out = []
    for index, gap in enumerate(gaps):
        types = set(gap.resource_types)
        if rule.resource in types or types & reached:
            out.append((index, gap, bool(types & across)))
    return out


def _in_gap(data: dict[str, Any], gap: Gap, crosses: bool) -> bool:
    if data["type"] == DECLARED_TYPE:  # only the type and scope a missing declared item stands for
        watches = data["facts"]["watches"]
        return watches is not None and watches[0] in gap.resource_types and watches[1] in ("*", gap.scope)
    if crosses:
        return True
    return data["scope"] == gap.scope and (gap.region is None or data["region"] in (None, gap.region))


def _hiding_gaps(rule: Rule, reads: RuleReads, gaps: tuple[Gap, ...]) -> list[tuple[int, Gap]]:
    """Gaps hiding every input of a fact the rule reads (an account's trails are only the trails read
    in that account): in the gap's scope such a fact is empty for want of evidence, not because the
    account has none, so a fail on it is `error` there, like a check that met nothing."""
    if rule.resource != ACCOUNT_TYPE:
        return []
    hidden = {ACCOUNT_FACT_SOURCES[fact] for fact in reads.facts if fact in ACCOUNT_FACT_SOURCES}
    return [(index, gap) for index, gap in enumerate(gaps) if hidden & set(gap.resource_types)]


def _in_scope(gaps: list[tuple[int, Gap]], data: dict[str, Any]) -> tuple[int, Gap] | None:
    return next(((index, gap) for index, gap in gaps if gap.scope == data["scope"]), None)


def evaluate_rule(
    rule: Rule,
    graph: EstateGraph,
    documents: list[tuple[str, dict[str, Any]]],
    config_doc: dict[str, Any],
    gaps: tuple[Gap, ...],
    waivers: tuple[Waiver, ...],
    citer: CitationIndex,
    evidence: bool = True,
) -> list[Finding]:
    """The findings of one rule over the documents of every node of its type (sorted by id).
    `evidence` False: a pass cites its node alone (`Results.evidence`)."""
    findings: list[Finding] = []
    rule_gaps = _gaps_for(rule, gaps)
    reads = RuleReads.of(rule)
    citing = citer.reading(reads)
    cite_pass = citing.whole if evidence else citing.bare
    hiding = _hiding_gaps(rule, reads, gaps)
    selects, passes = compile_verdict(rule.where), compile_verdict(rule.expect)
    selected = [(node_id, doc) for node_id, doc in documents if selects(doc) is not False] if rule.where else documents
    passed = partial(Finding.live, rule.id, rule.title, Status.PASS, rule.severity, rule.controls)
    for node_id, doc in selected:
        holds = passes(doc) is True
        if holds and not rule_gaps:  # most findings: a pass no gap can turn into an error, cited as a whole
            pointer, missing, cites = cite_pass(node_id, doc)
            findings.append(passed(node_id, pointer, "satisfied", rule.rationale, rule.remediation, None, missing, cites))
            continue
        data = citer.nodes[node_id]
        outcome = _HOLDS if holds else evaluate_all(rule.expect, doc)
        blocking = next(((i, g) for i, g, crosses in rule_gaps if _in_gap(data, g, crosses)), None) if rule_gaps else None
        if outcome.ok is True and blocking is not None:
            index, gap = blocking
            findings.append(_finding(rule, Status.ERROR, node_id, f"/gaps/{index}", f"cannot confirm: {_gap_text(gap)}"))
        elif outcome.ok is False and (want := blocking if outcome.unknown else _in_scope(hiding, data)) is not None:
            index, gap = want
            findings.append(_finding(rule, Status.ERROR, node_id, f"/gaps/{index}",
                                     f"cannot judge: {_gap_text(gap)}, and {outcome.message}"))
        elif outcome.ok is None:
            findings.append(_finding(rule, Status.ERROR, node_id, "", outcome.message, citing.whole(node_id, doc)))
        elif outcome.ok is False:
            waiver = waiver_for(waivers, rule.id, node_id)
            status = Status.WAIVED if waiver else Status.FAIL
            cites = citing.cites(node_id, doc)
            findings.append(_finding(rule, status, node_id, "", outcome.message, _cited(citer, node_id, outcome, cites), waiver))
        else:
            findings.append(_finding(rule, Status.PASS, node_id, "", "satisfied", cite_pass(node_id, doc)))
    for index, gap, _ in rule_gaps:
        findings.append(_finding(rule, Status.ERROR, None, f"/gaps/{index}", f"evidence incomplete: {_gap_text(gap)}; "
                                 f"{', '.join(sorted(gap.resource_types))} unknown"))
    required = rule.required_when is not None and _truthy(rule.required_when.search({"config": config_doc}))
    if required and not selected and not rule_gaps:
        key = rule.required_when.text.removeprefix("config.") if rule.required_when else ""
        why = "".join(f"; {text}" for text in _unpaired(graph, key))
        finding = _finding(rule, Status.ERROR, None, "/resources",
                           f"the estate config says {rule.resource} must exist here, but none was selected{why}"
                           if why else f"the estate config says {rule.resource} must exist here, but none was collected")
        findings.append(replace(finding, cites=tuple(citer.entries.key(key))))
    return findings


def snapshot_digest(snapshot: Snapshot) -> str:
    """sha256 of `snapshot.to_json()`, the snapshot's canonical bytes."""
    return "sha256:" + hashlib.sha256(canonical_json(snapshot.to_dict(), finite=snapshot.finite,
                                                      floats=not snapshot.plain)).hexdigest()


def _control_result(control: Control, by_rule: dict[str, list[Finding]], statuses: dict[str, set[Status]],
                    day: dt.date, titles: dict[str, str], gaps: tuple[dict[str, Any], ...]) -> ControlResult:
    """`by_rule`: the sorted findings grouped by rule; `statuses`: the statuses each rule's findings
    have, worked out once (a rule maps to several controls)."""
    rule_ids = {m.rule_id for m in control.mappings}
    limited_by = limitations(control.id, gaps)
    return ControlResult(
        control_id=control.id,
        framework=control.framework,
        title=control.title,
        summary=control.summary,
        narrative=control_narrative(control, by_rule, statuses, titles, day.isoformat(),
                                    [g for g in gaps if g["pointer"] in limited_by]),
        status=control_status([s for rule_id in rule_ids for s in statuses.get(rule_id, ())], has_rules=bool(rule_ids),
                              attestations=control.attestations, today=day.isoformat(), limited=bool(limited_by)),
        mappings=control.mappings,
        attestations=control.attestations,
        scope_limitations=limited_by,
        design=control.narrative,
    )


def evaluate(
    snapshot: Snapshot,
    config: EstateConfig,
    policy: PolicySet,
    waivers: tuple[Waiver, ...],
    *,
    today: dt.date | None = None,
    evidence: bool = True,
) -> Results:
    """Judge one snapshot. `today` (for waiver status) defaults to the snapshot's collection date.
    `evidence` False gives verdicts for a form that shows no evidence (`Results.evidence`): every
    status, message and evidence pointer the same, but a pass cites its node alone and the snapshot's
    digest is not worked out: a fifth of the instructions of `attest check` on 100,000 resources
    (bench/README.md, sixth round)."""
    with paused_gc():
        return _evaluate(snapshot, config, policy, waivers, today, evidence)


def _judge(snapshot: Snapshot, config: EstateConfig, policy: PolicySet,
           waivers: tuple[Waiver, ...], evidence: bool) -> dict[str, list[Finding]]:
    """Every rule's findings, sorted, by rule id in order: findings sort by rule id first, and a
    rule's own come nearly in order (by node id, its gap findings last), so each is sorted on its own
    and none is grouped again. The graph and its documents die on return (plain dictionaries, no
    cycles), before the digest and control results are made."""
    graph = build_graph(snapshot, config)
    config_doc = config_document(config)
    ids = nodes_by_type(graph)
    docs = Documents(graph, config_doc)
    citer = CitationIndex(graph, ConfigEntries(config))
    by_rule: dict[str, list[Finding]] = {}
    for node_type in sorted({rule.resource for rule in policy.rules}):
        documents = [(node_id, docs.document(node_id)) for node_id in ids.get(node_type, [])]
        for rule in policy.rules:
            if rule.resource == node_type:
                by_rule.setdefault(rule.id, []).extend(
                    evaluate_rule(rule, graph, documents, config_doc, snapshot.gaps, waivers, citer, evidence))
    for of_rule in by_rule.values():
        of_rule.sort(key=Finding.sort_key)
    return {rule_id: by_rule[rule_id] for rule_id in sorted(by_rule)}


def _evaluate(snapshot: Snapshot, config: EstateConfig, policy: PolicySet, waivers: tuple[Waiver, ...],
              today: dt.date | None, evidence: bool) -> Results:
    by_rule = _judge(snapshot, config, policy, waivers, evidence)
    findings = tuple(chain.from_iterable(by_rule.values()))
    day = today or snapshot.collected_at.date()
    gaps = gap_records(snapshot.gaps, policy.controls, policy.rules)
    titles = {rule.id: rule.title for rule in policy.rules}
    statuses = {rule_id: {f.status for f in of_rule} for rule_id, of_rule in by_rule.items()}
    return Results(
        snapshot_collected_at=format_time(snapshot.collected_at),
        snapshot_digest=snapshot_digest(snapshot) if evidence else "",
        policy_digest=policy.digest,
        controls=tuple(_control_result(c, by_rule, statuses, day, titles, gaps) for c in policy.controls),
        findings=findings,
        waivers=tuple(w.ref for w in waivers),
        gaps=gaps,
        evaluated_on=day.isoformat(),
        config_digest=config.digest,
        evidence=evidence,
    )
