"""The hand-written clinic estate (clinic.yaml, clinic.py) through check and report: access lists
judged by ranges, and sources that could not be read shown in every output and per control."""
from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

import clinic
from attest.cli import main
from attest.collector.config import load_config
from attest.collector.snapshot import snapshot_from_dict
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.rule_loader import load_policy_set

DOCUMENT_PAGES = ("control-mapping", "findings", "vendor-register", "waiver-register")


def _judge(doc: dict[str, Any], config_text: str | None = None, tmp: Path | None = None) -> Results:
    config_path = clinic.CONFIG
    if config_text is not None and tmp is not None:
        config_path = tmp / "attest.yaml"
        config_path.write_text(config_text, encoding="utf-8")
    return evaluate(snapshot_from_dict(doc, "clinic"), load_config(config_path), load_policy_set(), ())


def _statuses(results: Results, rule_id: str) -> dict[str, Status]:
    return {f.resource_id or f.evidence: f.status for f in results.findings if f.rule_id == rule_id}


def _write(tmp: Path, name: str, doc: dict[str, Any]) -> str:
    path = tmp / name
    path.write_text(json.dumps(doc), encoding="utf-8")
    return str(path)


# --- point 4: access lists judged by ranges ---------------------------------------------------

def test_entries_inside_a_declared_range_pass_and_one_outside_fails() -> None:
    cm3 = _statuses(_judge(clinic.snapshot_doc(gaps=False)), "ATL-CM-003")
    sites = {f"atlas:{clinic.CLAIMS}/access_list_entry/{cidr}" for cidr in clinic.SITES}
    assert len(sites) == 130 and all(cm3[s] is Status.PASS for s in sites)
    assert cm3[f"atlas:{clinic.CLAIMS}/access_list_entry/{clinic.STRAY}"] is Status.FAIL
    assert cm3[f"atlas:{clinic.CLAIMS}/access_list_entry/10.40.0.0/16"] is Status.PASS  # listed exactly


def test_without_the_range_every_site_entry_fails(tmp_path: Path) -> None:
    text = clinic.CONFIG.read_text(encoding="utf-8").replace("      access_ranges: [100.64.0.0/24]", "")
    cm3 = _statuses(_judge(clinic.snapshot_doc(gaps=False), text, tmp_path), "ATL-CM-003")
    assert sum(1 for s in cm3.values() if s is Status.FAIL) == 131


def test_a_range_of_the_other_project_does_not_cover_this_one(tmp_path: Path) -> None:
    doc = clinic.snapshot_doc(gaps=False, stray=False)
    site = copy.deepcopy(next(r for r in doc["resources"] if r["id"].endswith("/100.64.0.7/32")))
    site["id"] = site["id"].replace(clinic.CLAIMS, clinic.FORMULARY)
    site["scope"] = site["attributes"]["groupId"] = clinic.FORMULARY
    doc["resources"].append(site)
    cm3 = _statuses(_judge(doc), "ATL-CM-003")
    assert cm3[f"atlas:{clinic.FORMULARY}/access_list_entry/100.64.0.7/32"] is Status.FAIL


def test_a_range_need_not_exist_live_but_an_exact_entry_must(tmp_path: Path) -> None:
    results = _judge(clinic.snapshot_doc(gaps=False, stray=False))
    assert _statuses(results, "ATL-CM-005") and Status.FAIL not in _statuses(results, "ATL-CM-005").values()
    doc = clinic.snapshot_doc(gaps=False, stray=False)
    doc["resources"] = [r for r in doc["resources"] if r["id"] != f"atlas:{clinic.CLAIMS}/access_list_entry/10.40.0.0/16"]
    missing = _statuses(_judge(doc), "ATL-CM-005")
    assert missing["declared:access_list_entry/claims/10.40.0.0/16"] is Status.FAIL


# --- point 5: gaps visible where people look --------------------------------------------------

def test_a_gap_a_control_rests_on_makes_it_error_and_exits_3() -> None:
    results = _judge(clinic.snapshot_doc(stray=False))
    controls = {c.control_id: c for c in results.controls}
    assert controls["SOC2-CC8.1"].status is Status.ERROR and controls["SOC2-CC8.1"].scope_limitations == ("/gaps/0",)
    assert controls["SOC2-CC6.7"].status is Status.ERROR and controls["SOC2-CC6.7"].scope_limitations == ("/gaps/1",)
    assert controls["SOC2-CC6.6"].status is Status.PASS and not controls["SOC2-CC6.6"].scope_limitations
    assert results.exit_code() == 3
    assert [g["controls"] for g in results.gaps] == [["HIPAA-164.312(b)", "SOC2-CC8.1"], ["SOC2-CC6.7"]]
    assert results.gaps[1]["label"].startswith("API version mismatch") and "malformed" not in results.gaps[1]["label"]


def test_without_the_gaps_the_same_estate_passes() -> None:
    results = _judge(clinic.snapshot_doc(gaps=False, stray=False))
    assert {c.status for c in results.controls} == {Status.PASS} and results.exit_code() == 0


