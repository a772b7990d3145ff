"""The view every document is rendered from: controls with their findings, waivers with their state.

Time-relative judgements (a waiver expiring within 30 days, an attestation that lapsed) are made
as of the day the findings were evaluated on (by default the evidence's collection date), never the
render-time clock, so output is deterministic.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from attest.core.errors import BadInputError
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Attestation, ControlResult, Finding, Results, Status, WaiverRef, declaration, rollup
from attest.reports.bundle import BundleRef
from attest.reports.citations import Citation, Citer
from attest.reports.cover import Cover, build_cover
from attest.reports.limitations import GapView, gap_views

EXPIRY_WINDOW = timedelta(days=30)
STATUS_ORDER = (Status.PASS, Status.FAIL, Status.ERROR, Status.WAIVED, Status.MANUAL)
STATUS_LABELS = {
    Status.PASS: "satisfied",
    Status.FAIL: "not satisfied",
    Status.ERROR: "could not evaluate",
    Status.WAIVED: "waived",
    Status.MANUAL: "manual",
}


@dataclass(frozen=True)
class WaiverView:
    """A waiver judged as of the evaluation day: active, expiring (<= 30 days), expired or malformed."""

    waiver: WaiverRef
    expires_on: date | None
    state: str
    days_left: int | None
    rule_ids: tuple[str, ...]
    resource_ids: tuple[str, ...]


@dataclass(frozen=True)
class FindingView:
    finding: Finding
    anchor: str
    citation: Citation | None
    waiver: WaiverView | None
    cites: tuple[Citation, ...] = ()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.finding.status]

    @property
    def subject(self) -> str:
        return self.finding.resource_id or self.finding.evidence or "(no resource)"

    @property
    def links(self) -> tuple[tuple[str, str], ...]:
        """The same resource in the other plane, worded: ("declared as", "ADDRESS (file:line)") or ("live:", ID)."""
        return tuple(("declared as" if declaration(r) else "live:", r) for r in self.finding.related)


@dataclass(frozen=True)
class AttestationView:
    attestation: Attestation
    current: bool


@dataclass(frozen=True)
class RuleView:
    rule_id: str
    reason: str
    status: Status
    findings: tuple[FindingView, ...]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status] if self.findings else "no findings"


@dataclass(frozen=True)
class ControlView:
    control: ControlResult
    anchor: str
    rules: tuple[RuleView, ...]
    findings: tuple[FindingView, ...]
    attestations: tuple[AttestationView, ...]
    waivers: tuple[WaiverView, ...]
    counts: tuple[tuple[Status, int], ...]
    limitations: tuple[GapView, ...] = ()

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.control.status]


@dataclass(frozen=True)
class ReportModel:
    results: Results
    snapshot: Snapshot
    bundle: BundleRef | None
    as_of: date
    controls: tuple[ControlView, ...]
    findings: tuple[FindingView, ...]
    waivers: tuple[WaiverView, ...]
    snapshot_citation: Citation
    totals: tuple[tuple[Status, int], ...]
    cover: Cover
    gaps: tuple[GapView, ...] = ()
    # Said on every page when the reports were forced to render with a config other than the one
    # the findings were computed with.
    config_note: str = ""


def anchor(text: str) -> str:
    """An HTML id / Markdown anchor made from arbitrary text, stable across renders."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "x"


def unique_anchors(names: list[str]) -> list[str]:
    """HTML ids from readable names (rule and resource); a repeat gets -2, -3, ... so no id appears twice."""
    used: set[str] = set()
    out = []
    for name in names:
        base = candidate = anchor(name)
        count = 1
        while candidate in used:
            count += 1
            candidate = f"{base}-{count}"
        used.add(candidate)
        out.append(candidate)
    return out


def parse_day(text: str, where: str) -> date:
    """A waiver or attestation date: `YYYY-MM-DD` or a full ISO 8601 time."""
    try:
        if len(text) == 10:
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        raise BadInputError(f"not a date: {text!r}", where=where) from None


def _waiver_view(waiver: WaiverRef, as_of: date, findings: list[Finding], where: str) -> WaiverView:
    rule_ids = sorted({f.rule_id for f in findings}) or ([waiver.rule_id] if waiver.rule_id else [])
    resources = sorted({f.resource_id or f.evidence for f in findings})
    if not resources and waiver.resource_pattern:
        resources = [waiver.resource_pattern]
    if waiver.status == "malformed":
        return WaiverView(waiver, None, "malformed", None, tuple(rule_ids), tuple(resources))
    if waiver.source == "test_policy" and not waiver.expires:
        # the guard file's policy for test files (attest check --code): standing, with no expiry date
        return WaiverView(waiver, None, "active", None, tuple(rule_ids), tuple(resources))
    expires_on = parse_day(waiver.expires, where)
    days_left = (expires_on - as_of).days
    state = "expired" if days_left < 0 else "expiring" if days_left <= EXPIRY_WINDOW.days else "active"
    return WaiverView(waiver, expires_on, state, days_left, tuple(rule_ids), tuple(resources))


