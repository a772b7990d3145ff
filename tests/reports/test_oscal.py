"""OSCAL assessment results: valid against NIST's schema, and every uuid reference resolves."""
from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results, Status
from attest.reports.bundle import BundleRef
from attest.reports.model import build_model
from attest.reports.oscal import control_token, render_oscal

UUID_REFS = ("observation-uuid", "subject-uuid", "risk-uuid", "task-uuid", "party-uuid", "component-uuid")


@pytest.fixture(scope="module")
def document(results: Results, snapshot: Snapshot, bundle: BundleRef) -> dict[str, Any]:
    return json.loads(render_oscal(build_model(results, snapshot, bundle)))


def test_valid_against_the_oscal_schema(document: dict[str, Any], oscal_validator: Any) -> None:
    errors = sorted(oscal_validator.iter_errors(document), key=str)
    assert not errors, "\n".join(f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in errors[:10])


def test_the_validator_rejects_a_broken_document(document: dict[str, Any], oscal_validator: Any) -> None:
    broken = json.loads(json.dumps(document))
    broken["assessment-results"]["results"][0]["findings"][0]["target"]["target-id"] = "164.312(e)(1)"
    del broken["assessment-results"]["metadata"]["oscal-version"]
    assert len(list(oscal_validator.iter_errors(broken))) >= 2


def unresolved_uuid_references(document: dict[str, Any], walk: Any) -> list[tuple[str, Any]]:
    defined = [value for key, value in walk(document) if key == "uuid"]
    assert len(defined) == len(set(defined)), "uuids must be unique"
    referenced = [(key, value) for key, value in walk(document) if key in UUID_REFS]
    assert referenced, "the document should hold references to check"
    return [r for r in referenced if r[1] not in set(defined)]


def test_every_uuid_reference_resolves(document: dict[str, Any], json_walk: Any) -> None:
    assert unresolved_uuid_references(document, json_walk) == []


def test_a_dangling_reference_is_caught(document: dict[str, Any], json_walk: Any) -> None:
    broken = json.loads(json.dumps(document))
    finding = broken["assessment-results"]["results"][0]["findings"][0]
    finding["related-observations"][0]["observation-uuid"] = "00000000-0000-4000-8000-000000000000"
    assert len(unresolved_uuid_references(broken, json_walk)) == 1


def test_findings_carry_state_per_control(document: dict[str, Any], results: Results) -> None:
    findings = document["assessment-results"]["results"][0]["findings"]
    states = {f["target"]["target-id"]: f["target"]["status"]["state"] for f in findings}
    assert states == {control_token(c.control_id, c.framework): "not-satisfied" for c in results.controls}
    assert "hipaa-164.312-e-1" in states


def test_observations_cite_evidence_with_sha256(document: dict[str, Any], snapshot: Snapshot, bundle: BundleRef) -> None:
    observations = document["assessment-results"]["results"][0]["observations"]
    evidence = [e for o in observations for e in o.get("relevant-evidence", [])]
    assert {"href": "snapshot.json#/resources/2"}.items() <= next(
        e for e in evidence if e["href"] == "snapshot.json#/resources/2"
    ).items()
    for item in evidence:
        props = {p["name"]: p["value"] for p in item["props"]}
        file = item["href"].split("#")[0]
        if file not in bundle.files:  # a cited config entry whose file this fixture bundle does not hold
            assert "sha256" not in props and file == "config/attest.yaml"
            continue
        assert props["sha256"] == bundle.files[file]
        assert props["bundle-id"] == bundle.id
        assert props["collected-at"] == "2026-11-20T03:00:00Z"


def test_uuids_are_deterministic_and_depend_on_content(results: Results, snapshot: Snapshot, bundle: BundleRef) -> None:
    first = render_oscal(build_model(results, snapshot, bundle))
    assert first == render_oscal(build_model(results, snapshot, bundle))
    other = render_oscal(build_model(results, snapshot, BundleRef("another-bundle", bundle.files)))
    assert json.loads(first)["assessment-results"]["uuid"] != json.loads(other)["assessment-results"]["uuid"]


def test_a_satisfied_control(results: Results, snapshot: Snapshot, bundle: BundleRef) -> None:
    passing = dataclasses.replace(
        results, controls=tuple(dataclasses.replace(c, status=Status.PASS) for c in results.controls)
    )
    doc = json.loads(render_oscal(build_model(passing, snapshot, bundle)))
    states = {f["target"]["status"]["state"] for f in doc["assessment-results"]["results"][0]["findings"]}
    assert states == {"satisfied"}


def test_the_collector_is_a_responsible_party(document: dict[str, Any], fx: Any) -> None:
    metadata = document["assessment-results"]["metadata"]
    party = metadata["parties"][0]
    assert metadata["responsible-parties"] == [{"role-id": "evidence-collector", "party-uuids": [party["uuid"]]}]
    props = {(p["name"], p["value"]) for p in party["props"]}
    assert ("aws-role-arn", f"arn:aws:iam::{fx.ACCOUNT}:role/attest-collector") in props
    assert ("atlas-api-key-id", "attest-reader") in props


def test_back_matter_carries_native_sha256_of_the_manifest_and_its_predecessor(
    document: dict[str, Any], bundle: BundleRef
) -> None:
    resources = {r["title"]: r for r in document["assessment-results"]["back-matter"]["resources"]}
    assert bundle.provenance is not None
    manifest_hash = resources["manifest.json"]["rlinks"][0]["hashes"][0]
    assert manifest_hash == {"algorithm": "SHA-256", "value": bundle.provenance.manifest_sha256}
    previous = resources[f"{bundle.provenance.previous_id}/manifest.json"]["rlinks"][0]["hashes"][0]
    assert previous["value"] == bundle.provenance.previous_sha256
    assert resources["findings.json"]["rlinks"][0]["hashes"][0]["value"] == bundle.files["findings.json"]


def test_waivers_are_risks_with_deadlines(document: dict[str, Any]) -> None:
    risks = {r["props"][0]["value"]: r for r in document["assessment-results"]["results"][0]["risks"]}
    assert risks["atlas-laptop-ingest"]["status"] == "deviation-approved"
    assert risks["atlas-laptop-ingest"]["deadline"] == "2026-12-05T23:59:59Z"
    assert risks["contractor-temp-access"]["status"] == "open"
    assert risks["no-expiry"]["status"] == "open" and "deadline" not in risks["no-expiry"]


def test_without_a_bundle_there_is_no_manifest_resource(results: Results, snapshot: Snapshot) -> None:
    doc = json.loads(render_oscal(build_model(results, snapshot, None)))
    titles = [r["title"] for r in doc["assessment-results"]["back-matter"]["resources"]]
    assert titles == ["snapshot.json"]
