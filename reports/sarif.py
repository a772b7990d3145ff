"""SARIF 2.1.0 for code scanning: one result per finding that is not a pass (passes only on request),
waived ones as accepted suppressions.

A result is located in the repository wherever one exists, so it annotates the pull request:
Terraform and code findings at their file and line, a live finding at the Terraform declaration
its resource is linked to (`Finding.related`). A live finding with no declaration points at the
evidence file, with the resource as a logical location. The bundle citation stays a property.
`partialFingerprints` identify a result by rule, plane and resource (not line), so code scanning
tracks it across edits that move it.
"""
from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from attest.core import __version__
from attest.policies.findings import Finding, Status
from attest.reports.model import FindingView, ReportModel, declaration

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "attestFinding/v1"
_FILE_LINE = re.compile(r"^(?P<file>[^#]+):(?P<line>[0-9]+)$")
_KIND = {
    Status.PASS: "pass",
    Status.FAIL: "fail",
    Status.WAIVED: "fail",
    Status.ERROR: "open",
    Status.MANUAL: "review",
}
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


def _rule(finding: Finding) -> dict[str, Any]:
    help_text = "\n".join(finding.remediation.console)
    if finding.remediation.terraform:
        help_text = f"{help_text}\n\nTerraform:\n{finding.remediation.terraform}".strip()
    rule: dict[str, Any] = {
        "id": finding.rule_id,
        "name": finding.rule_id,
        "shortDescription": {"text": finding.title},
        "properties": {"controls": sorted(finding.controls), "severity": finding.severity},
        "defaultConfiguration": {"level": _LEVEL.get(finding.severity, "warning")},
    }
    if finding.rationale:
        rule["fullDescription"] = {"text": finding.rationale}
    if help_text:
        rule["help"] = {"text": help_text}
    return rule


def repository_location(f: FindingView) -> tuple[str, int] | None:
    """(repo-relative file, line) of a finding: its own for Terraform and code, its linked declaration if live."""
    if f.finding.plane != "live":
        match = _FILE_LINE.match(f.finding.evidence)
        return (match.group("file"), int(match.group("line"))) if match else None
    for ref in f.finding.related:
        declared = declaration(ref)
        if declared is not None:
            return declared[1], declared[2]
    return None


def _location(f: FindingView) -> dict[str, Any]:
    citation = f.citation
    location: dict[str, Any] = {}
    in_repo = repository_location(f)
    if in_repo is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": in_repo[0]}, "region": {"startLine": in_repo[1]}}
    elif citation is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": citation.file}}
        if citation.line is not None:
            location["physicalLocation"]["region"] = {"startLine": citation.line}
    if f.finding.resource_id:
        location["logicalLocations"] = [{"fullyQualifiedName": f.finding.resource_id, "kind": "resource"}]
    return location


def fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: the rule, the plane, and the resource (or file, without its line)."""
    subject = finding.resource_id or _FILE_LINE.sub(r"\g<file>", finding.evidence)
    return hashlib.sha256("\x1f".join((finding.rule_id, finding.plane, subject)).encode("utf-8")).hexdigest()


def _related(index: int, word: str, ref: str) -> dict[str, Any]:
    """The same resource in the other plane: a declaration with its file and line, or a live id."""
    location: dict[str, Any] = {"id": index, "message": {"text": f"{word} {ref}"}}
    declared = declaration(ref)
    if declared is None:
        location["logicalLocations"] = [{"fullyQualifiedName": ref, "kind": "resource"}]
    else:
        address, file, line = declared
        location["physicalLocation"] = {"artifactLocation": {"uri": file}, "region": {"startLine": line}}
        location["logicalLocations"] = [{"fullyQualifiedName": address, "kind": "resource"}]
    return location


def _result(f: FindingView, rule_index: int) -> dict[str, Any]:
    finding = f.finding
    kind = _KIND[finding.status]
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": _LEVEL.get(finding.severity, "warning") if kind == "fail" else "none",
        "message": {"text": finding.message or finding.title},
        "properties": {"status": finding.status.value, "plane": finding.plane, "controls": list(finding.controls)},
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
    }
    location = _location(f)
    if location:
        result["locations"] = [location]
    if f.links:
        result["relatedLocations"] = [_related(i, word, ref) for i, (word, ref) in enumerate(f.links)]
    if f.citation is not None:
        result["properties"]["evidence"] = f.citation.href
        if f.citation.sha256:
            result["properties"]["evidenceSha256"] = f.citation.sha256
        if f.citation.missing:
            result["properties"]["evidenceMissing"] = f.citation.missing
    if f.cites:
        result["properties"]["alsoComputedFrom"] = [c.href for c in f.cites]
    if finding.status is Status.WAIVED and finding.waiver is not None:
        waiver = finding.waiver
        result["suppressions"] = [
            {
                "kind": "external",
                "status": "accepted",
                "justification": f"{waiver.reason} ({waiver.issue}; approved by {waiver.approved_by})",
                "properties": {"waiverId": waiver.id, "owner": waiver.owner, "issue": waiver.issue, "expires": waiver.expires},
            }
        ]
    elif finding.waiver is not None:
        result["properties"]["lapsedWaiver"] = {"id": finding.waiver.id, "expired": finding.waiver.expires}
    return result


def render_sarif(model: ReportModel, *, keep_passing: bool = False) -> str:
    """Passing findings are left out unless `keep_passing`: code scanning shows results as alerts."""
    shown = [f for f in model.findings if keep_passing or f.finding.status is not Status.PASS]
    rules: dict[str, dict[str, Any]] = {}
    for f in shown:
        rules.setdefault(f.finding.rule_id, _rule(f.finding))
    order = sorted(rules)
    index = {rule_id: i for i, rule_id in enumerate(order)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "attest",
                "version": __version__,
                "rules": [rules[r] for r in order],
            }
        },
        "results": [_result(f, index[f.finding.rule_id]) for f in shown],
        "properties": {
            "collectedAt": model.results.snapshot_collected_at,
            "snapshotDigest": model.results.snapshot_digest,
            "policyDigest": model.results.policy_digest,
            "passingResults": "included" if keep_passing else "omitted",
        },
    }
    if model.bundle is not None:
        run["properties"]["bundleId"] = model.bundle.id
    if model.gaps:  # sources that could not be read, as the run's tool notifications
        run["invocations"] = [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {"level": "error", "message": {"text": f"scope limitation: {g.operation} in {g.where}: {g.label} ({g.detail}); {g.rests}"},
                 "properties": {"gap": g.pointer}}
                for g in model.gaps
            ],
        }]
    if model.config_note:
        run["properties"]["configNote"] = model.config_note
    document = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
