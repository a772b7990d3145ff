"""OCSF 1.3.0 Detection Findings (class 2004), one JSON object per line, one per finding of the run.

JSON Lines, not a JSON array: AWS Glue/Athena's JSON SerDe and Firehose record conversion (the
road into Security Lake), Splunk HEC and Elastic read one event per line, and the OCSF server
validates one event at a time. Keys are sorted and the line order is the model's, so the same
evidence gives the same bytes. `time` is the collection time, never the render clock.

Detection Finding has no `compliance` attribute (only Compliance Finding does), so the controls a
finding bears on travel in `unmapped.compliance`, each shaped like the OCSF compliance object;
our evidence pointers are `evidences[].data` (OCSF's slot for evidence with no typed attribute).
The status mapping is in docs/reports.md: a finding that could not be evaluated is an open (New)
finding whose compliance status is Warning ("did not yield a result due to missing information"),
never Pass.
"""
from __future__ import annotations

import hashlib
import json
from datetime import datetime, timezone
from typing import Any

from attest.collector.snapshot import Resource
from attest.core import __version__
from attest.core.errors import BadInputError
from attest.policies.findings import Status
from attest.reports.citations import SNAPSHOT_FILE, Citation
from attest.reports.limitations import GapView
from attest.reports.model import FindingView, ReportModel
from attest.reports.sarif import fingerprint

OCSF_VERSION = "1.3.0"
CLASS_UID = 2004
CATEGORY_UID = 2
ACTIVITY_CREATE = 1
TYPE_UID = CLASS_UID * 100 + ACTIVITY_CREATE
ANALYTIC_RULE = 1
SEVERITY_IDS = {"info": (1, "Informational"), "low": (2, "Low"), "medium": (3, "Medium"), "high": (4, "High"),
                "critical": (5, "Critical")}
# The cloud object's `provider`, by snapshot provider.
CLOUD_PROVIDERS = {"aws": "AWS", "atlas": "MongoDB Atlas"}
# Our status -> (finding status_id, status): the finding's workflow state.
FINDING_STATUS = {
    Status.FAIL: (1, "New"),
    Status.ERROR: (1, "New"),
    Status.WAIVED: (3, "Suppressed"),
    Status.PASS: (99, "Pass"),
    Status.MANUAL: (99, "Manual"),
}
# Our status -> (compliance status_id, status): the verdict on the control.
COMPLIANCE_STATUS = {
    Status.PASS: (1, "Pass"),
    Status.ERROR: (2, "Warning"),
    Status.FAIL: (3, "Fail"),
    Status.WAIVED: (3, "Fail"),
    Status.MANUAL: (99, "Manual"),
}


def epoch_ms(text: str) -> int:
    """An ISO 8601 UTC time as OCSF's timestamp_t (milliseconds since the epoch)."""
    moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise BadInputError(f"collection time {text!r} has no UTC offset", where="findings.json#/snapshot/collected_at")
    delta = moment - datetime(1970, 1, 1, tzinfo=timezone.utc)
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def finding_uid(f: FindingView) -> str:
    """Stable across runs: rule, plane and resource (the SARIF fingerprint), so a SIEM can track it."""
    return f"attest-{fingerprint(f.finding)}"


def _evidence(citation: Citation, role: str) -> dict[str, Any]:
    data: dict[str, Any] = {"role": role, "href": citation.href, "file": citation.file}
    for key, value in (("bundle_id", citation.bundle_id), ("sha256", citation.sha256), ("missing", citation.missing)):
        if value:
            data[key] = value
    return {"data": data}


def _collected(f: FindingView, live: dict[str, Resource]) -> Resource | None:
    """The snapshot resource a live finding is about, if it is one."""
    return live.get(f.finding.resource_id or "") if f.finding.plane == "live" else None


