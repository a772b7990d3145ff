"""OSCAL 1.2.1 assessment results: one result, one observation per finding, one finding per control.

UUIDs are uuid5 over content (bundle, digests, rule, resource), so a re-render gives the same
document. An OSCAL finding is `satisfied` only when the control passed, or rests on a current
attestation; waived, failing and unevaluated controls are `not-satisfied`, with our status as the
reason, so nothing accepted by waiver reads as met.
"""
from __future__ import annotations

import json
import re
import uuid
from typing import Any

from attest.policies.findings import Status
from attest.reports.citations import Citation
from attest.reports.limitations import GapView
from attest.reports.model import STATUS_LABELS, ControlView, FindingView, ReportModel
from attest.reports.oscal_cover import back_matter, metadata_parties, risks

OSCAL_VERSION = "1.2.1"
NS = "urn:attest:oscal"
_ROOT = uuid.uuid5(uuid.NAMESPACE_URL, "urn:attest:assessment-results")


def control_token(control_id: str, framework: str) -> str:
    """An OSCAL control-id token: `CC6.6` -> `cc6.6`; `164.312(e)(1)` (HIPAA) -> `hipaa-164.312-e-1`."""
    token = re.sub(r"[^a-z0-9._-]+", "-", control_id.lower()).strip("-.")
    if token[:1].isalpha():
        return token
    prefix = re.sub(r"[^a-z0-9]+", "-", framework.lower()).strip("-") or "control"
    return f"{prefix if prefix[:1].isalpha() else 'control'}-{token}"


def _uuid(*parts: str) -> str:
    return str(uuid.uuid5(_ROOT, "\x1f".join(parts)))


def prop(name: str, value: str) -> dict[str, str]:
    return {"name": name, "ns": NS, "value": " ".join(value.split()) or "-"}


def _evidence(citation: Citation) -> dict[str, Any]:
    props = [prop("file", citation.file), prop("collected-at", citation.collected_at)]
    if citation.sha256:
        props.append(prop("sha256", citation.sha256))
    if citation.pointer:
        props.append(prop("json-pointer", citation.pointer))
    if citation.bundle_id:
        props.append(prop("bundle-id", citation.bundle_id))
    if citation.missing:
        props.append(prop("missing", citation.missing))
    return {"href": citation.href, "description": f"{citation.file}, {citation.place}", "props": props}


def _observation(f: FindingView, collected: str, inventory: dict[str, str]) -> dict[str, Any]:
    finding = f.finding
    obs: dict[str, Any] = {
        "uuid": _uuid("observation", finding.rule_id, finding.plane, finding.resource_id or "", finding.evidence),
        "title": f"{finding.rule_id}: {STATUS_LABELS[finding.status]}",
        "description": finding.message or finding.title,
        "props": [
            prop("rule-id", finding.rule_id),
            prop("status", finding.status.value),
            prop("severity", finding.severity),
            prop("plane", finding.plane),
        ],
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": collected,
    }
    if finding.resource_id:
        obs["subjects"] = [{"subject-uuid": inventory[finding.resource_id], "type": "inventory-item"}]
    if f.citation:
        obs["relevant-evidence"] = [_evidence(f.citation)] + [_evidence(c) for c in f.cites]
    if finding.waiver:
        obs["remarks"] = f"Waiver {finding.waiver.id} ({finding.waiver.issue}) expires {finding.waiver.expires}: {finding.waiver.reason}"
    return obs


def _attestation_observations(c: ControlView, collected: str) -> list[dict[str, Any]]:
    return [
        {
            "uuid": _uuid("attestation", c.control.control_id, a.attestation.attested_by, a.attestation.attested_on),
            "title": f"{c.control.control_id}: attestation by {a.attestation.attested_by}",
            "description": a.attestation.statement,
            "props": [
                prop("attested-by", a.attestation.attested_by),
                prop("attested-on", a.attestation.attested_on),
                prop("valid-until", a.attestation.valid_until),
                prop("current", "yes" if a.current else "no"),
            ],
            "methods": ["INTERVIEW"],
            "types": ["control-objective"],
            "collected": collected,
        }
        for a in c.attestations
    ]


def _gap_observation(g: GapView, collected: str) -> dict[str, Any]:
    """A source that could not be read: a scope limitation of every control that rests on it."""
    return {
        "uuid": _uuid("gap", g.pointer, g.operation, g.where),
        "title": f"Scope limitation: {g.operation} could not be read in {g.where}",
        "description": f"{g.label}: {g.detail}. {g.rests[:1].upper()}{g.rests[1:]}.",
        "props": [prop("gap-pointer", g.pointer), prop("operation", g.operation), prop("scope", g.where),
                  prop("gap-reason", g.label)],
        "methods": ["TEST"],
        "types": ["finding"],
        "collected": collected,
    }


