"""Integration: reports rendered from a real collection and check of the seeded local estate.

The golden files pin the renderer on a fixed fixture; this pins it against what the collector and
policy engine really produce (control ids, evidence forms, waivers), so the two cannot drift apart.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest

from attest.policies.findings import Status
from attest.reports.render import JUNIT_FILE, OCSF_FILE, OSCAL_FILE, SARIF_FILE

from exports import csv_problems, ocsf_events, ocsf_problems

pytestmark = pytest.mark.integration


def test_oscal_and_sarif_are_schema_valid(seeded: dict[str, Any], oscal_validator: Any, sarif_validator: Any, json_walk: Any) -> None:
    oscal = json.loads(seeded["files"][OSCAL_FILE])
    assert [e.message for e in oscal_validator.iter_errors(oscal)][:5] == []
    defined = {v for k, v in json_walk(oscal) if k == "uuid"}
    assert all(v in defined for k, v in json_walk(oscal) if k.endswith("-uuid"))
    assert [e.message for e in sarif_validator.iter_errors(json.loads(seeded["files"][SARIF_FILE]))][:5] == []


def test_ocsf_and_csv_exports_hold_their_contracts(seeded: dict[str, Any]) -> None:
    files, results = seeded["files"], seeded["results"]
    assert ocsf_problems(files[OCSF_FILE]) == []
    assert len(ocsf_events(files[OCSF_FILE])) == len(results.findings) + len(results.gaps)
    csvs = sorted(name for name in files if name.endswith(".csv"))
    assert csvs == ["compliance-hipaa.csv", "compliance-soc-2.csv"]
    assert all(csv_problems(files[name]) == [] for name in csvs)


def test_every_control_and_every_problem_is_in_the_documents(seeded: dict[str, Any]) -> None:
    results, files = seeded["results"], seeded["files"]
    mapping, findings = files["control-mapping.md"], files["findings.md"]
    for control in results.controls:
        assert f"## {control.control_id}: {control.title}" in mapping
    problems = [f for f in results.findings if f.status is not Status.PASS]
    assert problems, "the seeded estate has known exceptions"
    for f in problems:
        assert f"`{f.rule_id}`" in findings and (f.resource_id or f.evidence) in findings


def test_the_waived_exception_is_in_the_waiver_register(seeded: dict[str, Any]) -> None:
    waived = [f for f in seeded["results"].findings if f.status is Status.WAIVED]
    assert waived
    register = seeded["files"]["waiver-register.md"]
    for f in waived:
        assert f.waiver is not None
        assert f"| `{f.waiver.id}` |" in register and f.waiver.issue in register


def test_junit_counts_match_the_results(seeded: dict[str, Any]) -> None:
    root = ET.fromstring(seeded["files"][JUNIT_FILE])
    statuses = [f.status for f in seeded["results"].findings]
    assert int(root.get("tests", "0")) >= len(statuses)
    assert int(root.get("failures", "0")) == statuses.count(Status.FAIL)
    assert int(root.get("errors", "0")) == statuses.count(Status.ERROR) + len(seeded["results"].gaps)


def test_no_secret_value_reaches_a_report(seeded: dict[str, Any]) -> None:
    for name, content in seeded["files"].items():
        assert "CANARY-" not in str(content), name
