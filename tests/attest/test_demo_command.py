"""`attest demo` end to end: the README's first Quick start line, on a temporary output folder."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> tuple[subprocess.CompletedProcess[str], Path]:
    out = tmp_path_factory.mktemp("demo") / "out"
    done = subprocess.run(
        [sys.executable, "-m", "attest", "demo", "--output", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    return done, out


def test_demo_writes_reports_snapshot_findings_and_a_verified_bundle(demo) -> None:
    done, out = demo
    assert done.returncode == 0, done.stderr
    for name in ("control-mapping.html", "control-mapping.md", "findings.html", "vendor-register.md",
                 "waiver-register.html", "oscal-assessment-results.json", "attest.sarif", "junit.xml",
                 "attest.ocsf.jsonl", "compliance-soc-2.csv", "compliance-hipaa.csv"):
        assert (out / "reports" / name).is_file(), name
    assert "(1 bundle(s) in the chain, 0 problem(s))" in done.stdout
    assert "verdict:   exit code 1" in done.stdout


def test_demo_renders_a_period_view_over_a_simulated_chain(demo) -> None:
    done, out = demo
    for name in ("period.md", "period.html", "period.csv", "period-changes.csv"):
        assert (out / "period" / name).is_file(), name
    text = (out / "period" / "period.md").read_text(encoding="utf-8")
    assert "| Nights with a verified bundle | 13 |" in text and "| Nights without evidence (gaps) | 1 |" in text
    assert "| `WVR-001` |" in text and "within the period" in text
    rotation = [line for line in text.splitlines() if line.startswith("| `ATL-SEC-002` |")]
    assert rotation and all("| 4 | 4 | no |" in line for line in rotation)
    assert "| Changes (CC8.1 population) | 1 |" in text
    assert "period/period.html" in done.stdout


def test_demo_tells_the_seeded_estates_truth(demo) -> None:
    _, out = demo
    findings = json.loads((out / "findings.json").read_text(encoding="utf-8"))["findings"]
    not_passing = {(f["rule_id"], f["status"]) for f in findings if f["status"] != "pass"}
    # the planted truths, plus two evidence gaps (errors, not passes): auditing the read-only key
    # cannot read, and CloudTrail's event history, which moto does not implement
    assert not_passing == {("ATL-CM-004", "fail"), ("ATL-DB-004", "waived"), ("ATL-SEC-001", "fail"),
                           ("ATL-DB-007", "error"), ("ATL-CM-008", "error")}
    audit = sorted(f["message"] for f in findings if f["rule_id"] == "ATL-DB-007")
    assert len(audit) == 2 and all("atlas:getGroupAuditLog" in m and "(access_denied)" in m for m in audit)
    controls = {c["control_id"]: c["status"] for c in json.loads((out / "findings.json").read_text(encoding="utf-8"))["controls"]}
    assert controls["HIPAA-164.312(b)"] == "error"
    assert controls["HIPAA-164.312(a)(2)(iv)"] == "pass"
    laptop = next(f for f in findings if f["rule_id"] == "ATL-DB-004" and f["status"] == "waived")
    assert laptop["resource_id"].endswith("/access_list_entry/203.0.113.45/32")
    legacy = next(f for f in findings if f["rule_id"] == "ATL-SEC-001" and f["status"] == "fail")
    assert ":secret:legacy/mongodb/uri-" in legacy["resource_id"]


def test_demo_leaves_no_canary_anywhere(demo) -> None:
    done, out = demo
    assert "CANARY-" not in done.stdout + done.stderr
    for path in out.rglob("*"):
        if path.is_file():
            assert b"CANARY-" not in path.read_bytes(), path


def test_a_second_demo_run_extends_the_chain(demo) -> None:
    _, out = demo
    again = subprocess.run(
        [sys.executable, "-m", "attest", "demo", "--output", str(out)],
        capture_output=True, text=True, timeout=300,
    )
    assert again.returncode == 0, again.stderr
    assert "(2 bundle(s) in the chain, 0 problem(s))" in again.stdout
