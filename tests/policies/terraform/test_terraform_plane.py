"""`attest check --terraform`: checkov and drift findings beside the live ones, waivable, exit codes."""
from __future__ import annotations

import json
import re
from datetime import datetime, timezone
from pathlib import Path

import pytest

from attest.cli import main
from attest.collector.config import load_config
from attest.collector.run import collect
from attest.policies.rule_loader import POLICIES_DIR
from attest.policies.terraform.checkov_locate import locate_checkov
from attest.sandbox.local import LocalEstate

pytestmark = [
    pytest.mark.integration,
    pytest.mark.skipif(locate_checkov().path is None, reason="no checkov: run `make setup`"),
]
PROD = Path(__file__).parent / "fixtures" / "prod"
LOCAL_CONFIG = Path(__file__).resolve().parents[3] / "sandbox" / "attest.local.yaml"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
TASK_REVISION = "arn:aws:ecs:us-east-1:123456789012:task-definition/shopping-app:2"
PROD_URI = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/mongodb/uri-"
ACCESS = ("mongodbatlas_project_ip_access_list.prod_vpc", "mongodbatlas_project_ip_access_list.reference_ci",
          "mongodbatlas_project_ip_access_list.reference_jdoe_laptop", "mongodbatlas_project_ip_access_list.reference_vpc")
SECRETS = ("aws_secretsmanager_secret.prod_uri", "aws_secretsmanager_secret.reference_uri")
UNDECLARED = ("arn:aws:ecs:us-east-1:123456789012:task-definition/shopping-app:2",
              "atlas:6a7000000000000000000002/database_user/admin/app_read_staging",
              "atlas:6a7000000000000000000002/endpoint_service/6a70000000000000000000e1",
              "atlas:6a7000000000000000000002/interface_endpoint/vpce-*")
DECLARED = ("arn:aws:ec2:us-east-1:123456789012:security-group/sg-*",
            "arn:aws:ec2:us-east-1:123456789012:security-group/sg-*",
            "arn:aws:ec2:us-east-1:123456789012:security-group/sg-*",
            "arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/vpce-*",
            "arn:aws:kms:us-east-1:123456789012:key/*",
            "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/mongodb/reference-uri-*",
            PROD_URI + "*",
            "atlas:6a7000000000000000000001/access_list_entry/10.20.0.0/16",
            "atlas:6a7000000000000000000001/cluster/prod-cluster",
            "atlas:6a7000000000000000000001/database_user/admin/app_prod",
            "atlas:6a7000000000000000000002/access_list_entry/10.20.0.0/16",
            "atlas:6a7000000000000000000002/access_list_entry/198.51.100.0/28",
            "atlas:6a7000000000000000000002/access_list_entry/203.0.113.45/32",
            "atlas:6a7000000000000000000002/cluster/reference-cluster")