def _satisfied(c: ControlView) -> bool:
    if c.control.status is Status.PASS:
        return True
    return c.control.status is Status.MANUAL and bool(c.attestations) and all(a.current for a in c.attestations)


def _finding(c: ControlView, observation_ids: list[str]) -> dict[str, Any]:
    state = "satisfied" if _satisfied(c) else "not-satisfied"
    counts = ", ".join(f"{n} {STATUS_LABELS[s]}" for s, n in c.counts if n) or "no findings"
    out: dict[str, Any] = {
        "uuid": _uuid("finding", c.control.control_id),
        "title": f"{c.control.control_id}: {c.control.title}",
        "description": f"{c.control.summary}\n\nattest status: {c.status_label} ({counts}).",
        "props": [prop("attest-status", c.control.status.value), prop("framework", c.control.framework)],
        "target": {
            "type": "objective-id",
            "target-id": control_token(c.control.control_id, c.control.framework),
            "status": {"state": state, "reason": c.control.status.value},
        },
    }
    if observation_ids:
        out["related-observations"] = [{"observation-uuid": u} for u in observation_ids]
    return out


def render_oscal(model: ReportModel) -> str:
    results = model.results
    collected = results.snapshot_collected_at
    bundle_id = model.bundle.id if model.bundle else "unbundled"
    resource_ids = sorted({f.finding.resource_id for f in model.findings if f.finding.resource_id})
    inventory = {rid: _uuid("inventory-item", rid) for rid in resource_ids}
    observations: dict[str, dict[str, Any]] = {}
    by_finding = {id(f): _observation(f, collected, inventory) for f in model.findings}
    gaps = {g.pointer: _gap_observation(g, collected) for g in model.gaps}
    observations.update((o["uuid"], o) for o in gaps.values())
    findings = []
    for c in model.controls:
        limits = [gaps[g.pointer] for g in c.limitations if g.pointer in gaps]
        related = [by_finding[id(f)] for f in c.findings] + _attestation_observations(c, collected) + limits
        for obs in related:
            observations[obs["uuid"]] = obs
        findings.append(_finding(c, [o["uuid"] for o in related]))
    result: dict[str, Any] = {
        "uuid": _uuid("result", bundle_id, results.snapshot_digest, results.policy_digest),
        "title": "attest automated assessment",
        "description": "Controls evaluated by attest against the snapshot, Terraform and application code.",
        "start": collected,
        "end": collected,
        "reviewed-controls": {
            "control-selections": [
                {"include-controls": [{"control-id": control_token(c.control.control_id, c.control.framework)} for c in model.controls]}
            ]
        },
        "observations": sorted(observations.values(), key=lambda o: o["uuid"]),
        "findings": findings,
    }
    if inventory:
        result["local-definitions"] = {
            "inventory-items": [
                {"uuid": inventory[rid], "description": rid, "props": [prop("resource-id", rid)]}
                for rid in resource_ids
            ]
        }
    if not result["observations"]:
        del result["observations"]
    remarks = [model.config_note] if model.config_note else []
    if model.gaps:
        remarks.append(f"Scope limitations: {len(model.gaps)} source(s) could not be read; see the scope-limitation observations.")
    if remarks:
        result["remarks"] = " ".join(remarks)
    waiver_risks = risks(model, _uuid, prop)
    if waiver_risks:
        result["risks"] = waiver_risks
    document = {
        "assessment-results": {
            "uuid": _uuid("assessment-results", bundle_id, results.snapshot_digest, results.policy_digest),
            "metadata": {
                "title": "attest assessment results",
                "last-modified": collected,
                "version": results.policy_digest,
                "oscal-version": OSCAL_VERSION,
                "props": [prop("bundle-id", bundle_id), prop("snapshot-digest", results.snapshot_digest)],
                **metadata_parties(model.cover, prop, _uuid),
            },
            "import-ap": {
                "href": f"urn:attest:policy-set:{results.policy_digest}",
                "remarks": "attest has no separate assessment plan: the policy set, by digest, is the plan.",
            },
            "results": [result],
            "back-matter": back_matter(model, _uuid),
        }
    }
    return oscal_text(document)


def oscal_text(document: dict[str, Any]) -> str:
    """The document as written: two-space indent, sorted keys."""
    return json.dumps(document, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
