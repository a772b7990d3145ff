"""Drift between the fixture Terraform and live state: the seeded local estate, and small snapshots
built by hand for each kind of difference."""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from attest.collector.config import load_config
from attest.core.errors import BadInputError
from attest.collector.run import collect
from attest.collector.snapshot import Gap, Identity, Resource, Snapshot
from attest.policies.findings import Status
from attest.policies.terraform.drift import detect_drift
from attest.policies.terraform.hcl import load_directory
from attest.policies.terraform.state import load_show_json, overlay
from attest.sandbox.local import LocalEstate

PROD = Path(__file__).parent / "fixtures" / "prod"
SHOWN = "tests/policies/terraform/fixtures/prod"  # evidence paths are relative to the repository root
LOCAL_CONFIG = Path(__file__).resolve().parents[3] / "sandbox" / "attest.local.yaml"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
ACCOUNT, REGION = "123456789012", "us-east-1"
PROD_PROJECT, REFERENCE_PROJECT = "6a7000000000000000000001", "6a7000000000000000000002"
KEY_ARN = f"arn:aws:kms:{REGION}:{ACCOUNT}:key/1111-2222"


@pytest.mark.integration
def test_drift_on_the_seeded_estate_names_exactly_the_hand_made_resources(
    default_estate: LocalEstate,
) -> None:
    config = load_config(LOCAL_CONFIG)
    snapshot = collect(config, {**default_estate.env, "ATTEST_REDACTION_SALT": "t"}, now=lambda: NOW)
    findings = detect_drift(load_directory(PROD), snapshot, config)
    failing = sorted((f.rule_id, f.resource_id) for f in findings if f.status is not Status.PASS)
    vpce = default_estate.vpce_ids["atlas-reference"]
    assert failing == [
        ("ATL-DRIFT-001", f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/shopping-app:2"),
        ("ATL-DRIFT-001", f"atlas:{REFERENCE_PROJECT}/database_user/admin/app_read_staging"),
        ("ATL-DRIFT-001", f"atlas:{REFERENCE_PROJECT}/endpoint_service/6a70000000000000000000e1"),
        ("ATL-DRIFT-001", f"atlas:{REFERENCE_PROJECT}/interface_endpoint/{vpce}"),
    ]
    assert all(f.controls == ("SOC2-CC8.1",) and f.plane == "terraform" for f in findings)
    passed = {f.resource_id for f in findings if f.status is Status.PASS}
    assert f"atlas:{PROD_PROJECT}/database_user/admin/app_prod" in passed
    assert len(passed) == 28  # 3 groups (web-alb since issue 17), endpoint, key, 2 secrets, 4 access entries, 2 clusters, app_prod ...
    compared = {f.resource_id for f in findings if f.rule_id == "ATL-DRIFT-003" and f.status is Status.PASS}
    assert len(compared) == 14  # ... each declared (ATL-DRIFT-001) and equal on every declared attribute (-003)


def _aws(kind: str, ident: str, **attributes: Any) -> Resource:
    return Resource(ident, kind, "aws", ACCOUNT, REGION, ("test",), attributes)


def _atlas(kind: str, project: str, name: str, **attributes: Any) -> Resource:
    return Resource(f"atlas:{project}/{kind.split('.')[1]}/{name}", kind, "atlas", project, None, ("test",), attributes)


def _key() -> Resource:
    return _aws("aws.kms.key", KEY_ARN, KeyManager="CUSTOMER", KeyState="Enabled", Aliases=["alias/prod-mongodb"],
                Arn=KEY_ARN, KeyId="1111-2222")


def _secret(name: str, kms: str | None, deleted: str | None = None, data_class: str | None = None) -> Resource:
    tags = [{"Key": "data_class", "Value": data_class or ("public" if "reference" in name else "phi")}]
    return _aws("aws.secretsmanager.secret", f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:{name}-abc",
                Name=name, KmsKeyId=kms, DeletedDate=deleted, Tags=tags)


def _group(name: str, port: int, cidr: str) -> Resource:
    return _aws("aws.ec2.security_group", f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group/sg-{name}", GroupName=name,
                IpPermissions=[{"IpProtocol": "tcp", "FromPort": port, "ToPort": port if port != 1024 else 65535,
                                "IpRanges": [{"CidrIp": cidr}]}])


def _snapshot(*resources: Resource, gaps: tuple[Gap, ...] = ()) -> Snapshot:
    return Snapshot.build(collected_at=NOW, collector_version="test", identity=Identity(), scope={},
                          resources=resources, gaps=gaps)


def _problems(snapshot: Snapshot) -> list[tuple[str, str, str | None, str]]:
    findings = detect_drift(load_directory(PROD), snapshot, load_config(LOCAL_CONFIG))
    return [(f.rule_id, f.status.value, f.resource_id, f.evidence) for f in findings if f.status is not Status.PASS]


def test_secret_on_another_key_is_an_attribute_difference_at_the_kms_line() -> None:
    problems = _problems(_snapshot(_key(), _secret("prod/mongodb/uri", KEY_ARN),
                                   _secret("prod/mongodb/reference-uri", None)))
    assert ("ATL-DRIFT-003", "fail", "aws_secretsmanager_secret.reference_uri",
            f"{SHOWN}/secrets.tf:11") in problems
    assert not any(p[2] == "aws_secretsmanager_secret.prod_uri" for p in problems)


def test_secret_pending_deletion_and_default_group_are_out_of_scope() -> None:
    problems = _problems(_snapshot(_secret("legacy/mongodb/uri", None, deleted="2026-03-08T00:00:00Z"),
                                   _group("default", 443, "10.0.0.0/8")))
    assert not any(p[0] == "ATL-DRIFT-001" for p in problems)


def test_security_group_rule_added_by_hand_differs() -> None:
    problems = _problems(_snapshot(_group("atlas-privatelink", 27017, "0.0.0.0/0"),
                                   _group("app-tasks", 3000, "10.20.0.0/16")))
    differs = [p for p in problems if p[0] == "ATL-DRIFT-003"]
    assert differs == [("ATL-DRIFT-003", "fail", "aws_security_group.atlas_privatelink", f"{SHOWN}/network.tf:31")]


def test_user_roles_changed_by_hand_differ() -> None:
    user = _atlas("atlas.database_user", PROD_PROJECT, "admin/app_prod", databaseName="admin", username="app_prod",
                  roles=[{"roleName": "atlasAdmin", "databaseName": "admin"}])
    problems = _problems(_snapshot(user))
    assert ("ATL-DRIFT-003", "fail", "mongodbatlas_database_user.app_prod", f"{SHOWN}/atlas.tf:59") in problems


def test_declared_but_missing_live_and_unknown_when_not_collected() -> None:
    gap = Gap("atlas", "atlas:listGroupDatabaseUsers", PROD_PROJECT, None, "access_denied", "403",
              ("atlas.database_user",))
    problems = _problems(_snapshot(gaps=(gap,)))
    assert ("ATL-DRIFT-002", "fail", "aws_secretsmanager_secret.prod_uri", f"{SHOWN}/secrets.tf:1") in problems
    assert ("ATL-DRIFT-002", "error", "mongodbatlas_database_user.app_prod", f"{SHOWN}/atlas.tf:53") in problems


def test_task_definition_revision_without_provenance_tag_is_undeclared() -> None:
    tagged = _aws("aws.ecs.task_definition", "arn:td:1", family="shopping-app", revision=1,
                  tags=[{"key": "git_sha", "value": "3f1c2a9"}])
    untagged = _aws("aws.ecs.task_definition", "arn:td:2", family="shopping-app", revision=2, tags=[])
    problems = _problems(_snapshot(tagged, untagged))
    assert [p[:3] for p in problems if p[0] == "ATL-DRIFT-001"] == [("ATL-DRIFT-001", "fail", "arn:td:2")]
    assert not any(p[2] == "module.shopping_app.aws_ecs_task_definition.this" for p in problems)


def test_drift_is_deterministic() -> None:
    snapshot = _snapshot(_key(), _secret("prod/mongodb/uri", None))
    first = detect_drift(load_directory(PROD), snapshot, load_config(LOCAL_CONFIG))
    assert first == detect_drift(load_directory(PROD), snapshot, load_config(LOCAL_CONFIG))


def test_recorded_state_supplies_values_source_cannot(tmp_path: Path) -> None:
    """With `terraform show -json`, the secret's key is the recorded ARN, compared at the source line."""
    state = {
        "format_version": "1.0",
        "values": {"root_module": {"resources": [
            {"address": "aws_kms_key.prod_mongodb", "mode": "managed", "type": "aws_kms_key", "name": "prod_mongodb",
             "values": {"arn": KEY_ARN, "key_id": "1111-2222", "enable_key_rotation": True}},
            {"address": "aws_kms_alias.prod_mongodb", "mode": "managed", "type": "aws_kms_alias",
             "name": "prod_mongodb", "values": {"name": "alias/prod-mongodb", "target_key_id": "1111-2222"}},
            {"address": "aws_secretsmanager_secret.prod_uri", "mode": "managed",
             "type": "aws_secretsmanager_secret", "name": "prod_uri",
             "values": {"name": "prod/mongodb/uri", "kms_key_id": f"{KEY_ARN}-other", "tags": None}},
        ]}},
    }
    path = tmp_path / "state.json"
    path.write_text(json.dumps(state))
    declared = overlay(load_directory(PROD), load_show_json(path))
    findings = detect_drift(declared, _snapshot(_key(), _secret("prod/mongodb/uri", KEY_ARN)), load_config(LOCAL_CONFIG))
    problems = {(f.rule_id, f.resource_id, f.evidence) for f in findings if f.status is Status.FAIL}
    assert ("ATL-DRIFT-003", "aws_secretsmanager_secret.prod_uri", f"{SHOWN}/secrets.tf:3") in problems
    assert not any(f.rule_id == "ATL-DRIFT-001" and f.resource_id == KEY_ARN and f.status is Status.FAIL
                   for f in findings)


def test_show_json_that_is_not_terraform_output_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "plan.json"
    path.write_text('{"resources": []}')
    with pytest.raises(BadInputError, match="terraform show -json"):
        load_show_json(path)


def test_declaration_whose_identity_source_cannot_tell_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text('resource "aws_secretsmanager_secret" "s" {\n  name = "app/${random_id.x.hex}"\n}\n')
    findings = detect_drift(load_directory(tmp_path), _snapshot(), load_config(LOCAL_CONFIG))
    assert [(f.rule_id, f.status, f.evidence) for f in findings] == [
        ("ATL-DRIFT-002", Status.ERROR, "main.tf:1")
    ]


def _drift(tmp_path: Path, source: str, *resources: Resource) -> list[tuple[str, str, str | None, str]]:
    (tmp_path / "main.tf").write_text(source)
    findings = detect_drift(load_directory(tmp_path), _snapshot(*resources), load_config(LOCAL_CONFIG))
    return [(f.rule_id, f.status.value, f.resource_id, f.message) for f in findings if f.status is not Status.PASS]


def test_a_declared_key_without_alias_or_arn_cannot_be_compared(tmp_path: Path) -> None:
    source = ('resource "aws_kms_key" "k" {\n}\n'
              'resource "aws_secretsmanager_secret" "s" {\n  name = "app/uri"\n  kms_key_id = aws_kms_key.k.arn\n}\n')
    problems = _drift(tmp_path, source, _secret("app/uri", KEY_ARN))
    assert [p for p in problems if p[0] == "ATL-DRIFT-003"] == [
        ("ATL-DRIFT-003", "error", "aws_secretsmanager_secret.s",
         f"arn:aws:secretsmanager:{REGION}:{ACCOUNT}:secret:app/uri-abc differs from aws_secretsmanager_secret.s "
         "(main.tf:3): cannot compare kms_key_id: the declared key aws_kms_key.k has no alias or ARN that source or "
         "recorded state determines (give --terraform-state) (main.tf:5)"),
    ]


def test_an_unresolved_key_value_cannot_be_compared(tmp_path: Path) -> None:
    source = 'variable "key" {}\nresource "aws_secretsmanager_secret" "s" {\n  name = "app/uri"\n  kms_key_id = var.key\n}\n'
    problems = _drift(tmp_path, source, _secret("app/uri", KEY_ARN))
    assert [(p[0], p[1]) for p in problems] == [("ATL-DRIFT-003", "error")]
    assert "cannot compare kms_key_id: ${var.key} is not determined by source" in problems[0][3]


def _sg_source(rule: str) -> str:
    return ('resource "aws_security_group" "db" {\n  name = "db"\n  ingress {\n    protocol = "tcp"\n'
            f'    from_port = 27017\n    to_port = 27017\n{rule}  }}\n}}\n'
            'resource "aws_security_group" "app" {\n  name = "app"\n}\n')


def _live_group(name: str, group_id: str, **sources: Any) -> Resource:
    permissions = [{"IpProtocol": "tcp", "FromPort": 27017, "ToPort": 27017, **sources}] if sources else []
    return _aws("aws.ec2.security_group", f"arn:sg/{group_id}", GroupName=name, GroupId=group_id,
                IpPermissions=permissions)


def test_ingress_compares_ipv6_ranges(tmp_path: Path) -> None:
    live = _live_group("db", "sg-db", IpRanges=[{"CidrIp": "10.0.0.0/16"}], Ipv6Ranges=[{"CidrIpv6": "::/0"}])
    problems = _drift(tmp_path, _sg_source('    cidr_blocks = ["10.0.0.0/16"]\n'), live, _live_group("app", "sg-app"))
    assert [(p[0], p[1], p[2]) for p in problems] == [("ATL-DRIFT-003", "fail", "aws_security_group.db")]
    assert "live only [('tcp', 27017, 27017, 'ipv6', '::/0')]" in problems[0][3]
    declared = _sg_source('    cidr_blocks = ["10.0.0.0/16"]\n    ipv6_cidr_blocks = ["::/0"]\n')
    assert _drift(tmp_path, declared, live, _live_group("app", "sg-app")) == []


def test_ingress_compares_security_group_references_and_prefix_lists(tmp_path: Path) -> None:
    rule = '    security_groups = [aws_security_group.app.id]\n    prefix_list_ids = ["pl-0123"]\n'
    same = _live_group("db", "sg-db", UserIdGroupPairs=[{"GroupId": "sg-app", "UserId": ACCOUNT}],
                       PrefixListIds=[{"PrefixListId": "pl-0123"}])
    assert _drift(tmp_path, _sg_source(rule), same, _live_group("app", "sg-app")) == []
    other = _live_group("db", "sg-db", UserIdGroupPairs=[{"GroupId": "sg-laptop", "UserId": ACCOUNT}],
                        PrefixListIds=[{"PrefixListId": "pl-0123"}])
    problems = _drift(tmp_path, _sg_source(rule), other, _live_group("app", "sg-app"))
    assert [(p[0], p[1]) for p in problems] == [("ATL-DRIFT-003", "fail")] and "'sg-laptop'" in problems[0][3]


def test_an_unresolvable_ingress_source_cannot_be_compared(tmp_path: Path) -> None:
    rule = '    prefix_list_ids = [aws_ec2_managed_prefix_list.ci.id]\n'
    problems = _drift(tmp_path, _sg_source(rule), _live_group("db", "sg-db"), _live_group("app", "sg-app"))
    assert [(p[0], p[1]) for p in problems] == [("ATL-DRIFT-003", "error")]
    assert "cannot compare ingress: prefix_list_ids entry" in problems[0][3]


def _endpoint(vpce: str) -> Resource:
    return _atlas("atlas.interface_endpoint", REFERENCE_PROJECT, vpce,
                  interfaceEndpointId=vpce, endpointServiceId="6a70000000000000000000e1")


def test_interface_endpoints_are_keyed_by_their_vpce_id(tmp_path: Path) -> None:
    source = ('resource "mongodbatlas_privatelink_endpoint_service" "ref" {\n'
              f'  project_id = "{REFERENCE_PROJECT}"\n  endpoint_service_id = "vpce-0aaa"\n}}\n')
    problems = _drift(tmp_path, source, _endpoint("vpce-0aaa"), _endpoint("vpce-0bbb"))
    assert [(p[0], p[1], p[2]) for p in problems] == [
        ("ATL-DRIFT-001", "fail", f"atlas:{REFERENCE_PROJECT}/interface_endpoint/vpce-0bbb"),
    ]


def test_an_interface_endpoint_without_a_known_vpce_id_cannot_be_matched(tmp_path: Path) -> None:
    source = ('resource "mongodbatlas_privatelink_endpoint_service" "ref" {\n'
              f'  project_id = "{REFERENCE_PROJECT}"\n  endpoint_service_id = aws_vpc_endpoint.ref.id\n}}\n')
    problems = _drift(tmp_path, source, _endpoint("vpce-0aaa"))
    assert [p[:3] for p in problems] == [
        ("ATL-DRIFT-001", "error", f"atlas:{REFERENCE_PROJECT}/interface_endpoint/vpce-0aaa"),
        ("ATL-DRIFT-002", "error", "mongodbatlas_privatelink_endpoint_service.ref"),
    ]  # one error per resource, never an error and a contradicting "not declared" fail
    assert "cannot tell which live atlas.interface_endpoint it declares" in problems[1][3]
    assert "mongodbatlas_privatelink_endpoint_service.ref (main.tf:1) may" in problems[0][3]