# moto makes up these ids (a secret ARN's suffix, sg-, vpce- and key ids), so the table masks them.
RANDOM_IDS = re.compile(r"(?<=secret:prod/mongodb/)([\w-]+-)\w{6}$|(?:(?<=/sg-)|(?<=/vpce-))[0-9a-f]+$|(?<=key/)[0-9a-f-]+")
EXPECTED_TERRAFORM = [
    ("ATL-DB-001", "pass", "mongodbatlas_advanced_cluster.prod"),
    ("ATL-DB-001", "pass", "mongodbatlas_advanced_cluster.reference"),
    *(("ATL-DB-002", "pass", a) for a in ACCESS),
    # the laptop's entry is outside the approved ranges: waived through the live entry it declares
    *(("ATL-DB-004", "waived" if "laptop" in a else "pass", a) for a in ACCESS),
    *(("ATL-DRIFT-003", "pass", a) for a in (*ACCESS, *SECRETS, "aws_kms_key.prod_mongodb",
                                             "aws_security_group.app_tasks", "aws_security_group.atlas_privatelink",
                                             "aws_security_group.web_alb", "aws_vpc_endpoint.atlas_reference", "mongodbatlas_advanced_cluster.prod",
                                             "mongodbatlas_advanced_cluster.reference",
                                             "mongodbatlas_database_user.app_prod")),
    *(("ATL-DB-003", "pass", a) for a in ACCESS),
    *(("ATL-DRIFT-001", "fail", r) for r in UNDECLARED),
    *(("ATL-DRIFT-001", "pass", r) for r in DECLARED),
    ("ATL-ECS-001", "pass", "module.shopping_app.aws_ecs_task_definition.this"),
    ("ATL-NET-001", "pass", "aws_security_group.atlas_privatelink"),
    ("ATL-NET-002", "pass", "aws_security_group.app_tasks"),
    ("ATL-NET-002", "pass", "aws_security_group.atlas_privatelink"),
    ("ATL-NET-002", "pass", "aws_security_group.web_alb"),
    ("ATL-NET-003", "pass", "aws_security_group.app_tasks"),
    ("ATL-NET-003", "pass", "aws_security_group.atlas_privatelink"),
    ("ATL-NET-003", "pass", "aws_security_group.web_alb"),
    ("ATL-NET-004", "pass", "aws_security_group.app_tasks"),
    ("ATL-NET-004", "pass", "aws_security_group.atlas_privatelink"),
    ("ATL-NET-004", "pass", "aws_security_group.web_alb"),
    ("ATL-SEC-003", "pass", "aws_kms_key.prod_mongodb"),
    *(("ATL-SEC-004", "pass", s) for s in SECRETS),
    ("ATL-PL-004", "pass", "aws_vpc_endpoint.atlas_reference"),
    *(("ATL-SEC-001", "pass", s) for s in SECRETS),
    ("ATL-SEC-002", "pass", "aws_kms_key.prod_mongodb"),
    *(("ATL-SEC-005", "pass", s) for s in SECRETS),
]


@pytest.fixture(scope="module")
def snapshot_file(_default_estate_session: LocalEstate, tmp_path_factory: pytest.TempPathFactory) -> Path:
    _default_estate_session.aws_faults.clear()
    snapshot = collect(load_config(LOCAL_CONFIG), {**_default_estate_session.env, "ATTEST_REDACTION_SALT": "t"},
                       now=lambda: NOW)
    path = tmp_path_factory.mktemp("snap") / "snapshot.json"
    path.write_text(snapshot.to_json())
    return path


def _check(snapshot: Path, out: Path, *extra: str) -> tuple[int, dict]:
    code = main(["check", "--snapshot", str(snapshot), "--config", str(LOCAL_CONFIG), "--format", "json",
                 "--output", str(out), "--terraform", str(PROD), *extra])
    return code, json.loads(out.read_text())


def test_terraform_findings_sit_beside_live_ones_on_the_same_rules(snapshot_file: Path, tmp_path: Path) -> None:
    code, results = _check(snapshot_file, tmp_path / "r.json")
    assert code == 1
    assert "CANARY-" not in (tmp_path / "r.json").read_text()
    drift = sorted(f["resource_id"] for f in results["findings"]
                   if f["rule_id"] == "ATL-DRIFT-001" and f["status"] == "fail")
    assert len(drift) == 4 and TASK_REVISION in drift
    cmk = [(f["plane"], f["status"], f["resource_id"]) for f in results["findings"] if f["rule_id"] == "ATL-SEC-001"]
    assert ("terraform", "pass", "aws_secretsmanager_secret.prod_uri") in cmk
    assert any(plane == "live" and status == "fail" and "legacy/mongodb/uri" in rid for plane, status, rid in cmk)
    cc81 = next(c for c in results["controls"] if c["control_id"] == "SOC2-CC8.1")
    assert cc81["status"] == "fail"
    assert {"ATL-DRIFT-001", "ATL-DRIFT-002", "ATL-DRIFT-003", "ATL-CHG-001"} <= {m["rule_id"] for m in cc81["mappings"]}


