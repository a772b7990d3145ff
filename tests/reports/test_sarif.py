"""SARIF 2.1.0: schema-valid, waived findings as accepted suppressions carrying the expiry."""
from __future__ import annotations

import json
from typing import Any

import pytest

from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.model import build_model
from attest.reports.sarif import render_sarif


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


def test_one_result_per_finding_with_kinds(log: dict[str, Any], results: Results) -> None:
    kinds = sorted(r["kind"] for r in log["runs"][0]["results"])
    assert len(kinds) == len(results.findings)
    assert kinds == sorted(["pass", "pass", "fail", "fail", "fail", "fail", "fail", "fail", "open", "review"])


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
    assert lines == {
        ("secrets.cmk", "sources/infra/envs/prod/secrets.tf", 12),
        ("code.no_write_to_reference", "sources/app/src/db/reference.ts", 42),
    }


def test_live_findings_point_at_the_evidence_and_the_resource(log: dict[str, Any]) -> None:
    result = next(r for r in log["runs"][0]["results"] if r["ruleId"] == "ecs.task_definition.provenance")
    location = result["locations"][0]
    assert location["physicalLocation"] == {"artifactLocation": {"uri": "snapshot.json"}}
    assert location["logicalLocations"][0]["fullyQualifiedName"].endswith("task-definition/shopping-app:7")
    assert result["properties"]["evidence"] == "snapshot.json#/resources/1/attributes"
    assert result["properties"]["evidenceMissing"] == "registeredBy"
    assert result["properties"]["alsoComputedFrom"] == ["snapshot.json#/resources/2", "config/attest.yaml#/aws/deploy_principals"]
