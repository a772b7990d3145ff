"""Our checkov checks and the chosen built-ins, run through the real checkov in .venv-checkov.

checkov takes seconds per run, so each fixture directory is scanned once per module and the
cases below read from that one report.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from attest.core.errors import BadInputError, EvaluationError
from attest.policies.findings import Status
from attest.policies.terraform.checkov_run import (
    CheckovSettings,
    CheckResult,
    _run_checkov,
    parse_report,
    run_terraform_checks,
)
from attest.policies.terraform.checkov_locate import locate_checkov
from attest.policies.terraform.mapping import load_mapping

FIXTURES = Path(__file__).parent / "fixtures"
CHECKS_FIXTURE = FIXTURES / "checks"
PROD_FIXTURE = FIXTURES / "prod"

pytestmark = pytest.mark.skipif(locate_checkov().path is None, reason="no checkov: run `make setup`")


@pytest.fixture(scope="module")
def check_results() -> dict[tuple[str, str], CheckResult]:
    report = _run_checkov(CHECKS_FIXTURE, CheckovSettings(), sorted(load_mapping().checks))
    return {(r.check_id, r.address): r for r in parse_report(report, CHECKS_FIXTURE)}


CASES = [
    ("CKV_ATTEST_1", "aws_secretsmanager_secret.pass_cmk_tagged", "pass"),
    ("CKV_ATTEST_1", "aws_secretsmanager_secret.fail_aws_managed_untagged", "fail"),
    ("CKV_ATTEST_1", "aws_secretsmanager_secret.fail_aws_alias_empty_tag", "fail"),
    ("CKV_AWS_149", "aws_secretsmanager_secret.pass_cmk_tagged", "pass"),
    ("CKV_AWS_149", "aws_secretsmanager_secret.fail_aws_managed_untagged", "fail"),
    ("CKV_ATTEST_9", "aws_secretsmanager_secret.pass_cmk_tagged", "pass"),
    ("CKV_ATTEST_9", "aws_secretsmanager_secret.fail_aws_managed_untagged", "fail"),
    ("CKV_ATTEST_9", "aws_secretsmanager_secret.fail_aws_alias_empty_tag", "fail"),
    ("CKV_ATTEST_2", "aws_kms_key.pass_rotates", "pass"),
    ("CKV_ATTEST_2", "aws_kms_key.fail_no_rotation", "fail"),
    ("CKV_ATTEST_2", "aws_kms_key.fail_rotation_too_slow", "fail"),
    ("CKV_AWS_7", "aws_kms_key.pass_rotates", "pass"),
    ("CKV_AWS_7", "aws_kms_key.fail_no_rotation", "fail"),
    ("CKV_ATTEST_3", "aws_security_group.pass_privatelink", "pass"),
    ("CKV_ATTEST_3", "aws_security_group.fail_privatelink_open", "fail"),
    ("CKV_ATTEST_3", "aws_security_group.fail_privatelink_ssh", "fail"),
    ("CKV_ATTEST_4", "aws_vpc_endpoint.pass_two_subnets", "pass"),
    ("CKV_ATTEST_4", "aws_vpc_endpoint.fail_one_subnet", "fail"),
    ("CKV_ATTEST_5", "aws_ecs_task_definition.pass_uri_in_secrets", "pass"),
    ("CKV_ATTEST_5", "aws_ecs_task_definition.fail_uri_in_environment", "fail"),
    ("CKV_ATTEST_5", "aws_ecs_task_definition.fail_password_in_environment", "fail"),
    ("CKV_ATTEST_21", "aws_security_group.fail_internet_to_mongodb", "fail"),
    ("CKV_ATTEST_21", "aws_security_group.pass_internet_https_only", "pass"),
    ("CKV_ATTEST_22", "aws_kms_key.fail_disabled", "fail"),
    ("CKV_ATTEST_22", "aws_kms_key.pass_rotates", "pass"),
    ("CKV_ATTEST_22", "aws_kms_key.error_enabled_unknown", "error"),
    ("CKV_ATTEST_7", "mongodbatlas_project_ip_access_list.pass_vpc", "pass"),
    ("CKV_ATTEST_7", "mongodbatlas_project_ip_access_list.fail_open_uncommented", "fail"),
    ("CKV_ATTEST_7", "mongodbatlas_project_ip_access_list.fail_suppressed_inline", "fail"),
    ("CKV_ATTEST_10", "mongodbatlas_project_ip_access_list.pass_vpc", "pass"),
    ("CKV_ATTEST_10", "mongodbatlas_project_ip_access_list.fail_open_uncommented", "fail"),
    ("CKV_ATTEST_8", "mongodbatlas_advanced_cluster.pass_tls12", "pass"),
    ("CKV_ATTEST_8", "mongodbatlas_advanced_cluster.fail_tls11", "fail"),
    ("CKV_ATTEST_8", "mongodbatlas_advanced_cluster.fail_tls_unset", "fail"),
    ("CKV_AWS_24", "aws_security_group.pass_web_only", "pass"),
    ("CKV_AWS_24", "aws_security_group.fail_ssh_ipv6", "fail"),
    ("CKV_ATTEST_11", "aws_security_group.pass_web_only", "pass"),
    ("CKV_ATTEST_11", "aws_security_group.fail_ssh_ipv6", "fail"),
    ("CKV_ATTEST_11", "aws_security_group_rule.fail_wide_range_half_internet", "fail"),
    ("CKV_ATTEST_11", "aws_vpc_security_group_ingress_rule.fail_all_ports", "fail"),
    ("CKV_ATTEST_11", "aws_security_group.error_ssh_from_variable", "error"),
    ("CKV_AWS_277", "aws_security_group.fail_all_ports_inline", "fail"),
    ("CKV_AWS_277", "aws_security_group.pass_web_only", "pass"),
    ("CKV_AWS_25", "aws_security_group.fail_all_ports_inline", "fail"),
    ("CKV_AWS_232", "aws_network_acl_rule.fail_ssh_from_internet", "fail"),
    ("CKV_AWS_231", "aws_network_acl_rule.pass_https_from_internet", "pass"),
    ("CKV_ATTEST_12", "aws_network_acl.pass_denies_first", "pass"),
    ("CKV_ATTEST_12", "aws_network_acl.fail_allow_before_deny", "fail"),
    ("CKV_ATTEST_12", "aws_network_acl_rule.fail_mongodb_from_internet", "fail"),
    ("CKV_ATTEST_12", "aws_network_acl_rule.pass_https_from_internet", "pass"),
    ("CKV_ATTEST_12", "aws_network_acl_rule.error_mongodb_from_variable", "error"),
    ("CKV_AWS_67", "aws_cloudtrail.pass_all_regions_validated", "pass"),
    ("CKV_AWS_67", "aws_cloudtrail.fail_one_region_unvalidated", "fail"),
    ("CKV_AWS_36", "aws_cloudtrail.pass_all_regions_validated", "pass"),
    ("CKV_AWS_36", "aws_cloudtrail.fail_one_region_unvalidated", "fail"),
    ("CKV2_AWS_45", "aws_config_configuration_recorder_status.pass_on", "pass"),
    ("CKV2_AWS_45", "aws_config_configuration_recorder_status.fail_off", "fail"),
    ("CKV_AWS_2", "aws_lb_listener.pass_https_tls12", "pass"),
    ("CKV_AWS_2", "aws_lb_listener.fail_plain_http", "fail"),
    ("CKV_AWS_103", "aws_lb_listener.pass_https_tls12", "pass"),
    ("CKV_AWS_103", "aws_lb_listener.fail_https_tls10", "fail"),
    ("CKV_AWS_34", "aws_cloudfront_distribution.pass_https_tls12", "pass"),
    ("CKV_AWS_34", "aws_cloudfront_distribution.fail_allow_all_tls1", "fail"),
    ("CKV_AWS_174", "aws_cloudfront_distribution.pass_https_tls12", "pass"),
    ("CKV_AWS_174", "aws_cloudfront_distribution.fail_allow_all_tls1", "fail"),
    ("CKV_ATTEST_13", "mongodbatlas_encryption_at_rest.pass_aws_kms", "pass"),
    ("CKV_ATTEST_13", "mongodbatlas_encryption_at_rest.fail_disabled", "fail"),
    ("CKV_ATTEST_14", "mongodbatlas_auditing.pass_on", "pass"),
    ("CKV_ATTEST_14", "mongodbatlas_auditing.fail_off", "fail"),
    ("CKV_ATTEST_14", "mongodbatlas_auditing.error_enabled_unknown", "error"),
    ("CKV_ATTEST_15", "mongodbatlas_organization.pass_strict", "pass"),
    ("CKV_ATTEST_15", "mongodbatlas_organization.fail_no_mfa", "fail"),
    ("CKV_ATTEST_15", "mongodbatlas_organization_settings.fail_no_api_access_list", "fail"),
]


@pytest.mark.parametrize(("check_id", "address", "expected"), CASES)
def test_check_on_fixture(check_results, check_id: str, address: str, expected: str) -> None:
    assert check_results[(check_id, address)].status.value == expected


def test_checks_do_not_judge_resources_outside_their_concern(check_results) -> None:
    """A group that is not the PrivateLink one is not CKV_ATTEST_3's business: no result at all."""
    assert ("CKV_ATTEST_3", "aws_security_group.pass_internet_https_only") not in check_results
    assert ("CKV_ATTEST_3", "aws_security_group.pass_privatelink") in check_results


