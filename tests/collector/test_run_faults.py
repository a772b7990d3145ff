"""Collecting through the fault proxy: each failure is a gap for its own operation and the rest goes on."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest

from attest.collector.aws.collect import ALL_TYPES
from attest.collector.config import load_config
from attest.collector.run import collect
from attest.collector.snapshot import Snapshot
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
AWS_SERVICES = ("ec2", "kms", "secretsmanager", "ecs")


def _collect(estate: LocalEstate, config: Path, **extra: str) -> Snapshot:
    env = {**estate.env, "ATTEST_REDACTION_SALT": "test-salt", "AWS_MAX_ATTEMPTS": "2", **extra}
    return collect(load_config(config), env, now=lambda: NOW)


def _aws(snapshot: Snapshot) -> list[dict[str, Any]]:
    return [r.to_dict() for r in snapshot.resources if r.provider == "aws"]


def _aws_gaps(snapshot: Snapshot) -> list[dict[str, Any]]:
    """The AWS gaps, less the local estate's standing one: moto has no CloudTrail event history."""
    return [g.to_dict() for g in snapshot.gaps if g.provider == "aws" and g.operation != "cloudtrail:LookupEvents"]


def test_denied_secrets_is_one_gap_and_everything_else_is_collected(default_estate: LocalEstate, local_config_path: Path) -> None:
    default_estate.aws_faults.set([FaultRule(service="secretsmanager", kind="access_denied")])
    snapshot = _collect(default_estate, local_config_path)
    assert _aws_gaps(snapshot) == [
        {
            "provider": "aws",
            "operation": "secretsmanager:ListSecrets",
            "scope": "123456789012",
            "region": "us-east-1",
            "reason": "access_denied",
            "detail": "AccessDeniedException: User is not authorized to perform: secretsmanager:ListSecrets (fault proxy)",
            "resource_types": ["aws.secretsmanager.secret"],
        }
    ]
    types = {r["type"] for r in _aws(snapshot)}
    assert "aws.secretsmanager.secret" not in types
    # prefix lists are read only when a security group names one; the seeded groups do not
    assert types == set(ALL_TYPES) - {"aws.secretsmanager.secret", "aws.ec2.prefix_list", "aws.cloudtrail.change_event"}


def test_throttling_a_third_of_calls_is_absorbed_by_retries(default_estate: LocalEstate, local_config_path: Path) -> None:
    clean = _collect(default_estate, local_config_path)
    default_estate.aws_faults.set([FaultRule(service=s, kind="throttle", rate=0.3) for s in AWS_SERVICES], seed=7)
    throttled = _collect(default_estate, local_config_path, AWS_MAX_ATTEMPTS="12")
    assert sum(default_estate.aws_faults.injected.values()) > 0
    assert _aws_gaps(throttled) == []
    assert _aws(throttled) == _aws(clean)


def test_throttling_past_the_retries_is_a_throttled_gap(default_estate: LocalEstate, local_config_path: Path) -> None:
    default_estate.aws_faults.set([FaultRule(service="kms", operation="ListKeys", kind="throttle")])
    snapshot = _collect(default_estate, local_config_path, AWS_MAX_ATTEMPTS="2")
    (gap,) = _aws_gaps(snapshot)
    assert (gap["operation"], gap["reason"], gap["resource_types"]) == ("kms:ListKeys", "throttled", ["aws.kms.key"])
    assert default_estate.aws_faults.injected["kms:ListKeys:throttle"] == 2


