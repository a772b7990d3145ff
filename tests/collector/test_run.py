"""Collecting the seeded default estate end to end: real boto3 over HTTP to moto, real HTTP to Atlas."""
from __future__ import annotations

import json
from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from attest.collector.aws.permissions import all_actions
from attest.collector.config import load_config
from attest.collector.run import collect
from attest.collector.snapshot import Snapshot, snapshot_from_dict
from attest.sandbox.local import LocalEstate

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
SOURCES = {
    "aws.ec2.vpc": ["ec2:DescribeVpcs"],
    "aws.ec2.subnet": ["ec2:DescribeSubnets"],
    "aws.ec2.security_group": ["ec2:DescribeSecurityGroups"],
    "aws.ec2.vpc_endpoint": ["ec2:DescribeVpcEndpoints"],
    "aws.kms.key": ["kms:ListKeys", "kms:DescribeKey", "kms:GetKeyRotationStatus", "kms:ListAliases"],
    "aws.secretsmanager.secret": ["secretsmanager:ListSecrets"],
    "aws.ecs.cluster": ["ecs:ListClusters", "ecs:DescribeClusters"],
    "aws.ecs.service": ["ecs:ListServices", "ecs:DescribeServices"],
    "aws.ecs.task_definition": ["ecs:ListTaskDefinitions", "ecs:DescribeTaskDefinition"],
}


def _collect(estate: LocalEstate, config: Path, **extra: str) -> Snapshot:
    return collect(load_config(config), {**estate.env, "ATTEST_REDACTION_SALT": "test-salt", **extra}, now=lambda: NOW)


def _by_type(snapshot: Snapshot, type_: str) -> list[dict]:
    return [r.to_dict() for r in snapshot.resources if r.type == type_]


@pytest.fixture(scope="module")
def snapshot(_default_estate_session: LocalEstate, tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    config = Path(__file__).resolve().parents[2] / "sandbox" / "attest.local.yaml"
    _default_estate_session.aws_faults.clear()
    return _collect(_default_estate_session, config)


def test_every_aws_type_is_present_with_its_source(snapshot: Snapshot) -> None:
    for type_, source in SOURCES.items():
        found = _by_type(snapshot, type_)
        assert found, type_
        assert all(r["source"] == source and r["provider"] == "aws" for r in found), type_
        assert all(r["scope"] == "123456789012" and r["region"] == "us-east-1" for r in found), type_
    # Atlas gaps (the read-only key), and moto's missing CloudTrail event history
    assert all(g.provider == "atlas" or g.operation == "cloudtrail:LookupEvents" for g in snapshot.gaps)


def test_every_source_operation_is_a_declared_permission(snapshot: Snapshot) -> None:
    used = {op for r in snapshot.resources if r.provider == "aws" for op in r.source}
    assert used <= set(all_actions())


def test_vpc_endpoint_spans_two_subnets_in_two_zones(snapshot: Snapshot, _default_estate_session: LocalEstate) -> None:
    vpce_id = _default_estate_session.seeded.vpce_ids["atlas-reference"]
    (endpoint,) = _by_type(snapshot, "aws.ec2.vpc_endpoint")
    assert endpoint["id"] == f"arn:aws:ec2:us-east-1:123456789012:vpc-endpoint/{vpce_id}"
    attrs = endpoint["attributes"]
    assert attrs["ServiceName"] == "com.amazonaws.vpce.us-east-1.vpce-svc-0a1b2c3d4e5f60718"
    assert attrs["State"] == "available"
    assert {"Key": "Name", "Value": "atlas-reference"} in attrs["Tags"]
    subnets = {s["attributes"]["SubnetId"]: s["attributes"] for s in _by_type(snapshot, "aws.ec2.subnet")}
    assert len(attrs["SubnetIds"]) == 2
    assert {subnets[s]["AvailabilityZone"] for s in attrs["SubnetIds"]} == {"us-east-1a", "us-east-1b"}


def test_secrets_carry_key_and_tags_and_the_legacy_one_its_deletion(snapshot: Snapshot) -> None:
    secrets = {r["attributes"]["Name"]: r["attributes"] for r in _by_type(snapshot, "aws.secretsmanager.secret")}
    (key,) = _by_type(snapshot, "aws.kms.key")
    assert key["attributes"]["KeyRotationEnabled"] is True
    assert key["attributes"]["Aliases"] == ["alias/prod-mongodb"]
    assert secrets["prod/mongodb/uri"]["KmsKeyId"] == key["id"]
    assert {"Key": "data_class", "Value": "phi"} in secrets["prod/mongodb/uri"]["Tags"]
    legacy = secrets["legacy/mongodb/uri"]
    assert "KmsKeyId" not in legacy
    assert legacy["DeletedDate"].endswith("Z")


def test_service_runs_the_newest_revision_which_has_no_provenance(snapshot: Snapshot) -> None:
    (service,) = _by_type(snapshot, "aws.ecs.service")
    (task,) = _by_type(snapshot, "aws.ecs.task_definition")
    assert service["attributes"]["taskDefinition"] == task["id"]
    assert task["id"].endswith("task-definition/shopping-app:2")
    assert task["attributes"]["isLatestRevision"] is True
    assert task["attributes"]["tags"] == []
    (container,) = task["attributes"]["containerDefinitions"]
    assert {s["name"] for s in container["secrets"]} == {"MONGODB_URI", "MONGODB_REFERENCE_URI"}
    assert all(s["valueFrom"].startswith("arn:aws:secretsmanager:") for s in container["secrets"])


def test_identity_scope_and_atlas_half(snapshot: Snapshot) -> None:
    assert snapshot.identity.aws_caller_arns == ("arn:aws:sts::123456789012:user/moto",)
    assert snapshot.identity.atlas_principal == "attestro"
    assert snapshot.scope["aws_accounts"][0]["id"] == "123456789012"
    counts = Counter(r.type for r in snapshot.resources if r.provider == "atlas")
    assert counts["atlas.project"] == 2 and counts["atlas.interface_endpoint"] == 1


def test_snapshot_round_trips_and_holds_no_canary(snapshot: Snapshot) -> None:
    text = snapshot.to_json()
    assert snapshot_from_dict(json.loads(text), "snapshot").to_json() == text
    assert "CANARY-" not in text
    assert snapshot.collected_at == NOW


def test_every_call_made_is_a_declared_permission(default_estate: LocalEstate, local_config_path: Path) -> None:
    """The proxy sees every AWS call; each must be in what `attest iam-policy` grants."""
    _collect(default_estate, local_config_path)
    made = set(default_estate.aws_faults.calls)
    assert {"secretsmanager:ListSecrets", "ecs:DescribeTaskDefinition", "sts:GetCallerIdentity"} <= made
    assert made <= set(all_actions())
    assert not any(op.endswith(("GetSecretValue", "BatchGetSecretValue")) for op in made)