def test_a_check_that_cannot_decide_is_an_error_saying_why(check_results) -> None:
    result = check_results[("CKV_ATTEST_22", "aws_kms_key.error_enabled_unknown")]
    assert result.status is Status.ERROR
    assert result.sentence.startswith("cannot tell: is_enabled") and "not a boolean" in result.sentence


def test_a_failure_says_what_is_wrong_in_the_operators_words(check_results) -> None:
    result = check_results[("CKV_ATTEST_21", "aws_security_group.fail_internet_to_mongodb")]
    assert result.sentence == "ingress admits 0.0.0.0/0 (the internet) to ports 27017-27017, which include MongoDB's 27015-27017"


@pytest.mark.parametrize(("check_id", "address", "sentence"), [
    ("CKV_ATTEST_11", "aws_security_group.fail_ssh_ipv6", "ingress admits ::/0 (the internet) to ports 22-22, not only 80 or 443"),
    ("CKV_ATTEST_11", "aws_security_group.error_ssh_from_variable", "cannot tell: ingress to ports 22-22 from var.admin_cidr"),
    ("CKV_ATTEST_12", "aws_network_acl.fail_allow_before_deny", "admits the internet to ports 0-65535, which include database ports 27015-27017"),
    ("CKV_ATTEST_12", "aws_network_acl_rule.error_mongodb_from_variable", "cannot tell: rule 120 allows a source"),
    ("CKV_ATTEST_13", "mongodbatlas_encryption_at_rest.fail_disabled", "enables no customer-managed key provider"),
    ("CKV_ATTEST_14", "mongodbatlas_auditing.error_enabled_unknown", "cannot tell: enabled"),
    ("CKV_ATTEST_15", "mongodbatlas_organization_settings.fail_no_api_access_list", "does not set api_access_list_required = true"),
])
def test_new_checks_say_why_in_the_operators_words(check_results, check_id: str, address: str, sentence: str) -> None:
    assert check_results[(check_id, address)].sentence.startswith(sentence)