def test_a_gap_no_control_rests_on_is_still_listed_and_exits_3() -> None:
    doc = clinic.snapshot_doc(gaps=False, stray=False)
    doc["gaps"] = [{"provider": "aws", "operation": "ecs:ListClusters", "scope": "456789012345", "region": "eu-west-1",
                    "reason": "throttled", "detail": "Throttling", "resource_types": ["aws.ecs.cluster"]}]
    results = _judge(doc)
    assert results.gaps[0]["controls"] == [] and not any(c.scope_limitations for c in results.controls)
    assert {c.status for c in results.controls} == {Status.PASS} and results.exit_code() == 3


@pytest.fixture
def clinic_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, str]:
    snapshot = _write(tmp_path, "snapshot.json", clinic.snapshot_doc(stray=False))
    findings = str(tmp_path / "findings.json")
    code = main(["check", "--snapshot", snapshot, "--config", str(clinic.CONFIG), "--format", "json", "-o", findings])
    assert code == 3
    text_code = main(["check", "--snapshot", snapshot, "--config", str(clinic.CONFIG)])
    return {"snapshot": snapshot, "findings": findings, "text": capsys.readouterr().out, "text_code": str(text_code),
            "out": str(tmp_path / "reports")}


def test_text_output_lists_every_gap_and_each_control_limit(clinic_files: dict[str, str]) -> None:
    text = clinic_files["text"]
    assert clinic_files["text_code"] == "3"
    assert "GAP     /gaps/0 atlas:getGroupAuditLog in 6c2000000000000000000011: access denied" in text
    assert "GAP     /gaps/1 atlas:listGroupCustomDbRoleRoles in 6c2000000000000000000012: API version mismatch" in text
    assert "SOC2-CC8.1: ERROR (146 pass; 1 attestation(s); scope limited by /gaps/0)" in text


def test_every_output_lists_every_gap(clinic_files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["report", clinic_files["findings"], "--snapshot", clinic_files["snapshot"], "--config", str(clinic.CONFIG),
                 "--output", clinic_files["out"]])
    assert code == 0
    out = Path(clinic_files["out"])
    for name in [f"{p}.{ext}" for p in DOCUMENT_PAGES for ext in ("md", "html")] + ["github-step-summary.md", "junit.xml",
                                                                                  "attest.sarif", "oscal-assessment-results.json",
                                                                                  "attest.ocsf.jsonl"]:
        content = (out / name).read_text(encoding="utf-8")
        for operation in ("atlas:getGroupAuditLog", "atlas:listGroupCustomDbRoleRoles"):
            assert operation in content, (name, operation)
    mapping = (out / "control-mapping.md").read_text(encoding="utf-8")
    cc81 = mapping.split("## SOC2-CC8.1:")[1]
    assert "### Scope limitations" in cc81 and "atlas:getGroupAuditLog" in cc81.split("### Manual attestations")[0]
    cc66 = mapping.split("## SOC2-CC6.6:")[1].split("## SOC2-CC6.7:")[0]
    assert "### Scope limitations" not in cc66


def test_oscal_relates_each_gap_to_the_controls_resting_on_it(clinic_files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    main(["report", clinic_files["findings"], "--snapshot", clinic_files["snapshot"], "--format", "oscal"])
    result = json.loads(capsys.readouterr().out)["assessment-results"]["results"][0]
    gap_obs = {o["uuid"]: o for o in result["observations"] if o["title"].startswith("Scope limitation")}
    assert len(gap_obs) == 2
    by_control = {f["title"].split(":")[0]: f for f in result["findings"]}
    related = {r["observation-uuid"] for r in by_control["SOC2-CC8.1"]["related-observations"]}
    assert any("getGroupAuditLog" in gap_obs[u]["title"] for u in related & set(gap_obs))
    assert by_control["SOC2-CC8.1"]["target"]["status"]["state"] == "not-satisfied"


# --- point 8: the config the findings were computed with -------------------------------------

def test_report_refuses_another_config_unless_forced(clinic_files: dict[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    other = str(Path(__file__).resolve().parents[2] / "sandbox" / "attest.local.yaml")
    argv = ["report", clinic_files["findings"], "--snapshot", clinic_files["snapshot"], "--config", other]
    capsys.readouterr()
    assert main([*argv, "--format", "summary"]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{clinic_files['findings']}#/config_digest: the findings were computed with" in err
    assert "--force-config" in err
    assert main([*argv, "--force-config", "--output", clinic_files["out"]]) == 0
    out = Path(clinic_files["out"])
    for page in [f"{p}.{ext}" for p in DOCUMENT_PAGES for ext in ("md", "html")] + ["github-step-summary.md"]:
        assert f"Rendered with estate config {other}" in (out / page).read_text(encoding="utf-8"), page
    oscal = json.loads((out / "oscal-assessment-results.json").read_text(encoding="utf-8"))
    assert "Rendered with estate config" in oscal["assessment-results"]["results"][0]["remarks"]


def test_report_with_the_same_config_says_nothing_of_it(clinic_files: dict[str, str]) -> None:
    assert main(["report", clinic_files["findings"], "--snapshot", clinic_files["snapshot"], "--config", str(clinic.CONFIG),
                 "--output", clinic_files["out"]]) == 0
    assert "Rendered with estate config" not in (Path(clinic_files["out"]) / "findings.md").read_text(encoding="utf-8")
