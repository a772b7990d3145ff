"""SARIF 2.1.0 for code-scanning UIs: one result per finding, waived ones as accepted suppressions.

Terraform and code findings carry a physical location with a line so they annotate the PR; live
findings point at the evidence file, with the resource as a logical location and the snapshot
pointer as a property. The same resource in the other plane (`Finding.related`) is a related location.
"""
from __future__ import annotations

import json
from typing import Any

from attest.core import __version__
from attest.policies.findings import Finding, Status
from attest.reports.model import FindingView, ReportModel, declaration

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
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


def _location(f: FindingView) -> dict[str, Any]:
    citation = f.citation
    location: dict[str, Any] = {}
    if citation is not None:
        location["physicalLocation"] = {"artifactLocation": {"uri": citation.file}}
        if citation.line is not None:
            location["physicalLocation"]["region"] = {"startLine": citation.line}
    if f.finding.resource_id:
        location["logicalLocations"] = [{"fullyQualifiedName": f.finding.resource_id, "kind": "resource"}]
    return location


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


def render_sarif(model: ReportModel) -> str:
    rules: dict[str, dict[str, Any]] = {}
    for f in model.findings:
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
        "results": [_result(f, index[f.finding.rule_id]) for f in model.findings],
        "properties": {
            "collectedAt": model.results.snapshot_collected_at,
            "snapshotDigest": model.results.snapshot_digest,
            "policyDigest": model.results.policy_digest,
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