def _resource(f: FindingView, found: Resource | None) -> list[dict[str, Any]]:
    finding = f.finding
    if not finding.resource_id:
        return []
    if found is not None:
        kind = found.type
    elif finding.plane == "live" and ":" in finding.resource_id:
        kind = finding.resource_id.split(":", 1)[0]  # a synthesised id: `scope:aws/...`, `declared:...`
    else:
        kind = finding.plane
    resource: dict[str, Any] = {"uid": finding.resource_id, "type": kind}
    if found is not None:
        resource["data"] = {"provider": found.provider, "scope": found.scope, **({"region": found.region} if found.region else {})}
    return [resource]


def _cloud(found: Resource | None) -> dict[str, Any] | None:
    """OCSF's cloud profile for a finding on a collected resource: the provider, the AWS account or
    Atlas project it lives in, and its region (Security Lake partitions custom sources by account
    and region). A finding on no collected resource (a declared item, an account, Terraform, code)
    carries none, rather than a guess."""
    if found is None:
        return None
    cloud: dict[str, Any] = {"provider": CLOUD_PROVIDERS[found.provider]}
    if found.provider == "aws":
        cloud["account"] = {"uid": found.scope}
    else:
        cloud["project_uid"] = found.scope
    if found.region:
        cloud["region"] = found.region
    return cloud


def _compliance(f: FindingView, frameworks: dict[str, str]) -> list[dict[str, Any]]:
    status_id, status = COMPLIANCE_STATUS[f.finding.status]
    return [
        {"standards": [frameworks.get(c, "")], "control": c, "status_id": status_id, "status": status,
         "status_code": f.finding.status.value}
        for c in f.finding.controls
    ]


def _attest(f: FindingView, model: ReportModel) -> dict[str, Any]:
    finding = f.finding
    extra: dict[str, Any] = {
        "plane": finding.plane,
        "snapshot_digest": model.results.snapshot_digest,
        "policy_digest": model.results.policy_digest,
    }
    if model.bundle is not None:
        extra["bundle_id"] = model.bundle.id
    if finding.related:
        extra["related"] = sorted(finding.related)
    if finding.waiver is not None:
        extra["waiver"] = {"id": finding.waiver.id, "expires": finding.waiver.expires, "issue": finding.waiver.issue,
                           "approved_by": finding.waiver.approved_by, "state": finding.waiver.status}
    if model.config_note:
        extra["config_note"] = model.config_note
    return extra


def detection_finding(f: FindingView, model: ReportModel, live: dict[str, Resource], frameworks: dict[str, str]) -> dict[str, Any]:
    """One finding as an OCSF Detection Finding (Create)."""
    finding = f.finding
    severity_id, severity = SEVERITY_IDS.get(finding.severity, (0, "Unknown"))
    status_id, status = FINDING_STATUS[finding.status]
    uid = finding_uid(f)
    collected = model.results.snapshot_collected_at
    found = _collected(f, live)
    event: dict[str, Any] = {
        **_header(collected),
        "severity_id": severity_id,
        "severity": severity,
        "status_id": status_id,
        "status": status,
        "status_code": finding.status.value,
        "status_detail": finding.message or finding.title,
        "message": finding.message or finding.title,
        "metadata": _metadata(uid, finding.rule_id, finding.plane, model),
        "finding_info": {
            "uid": uid,
            "title": finding.title,
            "analytic": {"uid": finding.rule_id, "name": finding.rule_id, "type_id": ANALYTIC_RULE, "type": "Rule"},
            "types": ["Compliance"],
        },
        "resources": _resource(f, found),
        "evidences": ([_evidence(f.citation, "evidence")] if f.citation else []) + [_evidence(c, "cites") for c in f.cites],
        "unmapped": {"compliance": _compliance(f, frameworks), "attest": _attest(f, model)},
    }
    if finding.rationale:
        event["finding_info"]["desc"] = finding.rationale
    remedy = "\n".join(finding.remediation.console)
    if finding.remediation.terraform:
        remedy = f"{remedy}\n\nTerraform:\n{finding.remediation.terraform}".strip()
    if remedy:
        event["remediation"] = {"desc": remedy}
    cloud = _cloud(found)
    if cloud is not None:
        event["cloud"] = cloud
        event["metadata"]["profiles"] = ["cloud"]
    if not event["resources"]:
        del event["resources"]
    if not event["evidences"]:
        del event["evidences"]
    return event


