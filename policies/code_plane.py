"""`attest check --code DIR...`: the PR guard's whole-repo scan as the check's code plane.

Each directory is scanned as `attest guard DIR` scans it (no base, its own `.attest-guard.yaml`) and
its findings (`policies/guard/findings.py`) are folded into the results: the guard's rules join the
controls they name (`Rule.controls`), so a code `fail` fails them, and a scan that could not be
completed is an `error` finding, never an empty pass. Paths are rebased onto the directory's git top
level, as Terraform evidence is, so a report cites both planes from one root.

A guard finding waived inline or by its test policy keeps that waiver; `waivers.yaml` does not
reach code findings (they name no live resource). The guard's `ATL-DB-005` on a declared user that
the Terraform plane also judged (same rule, file and address, `--terraform` given) is left out: the
Terraform plane judged it with the estate's ids, the guard without them.

Kept out of `policies/guard/` so that `attest guard` never loads the policy set to start.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from pathlib import Path

from attest.core import __version__
from attest.policies.findings import ControlResult, Finding, Mapping, Results, Span, Step, WaiverRef
from attest.policies.guard.rules import RULES
from attest.policies.guard.run import run_guard
from attest.policies.guard.findings import to_findings
from attest.policies.rollup import rerolled, static_results, static_rollup
from attest.policies.rule_loader import POLICIES_DIR, load_policy_set
from attest.policies.terraform.hcl import evidence_path, evidence_root

# Why a guard rule evidences each control it names (a control's mapping reason, as in controls.yaml).
REASONS = {
    "HIPAA-164.312(e)(1)": "The app's code opens no path by which data is written toward, or PHI travels to, the "
    "public-class reference cluster (the PR guard's code plane, docs/guard.md).",
    "SOC2-CC6.6": "Code that writes through the reference handle, or hands it to code nobody reviewed as read-only, "
    "crosses the boundary the reference cluster's read-only access sets (docs/guard.md).",
    "SOC2-CC6.7": "Data moves toward the public-class store only if code or a declared user can write there "
    "(docs/guard.md).",
    "SOC2-CC8.1": "Every change to the app's code is checked for a way toward the reference cluster before it "
    "merges; what the guard cannot read fails closed (docs/guard.md).",
}


def with_code(results: Results | None, roots: tuple[Path, ...], *, live: bool,
              policies_dir: str | Path = POLICIES_DIR, today: dt.date | None = None) -> Results:
    """`results` (None: neither a snapshot nor Terraform was judged) plus each root's code findings,
    the guard's rules on their controls, each control rolled up again; without a snapshot (`live`
    False) a control answers only for the rules that judged something, as with `--terraform` alone."""
    day = today or (dt.date.fromisoformat(results.evaluated_on) if results is not None and results.evaluated_on
                    else dt.datetime.now(dt.timezone.utc).date())
    base = results if results is not None else static_results(load_policy_set(policies_dir), day)
    found: list[Finding] = []
    digest = hashlib.sha256(base.policy_digest.encode("utf-8") + b"\x00attest-guard " + __version__.encode())
    for root in roots:
        scanned = run_guard(root, today=day)
        prefix = evidence_path(root, evidence_root(root))
        found.extend(_rebased(f, prefix) for f in to_findings(scanned, scanned.config_source))
        guard_file = root / scanned.config_source
        if scanned.config_source != "(defaults)" and guard_file.is_file():
            digest.update(b"\x00" + guard_file.read_bytes())
    findings = tuple(sorted(base.findings + _not_judged_twice(tuple(found), base.findings), key=Finding.sort_key))
    controls = tuple(rerolled(_with_guard_rules(c), findings, base.evaluated_on) for c in base.controls)
    merged = replace(base, findings=findings, controls=controls, policy_digest="sha256:" + digest.hexdigest())
    return merged if live else static_rollup(merged)


def _with_guard_rules(control: ControlResult) -> ControlResult:
    """The guard's rules join the controls they name (ATL-DB-005 is already the policy set's)."""
    added = tuple(Mapping(rule.id, REASONS[control.control_id]) for rule in RULES.values()
                  if control.control_id in rule.controls and rule.id not in control.rule_ids)
    return replace(control, mappings=control.mappings + added) if added else control


def _not_judged_twice(found: tuple[Finding, ...], before: tuple[Finding, ...]) -> tuple[Finding, ...]:
    """The code findings less the guard's verdicts on a declared resource the Terraform plane judged
    by the same rule (same file and address; the plane prefixes an address with `<root label>:` when
    it judged several roots, and an address may itself hold a colon, in a `for_each` key)."""
    judged: dict[tuple[str, str], set[str]] = {}
    for f in before:
        if f.plane == "terraform" and f.resource_id:
            judged.setdefault((f.rule_id, _file(f.evidence)), set()).add(f.resource_id)
    return tuple(f for f in found if not _judged(f, judged))


def _judged(finding: Finding, judged: dict[tuple[str, str], set[str]]) -> bool:
    address = finding.resource_id
    if finding.plane != "terraform" or not address:
        return False
    ids = judged.get((finding.rule_id, _file(finding.evidence)), set())
    return address in ids or any(rid.endswith(":" + address) for rid in ids)


def _file(evidence: str) -> str:
    return evidence.rpartition(":")[0]


def _rebased(finding: Finding, prefix: str) -> Finding:
    """The finding with its repository paths relative to the git top level rather than the scanned dir."""
    if prefix in ("", "."):
        return finding
    waiver = finding.waiver
    return replace(finding, evidence=_path(finding.evidence, prefix),
                   location=_span(finding.location, prefix) if finding.location is not None else None,
                   trace=tuple(Step(_span(s.span, prefix), s.label) for s in finding.trace),
                   waiver=_waiver(waiver, prefix) if waiver is not None else None)


def _path(where: str, prefix: str) -> str:
    return f"{prefix}/{where}" if where and not where.startswith("/") else where


def _span(span: Span, prefix: str) -> Span:
    return replace(span, file=_path(span.file, prefix))


def _waiver(waiver: WaiverRef, prefix: str) -> WaiverRef:
    """An inline or test-policy waiver names a file in its id (`inline:<file>:<line>`) and pattern."""
    source, _, where = waiver.id.partition(":")
    named = where if where.startswith("(") else _path(where, prefix)  # `test_policy:(defaults)` names no file
    return replace(waiver, id=f"{source}:{named}", resource_pattern=_path(waiver.resource_pattern, prefix))