def _waiver_views(results: Results, as_of: date, source: str) -> dict[str, WaiverView]:
    """Every waiver in the policy set, plus any a finding carries that the set does not list."""
    covered: dict[str, list[Finding]] = {}
    for finding in results.findings:
        if finding.waiver is not None:
            covered.setdefault(finding.waiver.id, []).append(finding)
    listed = sorted(results.waivers, key=lambda w: w.id)
    views = {
        w.id: _waiver_view(w, as_of, covered.get(w.id, []), f"{source}#/waivers/{i}/expires")
        for i, w in enumerate(listed)
    }
    for index, finding in enumerate(sorted(results.findings, key=Finding.sort_key)):
        if finding.waiver is not None and finding.waiver.id not in views:
            where = f"{source}#/findings/{index}/waiver/expires"
            views[finding.waiver.id] = _waiver_view(finding.waiver, as_of, covered[finding.waiver.id], where)
    return views


def _counts(findings: tuple[FindingView, ...], control: ControlResult) -> tuple[tuple[Status, int], ...]:
    counts = {s: sum(1 for f in findings if f.finding.status is s) for s in STATUS_ORDER}
    if not findings and control.status is Status.MANUAL:
        counts[Status.MANUAL] = max(1, len(control.attestations))
    return tuple((s, counts[s]) for s in STATUS_ORDER)


def _control_view(control: ControlResult, findings: tuple[FindingView, ...], as_of: date, where: str,
                  waivers: dict[str, WaiverView], gaps: tuple[GapView, ...] = ()) -> ControlView:
    """`where` locates the control in the findings file, for a bad attestation date."""
    mine = tuple(f for f in findings if control.control_id in f.finding.controls)
    rules = []
    for mapping in control.mappings:
        of_rule = tuple(f for f in mine if f.finding.rule_id == mapping.rule_id)
        status = rollup(f.finding.status for f in of_rule)
        rules.append(RuleView(mapping.rule_id, mapping.reason, status, of_rule))
    attestations = tuple(
        AttestationView(a, parse_day(a.valid_until, f"{where}/attestations/{i}/valid_until") >= as_of)
        for i, a in enumerate(control.attestations)
    )
    waiver_ids = sorted({f.finding.waiver.id for f in mine if f.finding.waiver is not None})
    return ControlView(
        control=control,
        anchor=anchor(control.control_id),
        rules=tuple(rules),
        findings=mine,
        attestations=attestations,
        waivers=tuple(waivers[w] for w in waiver_ids),
        counts=_counts(mine, control),
        limitations=tuple(g for g in gaps if g.pointer in control.scope_limitations),
    )


def build_model(results: Results, snapshot: Snapshot, bundle: BundleRef | None, source: str = "findings.json",
                config_note: str = "") -> ReportModel:
    """Resolve every citation and classify every waiver; inconsistent input raises BadInputError."""
    if results.evaluated_on:
        as_of = parse_day(results.evaluated_on, f"{source}#/evaluated_on")
    else:
        as_of = parse_day(results.snapshot_collected_at, f"{source}#/snapshot/collected_at")
    citer = Citer(results, snapshot, bundle, source)
    waivers = _waiver_views(results, as_of, source)
    ordered = sorted(results.findings, key=Finding.sort_key)
    names = unique_anchors([f"{f.rule_id} {f.resource_id or f.evidence or 'no resource'}" for f in ordered])
    findings = tuple(
        FindingView(
            finding=f,
            anchor=names[i],
            citation=citer.finding(f, i),
            cites=citer.cites(f, i),
            waiver=waivers[f.waiver.id] if f.waiver is not None else None,
        )
        for i, f in enumerate(ordered)
    )
    gaps = gap_views(results)
    controls = tuple(
        _control_view(c, findings, as_of, f"{source}#/controls/{i}", waivers, gaps) for i, c in enumerate(results.controls)
    )
    totals = tuple((s, sum(1 for f in findings if f.finding.status is s)) for s in STATUS_ORDER)
    return ReportModel(
        results=results,
        snapshot=snapshot,
        bundle=bundle,
        as_of=as_of,
        controls=controls,
        findings=findings,
        waivers=tuple(sorted(waivers.values(), key=lambda w: (w.expires_on or date.min, w.waiver.id))),
        snapshot_citation=citer.snapshot(),
        totals=totals,
        cover=build_cover(results, snapshot, bundle, gaps),
        gaps=gaps,
        config_note=config_note,
    )