def _masked(resource_id: str) -> str:
    return RANDOM_IDS.sub(lambda m: f"{m.group(1)}*" if m.group(1) else "*", resource_id)


def test_the_terraform_plane_gives_exactly_the_expected_table(snapshot_file: Path, tmp_path: Path) -> None:
    _, results = _check(snapshot_file, tmp_path / "r.json")
    table = [(f["rule_id"], f["status"], _masked(f["resource_id"])) for f in results["findings"]
             if f["plane"] == "terraform"]
    assert sorted(table) == sorted(EXPECTED_TERRAFORM)


def test_one_rule_links_the_declared_secret_and_the_live_one(snapshot_file: Path, tmp_path: Path) -> None:
    _, results = _check(snapshot_file, tmp_path / "r.json")
    sec = {(f["plane"], f["resource_id"]): f["related"] for f in results["findings"] if f["rule_id"] == "ATL-SEC-001"}
    (live_arn,) = sec[("terraform", "aws_secretsmanager_secret.prod_uri")]
    assert live_arn.startswith(PROD_URI)
    assert sec[("live", live_arn)] == [
        "aws_secretsmanager_secret.prod_uri (tests/policies/terraform/fixtures/prod/secrets.tf:1)"]


def test_a_live_finding_links_only_when_its_rule_also_ran_on_the_declaration(snapshot_file: Path,
                                                                               tmp_path: Path) -> None:
    _, results = _check(snapshot_file, tmp_path / "r.json")
    terraform = {(f["rule_id"], f["resource_id"]) for f in results["findings"] if f["plane"] == "terraform"}
    linked = [f for f in results["findings"] if f["plane"] == "live" and f["related"]]
    assert linked
    for finding in linked:
        assert all((finding["rule_id"], label.split(" (")[0]) in terraform for label in finding["related"])
    legacy = [f for f in results["findings"] if f["plane"] == "live" and "legacy/mongodb/uri" in (f["resource_id"] or "")]
    assert legacy and all(f["related"] == [] for f in legacy)


def test_a_waiver_covers_a_drift_finding(snapshot_file: Path, tmp_path: Path) -> None:
    waivers = tmp_path / "waivers.yaml"
    waivers.write_text((POLICIES_DIR / "waivers.yaml").read_text() + (
        "  - id: WVR-TF-1\n"
        "    rule: ATL-DRIFT-001\n"
        f"    resource: \"{TASK_REVISION}\"\n"
        "    reason: registered by hand until the next deploy\n"
        "    owner: ops@healthshop.example\n"
        "    issue: ENG-501\n"
        "    approved_by: security@healthshop.example\n"
        "    expires: \"2026-04-30\"\n"))
    _, results = _check(snapshot_file, tmp_path / "r.json", "--waivers", str(waivers))
    (finding,) = [f for f in results["findings"] if f["rule_id"] == "ATL-DRIFT-001" and f["resource_id"] == TASK_REVISION]
    assert finding["status"] == "waived" and finding["waiver"]["id"] == "WVR-TF-1"


def test_syntax_error_names_file_and_line_and_exits_2(snapshot_file: Path, tmp_path: Path,
                                                     capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_kms_key" "k" {\n  enable_key_rotation = \n}\n')
    code = main(["check", "--snapshot", str(snapshot_file), "--config", str(LOCAL_CONFIG), "--terraform", str(tmp_path)])
    assert code == 2
    assert f"{(tmp_path / 'main.tf').as_posix()}:2" in capsys.readouterr().err


def test_state_without_directory_is_a_usage_error(snapshot_file: Path, tmp_path: Path) -> None:
    code = main(["check", "--snapshot", str(snapshot_file), "--config", str(LOCAL_CONFIG),
                 "--terraform-state", str(tmp_path / "s.json")])
    assert code == 2