def _metadata(uid: str, code: str, label: str, model: ReportModel) -> dict[str, Any]:
    """The event's uid is per run (finding uid and snapshot digest); the finding's uid is across runs."""
    return {
        "version": OCSF_VERSION,
        "product": {"name": "attest", "vendor_name": "attest", "version": __version__},
        "uid": hashlib.sha256(f"{uid}\x1f{model.results.snapshot_digest}".encode("utf-8")).hexdigest(),
        "event_code": code,
        "original_time": model.results.snapshot_collected_at,
        "log_name": "findings",
        "labels": [label],
    }


def _header(collected: str) -> dict[str, Any]:
    return {
        "activity_id": ACTIVITY_CREATE,
        "activity_name": "Create",
        "category_uid": CATEGORY_UID,
        "category_name": "Findings",
        "class_uid": CLASS_UID,
        "class_name": "Detection Finding",
        "type_uid": TYPE_UID,
        "type_name": "Detection Finding: Create",
        "time": epoch_ms(collected),
    }


def gap_finding(g: GapView, model: ReportModel, frameworks: dict[str, str]) -> dict[str, Any]:
    """A source that could not be read: an open finding of its own, Warning on every control resting on it."""
    uid = "attest-gap-" + hashlib.sha256(f"{g.operation}\x1f{g.where}".encode("utf-8")).hexdigest()
    detail = f"{g.label}: {g.detail}; {g.rests}" if g.detail else f"{g.label}; {g.rests}"
    collected = model.results.snapshot_collected_at
    evidence: dict[str, Any] = {"role": "evidence", "href": f"{SNAPSHOT_FILE}{'#' + g.pointer}", "file": SNAPSHOT_FILE}
    extra: dict[str, Any] = {"gap": g.pointer, "snapshot_digest": model.results.snapshot_digest,
                             "policy_digest": model.results.policy_digest}
    if model.bundle is not None:
        evidence["bundle_id"] = extra["bundle_id"] = model.bundle.id
    status_id, status = COMPLIANCE_STATUS[Status.ERROR]
    return {
        **_header(collected),
        "severity_id": 0,
        "severity": "Unknown",
        "status_id": FINDING_STATUS[Status.ERROR][0],
        "status": FINDING_STATUS[Status.ERROR][1],
        "status_code": Status.ERROR.value,
        "status_detail": detail,
        "message": f"{g.operation} in {g.where} could not be read: {detail}",
        "metadata": _metadata(uid, "source-not-read", "gap", model),
        "finding_info": {"uid": uid, "title": f"Source could not be read: {g.operation} in {g.where}",
                         "types": ["Scope limitation"]},
        "evidences": [{"data": evidence}],
        "unmapped": {
            "compliance": [
                {"standards": [frameworks.get(c, "")], "control": c, "status_id": status_id, "status": status,
                 "status_code": Status.ERROR.value}
                for c in g.controls or ()
            ],
            "attest": extra,
        },
    }


def render_ocsf(model: ReportModel) -> str:
    """Every finding of the run, passes included (a SIEM needs the pass that closes yesterday's fail),
    then every source that could not be read."""
    live = {r.id: r for r in model.snapshot.resources}
    frameworks = {c.control_id: c.framework for c in model.results.controls}
    events = [detection_finding(f, model, live, frameworks) for f in model.findings]
    events += [gap_finding(g, model, frameworks) for g in model.gaps]
    return "".join(event_line(e) for e in events)


def event_line(event: dict[str, Any]) -> str:
    """One event as a JSON Lines record: compact, keys sorted."""
    return json.dumps(event, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"
