"""The cover in OSCAL: the collector as a party, the bundle's files as back-matter, waivers as risks.

Parties name the collector's AWS roles and Atlas API key id (public identifiers); back-matter
resources carry the SHA-256 of the files a report rests on (snapshot, findings, manifest, previous
manifest) as OSCAL `hashes`; each waiver is an accepted deviation (`deviation-approved`) with its
expiry as the `deadline`, and a lapsed or malformed one is an `open` risk.
"""
from __future__ import annotations

from typing import Any, Callable

from attest.reports.bundle import hex_digest
from attest.reports.cover import Cover
from attest.reports.model import ReportModel, WaiverView

COLLECTOR_ROLE = "evidence-collector"
_RISK_STATUS = {"active": "deviation-approved", "expiring": "deviation-approved", "expired": "open", "malformed": "open"}

Prop = Callable[[str, str], dict[str, str]]
Uuid = Callable[..., str]


def metadata_parties(cover: Cover, prop: Prop, make_uuid: Uuid) -> dict[str, Any]:
    """`roles`, `parties` and `responsible-parties` for the document metadata."""
    props = [prop("aws-role-arn", arn) for arn in cover.role_arns]
    if cover.atlas_key_id:
        props.append(prop("atlas-api-key-id", cover.atlas_key_id))
    props.append(prop("attest-version", cover.attest_version))
    party_uuid = make_uuid("party", *cover.role_arns, cover.atlas_key_id or "")
    return {
        "roles": [{"id": COLLECTOR_ROLE, "title": "Evidence collector",
                   "description": "The identities attest collected the evidence as (read-only roles and API key)."}],
        "parties": [{"uuid": party_uuid, "type": "organization", "name": "attest evidence collector", "props": props}],
        "responsible-parties": [{"role-id": COLLECTOR_ROLE, "party-uuids": [party_uuid]}],
    }


def _resource(make_uuid: Uuid, title: str, href: str, sha256: str, description: str) -> dict[str, Any]:
    return {
        "uuid": make_uuid("resource", title, sha256),
        "title": title,
        "description": description,
        "rlinks": [{"href": href, "hashes": [{"algorithm": "SHA-256", "value": sha256}]}],
    }


def back_matter(model: ReportModel, make_uuid: Uuid) -> dict[str, Any] | None:
    """Resources for the evidence files, the bundle manifest and the previous manifest, each with its SHA-256."""
    cover = model.cover
    resources = [
        _resource(make_uuid, "snapshot.json", "snapshot.json", model.snapshot_citation.sha256 or
                  hex_digest(model.results.snapshot_digest), "The collector's snapshot the findings were computed from."),
    ]
    if model.bundle is not None and "findings.json" in model.bundle.files:
        resources.append(_resource(make_uuid, "findings.json", "findings.json", model.bundle.files["findings.json"],
                                   "The policy engine's results."))
    if cover.manifest_sha256:
        resources.append(_resource(make_uuid, "manifest.json", "manifest.json", cover.manifest_sha256,
                                   f"The manifest of evidence bundle {cover.bundle_id}."))
    if cover.previous_id and cover.previous_sha256:
        resources.append(_resource(make_uuid, f"{cover.previous_id}/manifest.json", f"../{cover.previous_id}/manifest.json",
                                   cover.previous_sha256, "The manifest of the previous bundle in the chain."))
    return {"resources": resources}


def _risk(w: WaiverView, make_uuid: Uuid, prop: Prop) -> dict[str, Any]:
    waiver = w.waiver
    risk: dict[str, Any] = {
        "uuid": make_uuid("risk", waiver.id),
        "title": f"Waiver {waiver.id}: {', '.join(w.rule_ids) or 'no rule'}",
        "description": waiver.reason or "-",
        "statement": f"Accepted by {waiver.approved_by or 'nobody recorded'} for {', '.join(w.resource_ids) or 'no resource'}; "
                     f"owner {waiver.owner or '-'}, tracking issue {waiver.issue or '-'}; state {w.state}.",
        "status": _RISK_STATUS[w.state],
        "props": [prop("waiver-id", waiver.id), prop("waiver-state", w.state), prop("expires", waiver.expires or "-")],
    }
    if w.expires_on is not None:
        risk["deadline"] = f"{w.expires_on.isoformat()}T23:59:59Z"
    return risk


def risks(model: ReportModel, make_uuid: Uuid, prop: Prop) -> list[dict[str, Any]]:
    return [_risk(w, make_uuid, prop) for w in model.waivers]