def test_inline_suppression_is_a_failure_that_says_so(check_results) -> None:
    result = check_results[("CKV_ATTEST_7", "mongodbatlas_project_ip_access_list.fail_suppressed_inline")]
    assert result.status is Status.FAIL
    assert "checkov:skip" in result.note


def test_every_mapped_check_is_exercised(check_results) -> None:
    exercised = {check for check, _ in check_results}
    assert exercised == set(load_mapping().checks)


PROD_EXPECTED = [
    ("ATL-DB-001", "mongodbatlas_advanced_cluster.prod", "atlas.tf:9"),
    ("ATL-DB-001", "mongodbatlas_advanced_cluster.reference", "atlas.tf:31"),
    ("ATL-DB-002", "mongodbatlas_project_ip_access_list.prod_vpc", "atlas.tf:70"),
    ("ATL-DB-002", "mongodbatlas_project_ip_access_list.reference_ci", "atlas.tf:82"),
    ("ATL-DB-002", "mongodbatlas_project_ip_access_list.reference_jdoe_laptop", "atlas.tf:88"),
    ("ATL-DB-002", "mongodbatlas_project_ip_access_list.reference_vpc", "atlas.tf:76"),
    ("ATL-DB-003", "mongodbatlas_project_ip_access_list.prod_vpc", "atlas.tf:70"),
    ("ATL-DB-003", "mongodbatlas_project_ip_access_list.reference_ci", "atlas.tf:82"),
    ("ATL-DB-003", "mongodbatlas_project_ip_access_list.reference_jdoe_laptop", "atlas.tf:88"),
    ("ATL-DB-003", "mongodbatlas_project_ip_access_list.reference_vpc", "atlas.tf:76"),
    ("ATL-ECS-001", "module.shopping_app.aws_ecs_task_definition.this", "modules/ecs_task/main.tf:21"),
    ("ATL-NET-001", "aws_security_group.atlas_privatelink", "network.tf:26"),
    ("ATL-NET-002", "aws_security_group.app_tasks", "network.tf:65"),
    ("ATL-NET-002", "aws_security_group.atlas_privatelink", "network.tf:26"),
    ("ATL-NET-002", "aws_security_group.web_alb", "network.tf:40"),
    ("ATL-NET-003", "aws_security_group.app_tasks", "network.tf:65"),
    ("ATL-NET-003", "aws_security_group.atlas_privatelink", "network.tf:26"),
    ("ATL-NET-003", "aws_security_group.web_alb", "network.tf:40"),
    ("ATL-NET-004", "aws_security_group.app_tasks", "network.tf:65"),
    ("ATL-NET-004", "aws_security_group.atlas_privatelink", "network.tf:26"),
    ("ATL-NET-004", "aws_security_group.web_alb", "network.tf:40"),
    ("ATL-PL-004", "aws_vpc_endpoint.atlas_reference", "network.tf:79"),
    ("ATL-SEC-001", "aws_secretsmanager_secret.prod_uri", "secrets.tf:1"),
    ("ATL-SEC-001", "aws_secretsmanager_secret.reference_uri", "secrets.tf:9"),
    ("ATL-SEC-002", "aws_kms_key.prod_mongodb", "kms.tf:1"),
    ("ATL-SEC-003", "aws_kms_key.prod_mongodb", "kms.tf:1"),
    ("ATL-SEC-005", "aws_secretsmanager_secret.prod_uri", "secrets.tf:1"),
    ("ATL-SEC-005", "aws_secretsmanager_secret.reference_uri", "secrets.tf:9"),
]