@pytest.mark.parametrize(
    "rule, operation, reason, types",
    [
        (FaultRule(service="ecs", operation="ListClusters", kind="malformed"), "ecs:ListClusters", "malformed",
         ["aws.ecs.cluster", "aws.ecs.service", "aws.ecs.task_definition"]),
        (FaultRule(service="ec2", operation="DescribeVpcEndpoints", kind="server_error", status=500),
         "ec2:DescribeVpcEndpoints", "server_error", ["aws.ec2.vpc_endpoint"]),
        (FaultRule(service="ec2", operation="DescribeVpcs", kind="malformed"), "ec2:DescribeVpcs", "malformed", ["aws.ec2.vpc"]),
        (FaultRule(service="ecs", operation="DescribeTaskDefinition", kind="access_denied"),
         "ecs:DescribeTaskDefinition", "access_denied", ["aws.ecs.task_definition"]),
        (FaultRule(service="kms", operation="GetKeyRotationStatus", kind="access_denied"),
         "kms:GetKeyRotationStatus", "access_denied", ["aws.kms.key"]),
    ],
)
def test_each_failure_kind_maps_to_its_reason(
    default_estate: LocalEstate, local_config_path: Path, rule: FaultRule, operation: str, reason: str, types: list[str]
) -> None:
    default_estate.aws_faults.set([rule])
    snapshot = _collect(default_estate, local_config_path)
    gaps = _aws_gaps(snapshot)
    assert {(g["operation"], g["reason"]) for g in gaps} == {(operation, reason)}
    assert gaps[0]["resource_types"] == types


def test_unreadable_rotation_status_is_null_not_false(default_estate: LocalEstate, local_config_path: Path) -> None:
    default_estate.aws_faults.set([FaultRule(service="kms", operation="GetKeyRotationStatus", kind="access_denied")])
    (key,) = [r for r in _aws(_collect(default_estate, local_config_path)) if r["type"] == "aws.kms.key"]
    assert key["attributes"]["KeyRotationEnabled"] is None


def test_a_slow_answer_past_the_read_timeout_is_a_timeout_gap(default_estate: LocalEstate, local_config_path: Path) -> None:
    # a wide margin either side of the timeout, so a loaded machine cannot push other calls past it
    default_estate.aws_faults.set([FaultRule(service="secretsmanager", kind="delay", delay_seconds=8)])
    snapshot = _collect(default_estate, local_config_path, ATTEST_AWS_READ_TIMEOUT="3", AWS_MAX_ATTEMPTS="1")
    (gap,) = _aws_gaps(snapshot)
    assert (gap["operation"], gap["reason"]) == ("secretsmanager:ListSecrets", "timeout")


def test_denied_identity_leaves_no_caller_but_resources_are_read(default_estate: LocalEstate, local_config_path: Path) -> None:
    default_estate.aws_faults.set([FaultRule(service="sts", kind="access_denied")])
    snapshot = _collect(default_estate, local_config_path)
    assert snapshot.identity.aws_caller_arns == ()
    (gap,) = _aws_gaps(snapshot)
    assert (gap["operation"], gap["reason"], gap["resource_types"]) == ("sts:GetCallerIdentity", "access_denied", [])
    assert len(_aws(snapshot)) > 10


def test_an_unreachable_endpoint_is_a_gap_for_every_type(default_estate: LocalEstate, local_config_path: Path) -> None:
    snapshot = _collect(default_estate, local_config_path, AWS_ENDPOINT_URL="http://127.0.0.1:9", AWS_MAX_ATTEMPTS="1")
    gaps = [g.to_dict() for g in snapshot.gaps if g.provider == "aws"]  # LookupEvents is unreachable too
    assert _aws(snapshot) == []
    assert {g["reason"] for g in gaps} == {"unreachable"}
    covered = {t for g in gaps for t in g["resource_types"]}
    assert covered == set(ALL_TYPES) - {"aws.ec2.prefix_list"}
    assert any(r.provider == "atlas" for r in snapshot.resources)


def test_small_pages_are_all_read(default_estate: LocalEstate, local_config_path: Path) -> None:
    snapshot = _collect(default_estate, local_config_path, ATTEST_AWS_PAGE_SIZE="1")
    assert default_estate.aws_faults.calls["secretsmanager:ListSecrets"] >= 3
    assert len([r for r in _aws(snapshot) if r["type"] == "aws.secretsmanager.secret"]) == 3
