"""SARIF 2.1.0: schema-valid, waived findings as accepted suppressions carrying the expiry."""
from __future__ import annotations

import dataclasses
import json
from typing import Any

import pytest

from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.model import build_model
from attest.reports.sarif import fingerprint, render_sarif


@pytest.fixture(scope="module")
def log(results: Results, snapshot: Snapshot, bundle: BundleRef) -> dict[str, Any]:
    return json.loads(render_sarif(build_model(results, snapshot, bundle)))


def test_valid_against_the_sarif_schema(log: dict[str, Any], sarif_validator: Any) -> None:
    errors = list(sarif_validator.iter_errors(log))
    assert not errors, [f"{list(e.absolute_path)}: {e.message}" for e in errors[:10]]


def test_the_validator_rejects_a_broken_log(log: dict[str, Any], sarif_validator: Any) -> None:
    broken = json.loads(json.dumps(log))
    broken["runs"][0]["results"][0]["kind"] = "waived"
    assert list(sarif_validator.iter_errors(broken))


def test_passing_results_are_omitted_by_default(log: dict[str, Any]) -> None:
    kinds = sorted(r["kind"] for r in log["runs"][0]["results"])
    assert kinds == sorted(["fail", "fail", "fail", "fail", "fail", "fail", "open", "review"])
    assert log["runs"][0]["properties"]["passingResults"] == "omitted"
    assert {r["id"] for r in log["runs"][0]["tool"]["driver"]["rules"]} == {r["ruleId"] for r in log["runs"][0]["results"]}


def test_one_result_per_finding_when_passes_are_kept(
    results: Results, snapshot: Snapshot, bundle: BundleRef, sarif_validator: Any
) -> None:
    full = json.loads(render_sarif(build_model(results, snapshot, bundle), keep_passing=True))
    kinds = sorted(r["kind"] for r in full["runs"][0]["results"])
    assert len(kinds) == len(results.findings)
    assert kinds == sorted(["pass", "pass", "fail", "fail", "fail", "fail", "fail", "fail", "open", "review"])
    assert not list(sarif_validator.iter_errors(full))
    code = next(r for r in full["runs"][0]["results"] if r["ruleId"] == "code.no_write_to_reference")
    assert code["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": "app/src/db/reference.ts", "uriBaseId": "%SRCROOT%"},
                                                     "region": {"startLine": 42}}


def test_partial_fingerprints_are_unique_and_ignore_line_moves(log: dict[str, Any], results: Results, fx: Any) -> None:
    prints = [r["partialFingerprints"]["attestFinding/v1"] for r in log["runs"][0]["results"]]
    assert len(prints) == len(set(prints))
    terraform = next(f for f in results.findings if f.plane == "terraform")
    moved = dataclasses.replace(terraform, evidence=f"{fx.TF_FILE}:40")
    assert fingerprint(moved) == fingerprint(terraform)
    assert fingerprint(dataclasses.replace(terraform, rule_id="other.rule")) != fingerprint(terraform)


def test_waived_finding_is_an_accepted_suppression_with_expiry(log: dict[str, Any]) -> None:
    suppressed = [r for r in log["runs"][0]["results"] if "suppressions" in r]
    assert len(suppressed) == 1
    suppression = suppressed[0]["suppressions"][0]
    assert suppression["status"] == "accepted"
    assert suppression["properties"]["expires"] == "2026-12-05"
    assert suppression["properties"]["issue"] == "OPS-142"


def test_a_lapsed_waiver_is_not_a_suppression(log: dict[str, Any]) -> None:
    lapsed = [r for r in log["runs"][0]["results"] if "lapsedWaiver" in r["properties"]]
    assert len(lapsed) == 1
    assert "suppressions" not in lapsed[0]
    assert lapsed[0]["level"] == "warning" and lapsed[0]["kind"] == "fail"
    assert lapsed[0]["properties"]["lapsedWaiver"]["expired"] == "2026-11-01"


def test_terraform_and_code_findings_have_file_and_line(log: dict[str, Any]) -> None:
    lines = {
        (r["ruleId"], loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
        for r in log["runs"][0]["results"]
        for loc in r.get("locations", [])
        if "region" in loc.get("physicalLocation", {})
    }
    assert lines == {("secrets.cmk", "infra/envs/prod/secrets.tf", 12)}


def test_a_live_finding_is_located_at_its_terraform_declaration(log: dict[str, Any], fx: Any) -> None:
    live = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "secrets.cmk" and r["properties"]["plane"] == "live")
    assert live["locations"][0]["physicalLocation"] == {"artifactLocation": {"uri": fx.TF_FILE, "uriBaseId": "%SRCROOT%"},
                                                      "region": {"startLine": 12}}
    assert live["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == fx.SECRET_ARN
    assert live["properties"]["evidence"] == "snapshot.json#/resources/2"


def test_live_findings_point_at_the_evidence_and_the_resource(log: dict[str, Any]) -> None:
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "ecs.task_definition.provenance")
    location = result["locations"][0]
    assert location["physicalLocation"] == {"artifactLocation": {"uri": "snapshot.json"}}
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith("task-definition/shopping-app:7")
    assert result["properties"]["evidence"] == "snapshot.json#/resources/1/attributes"
    assert result["properties"]["evidenceMissing"] == "registeredBy"
    assert result["properties"]["alsoComputedFrom"] == ["snapshot.json#/resources/2", "config/attest.yaml#/aws/deploy_principals"]