def test_prod_fixture_gives_the_expected_table() -> None:
    findings = run_terraform_checks(PROD_FIXTURE)
    table = [(f.rule_id, f.resource_id, f.evidence, f.status.value, f.plane) for f in findings]
    assert table == [
        (rule, address, f"tests/policies/terraform/fixtures/prod/{where}", "pass", "terraform")
        for rule, address, where in PROD_EXPECTED
    ]
    rules = load_mapping().rules
    for finding in findings:
        assert finding.controls == rules[finding.rule_id].controls
        assert finding.severity == rules[finding.rule_id].severity
    merged = {f.rule_id: f.message for f in findings if f.resource_id == "aws_secretsmanager_secret.prod_uri"}
    assert merged["ATL-SEC-001"] == (
        "aws_secretsmanager_secret.prod_uri (tests/policies/terraform/fixtures/prod/secrets.tf:1) is encrypted with "
        "aws_kms_key.prod_mongodb.arn; meets checkov CKV_AWS_149: Ensure that Secrets Manager secret is encrypted "
        "using KMS CMK")


def test_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    (tmp_path / "ok.tf").write_text('resource "aws_kms_key" "k" {\n  enable_key_rotation = true\n}\n')
    (tmp_path / "broken.tf").write_text('resource "aws_kms_key" "k2" {\n  description = "x"\n  enable_key_rotation =\n}\n')
    with pytest.raises(BadInputError) as caught:
        run_terraform_checks(tmp_path)
    assert caught.value.exit_code == 2
    assert caught.value.where == f"{(tmp_path / 'broken.tf').as_posix()}:3"


def test_missing_checkov_environment_is_an_error_with_the_fix(tmp_path: Path) -> None:
    settings = CheckovSettings(checkov=tmp_path / "no-venv" / "bin" / "checkov")
    with pytest.raises(EvaluationError) as caught:
        run_terraform_checks(PROD_FIXTURE, settings)
    assert caught.value.exit_code == 3
    assert "make setup" in caught.value.diagnostic()


def test_a_check_that_does_not_load_stops_the_run(tmp_path: Path) -> None:
    checks = tmp_path / "checks"
    shutil.copytree(CheckovSettings().checks_dir, checks, ignore=shutil.ignore_patterns("__pycache__"))
    (checks / "attest_broken.py").write_text("import no_such_module_anywhere\n")
    with pytest.raises(EvaluationError, match="could not load a check"):
        run_terraform_checks(PROD_FIXTURE / "modules" / "ecs_task", CheckovSettings(checks_dir=checks))


def test_mapping_onto_an_unknown_rule_is_bad_input(tmp_path: Path) -> None:
    mapping = tmp_path / "mapping.yaml"
    mapping.write_text("checks:\n  CKV_ATTEST_1: ATL-SEC-001\n  CKV_ATTEST_2: NO-SUCH-RULE\n")
    with pytest.raises(BadInputError) as caught:
        load_mapping(mapping)
    assert caught.value.where == f"{mapping}:3"
