"""AccessDenied on Secrets Manager, end to end through the CLI: collect, check (exit 3), and the
rendered reports say what could not be evaluated and why."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from attest.cli import main
from attest.collector.snapshot import load_snapshot
from fault_helpers import BASE_ENV, LOCAL_CONFIG, check, config
from attest.reports.render import render_all
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate

pytestmark = pytest.mark.integration
SECRET_RULES = ("ATL-SEC-001", "ATL-SEC-002", "ATL-SEC-003", "ATL-SEC-004", "ATL-SEC-005")


def test_denied_service_is_a_gap_exit_3_and_the_report_says_why(
    clean_estate: LocalEstate, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name, value in {**clean_estate.env, **BASE_ENV}.items():
        monkeypatch.setenv(name, value)
    clean_estate.aws_faults.set([FaultRule(service="secretsmanager", kind="access_denied")])
    snapshot_file, findings_file = tmp_path / "snapshot.json", tmp_path / "findings.json"

    assert main(["collect", "--config", str(LOCAL_CONFIG), "--output", str(snapshot_file)]) == 0
    code = main(["check", "--snapshot", str(snapshot_file), "--config", str(LOCAL_CONFIG),
                 "--format", "json", "--output", str(findings_file)])
    assert code == 3
    capsys.readouterr()

    snapshot = load_snapshot(str(snapshot_file))
    types = {r.type for r in snapshot.resources}
    assert "aws.secretsmanager.secret" not in types
    assert {"aws.kms.key", "aws.ec2.vpc_endpoint", "aws.ecs.service", "atlas.cluster"} <= types
    findings = json.loads(findings_file.read_text())["findings"]
    for rule in SECRET_RULES:
        assert {f["status"] for f in findings if f["rule_id"] == rule} == {"error"}, rule
    hidden = [f for f in findings if f["rule_id"] == "ATL-CM-005" and f["status"] != "pass"]
    assert hidden and {f["status"] for f in hidden} == {"error"}      # the declared secrets cannot be confirmed
    # the local estate's standing gaps: the read-only key cannot read auditLog (ATL-DB-007), moto keeps
    # no CloudTrail event history (ATL-CM-008); both are errors on every local run, denied or not
    standing = {"ATL-DB-007", "ATL-CM-008"}
    assert {f["status"] for f in findings if f["rule_id"] in standing} == {"error"}
    others = {f["status"] for f in findings
              if not f["rule_id"].startswith("ATL-SEC-") and f["rule_id"] not in {"ATL-CM-005", *standing}}
    assert others <= {"pass", "waived"}

    reports = render_all(check(snapshot), snapshot, config(), bundle=None)
    findings_md, mapping_md = str(reports["findings.md"]), str(reports["control-mapping.md"])
    gap_row = next(line for line in findings_md.splitlines() if "secretsmanager:ListSecrets" in line and line.startswith("|"))
    assert "access_denied" in gap_row and "not authorized" in gap_row
    for rule in SECRET_RULES:
        assert f"`{rule}` | could not evaluate |" in findings_md, rule
    assert "evidence incomplete: secretsmanager:ListSecrets could not be read in 123456789012/us-east-1 (access_denied)" in findings_md
    assert "could not evaluate" in mapping_md
