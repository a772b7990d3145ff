"""A denied, malformed, failing or slow call is a gap naming its operation; its rules are `error`.

Each case injects one fault into the clean estate, collects for real and checks: the gap names
the operation and the reason, every rule that needed it is `error` (never `pass`, and never a
`fail` invented from the missing data), nothing else changes, and the verdict is exit 3.
ATL-CM-005 (what the config declares exists) is among them whenever the gap hides something
declared; ListKeys is not, since the config declares no key.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import pytest

from fault_helpers import check, collect_estate, gaps, not_passing
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate

pytestmark = pytest.mark.integration
# The estate's read-only API key may not read audit logs: that gap is in every run, on no rule.
# The local estate's standing gaps and the rules they make error on every run: the read-only key
# cannot read auditLog (ATL-DB-007), moto keeps no CloudTrail event history (ATL-CM-008).
ALWAYS = {("atlas:getGroupAuditLog", "access_denied"), ("cloudtrail:LookupEvents", "server_error")}
STANDING_RULES = frozenset({"ATL-DB-007", "ATL-CM-008"})
ONE_TRY = {"AWS_MAX_ATTEMPTS": "1", "ATTEST_ATLAS_MAX_ATTEMPTS": "1"}
# ATL-CM-005 judges every declared thing: those behind the gap are error, the others still pass.
SPANS_EVERY_TYPE = frozenset({"ATL-CM-005"})


@dataclass(frozen=True)
class Case:
    plant: Callable[[LocalEstate], None]
    gap: tuple[str, str]                      # (operation, reason)
    rules: frozenset[str]                     # every rule that must be error, and only those
    env: dict[str, str] = field(default_factory=dict)


def _aws(**rule: object) -> Callable[[LocalEstate], None]:
    return lambda estate: estate.aws_faults.set([FaultRule(**rule)])  # type: ignore[arg-type]


CASES = {
    "aws-access-denied-secretsmanager": Case(
        _aws(service="secretsmanager", kind="access_denied"),
        ("secretsmanager:ListSecrets", "access_denied"),
        frozenset({"ATL-SEC-001", "ATL-SEC-002", "ATL-SEC-003", "ATL-SEC-004", "ATL-SEC-005", "ATL-CM-005"})),
    "aws-malformed-kms-list-keys": Case(
        _aws(service="kms", operation="ListKeys", kind="malformed"),
        ("kms:ListKeys", "malformed"),
        frozenset({"ATL-SEC-001", "ATL-SEC-002", "ATL-SEC-003"})),
    "aws-server-error-ec2-vpc-endpoints": Case(
        _aws(service="ec2", operation="DescribeVpcEndpoints", kind="server_error", status=500),
        ("ec2:DescribeVpcEndpoints", "server_error"),
        frozenset({"ATL-CM-001", "ATL-CM-005", "ATL-NET-001", "ATL-NET-002", "ATL-NET-003", "ATL-NET-004", "ATL-PL-002", "ATL-PL-003", "ATL-PL-004", "ATL-PL-005"})),
    "aws-timeout-ecs-describe-services": Case(
        _aws(service="ecs", operation="DescribeServices", kind="delay", delay_seconds=8),
        ("ecs:DescribeServices", "timeout"),
        frozenset({"ATL-CM-004", "ATL-CM-005", "ATL-ECS-001", "ATL-ECS-002", "ATL-ECS-003"}),
        {"ATTEST_AWS_READ_TIMEOUT": "3"}),  # generous: a loaded machine must not time out the rest
    # the account's trails unread: the account is not judged to have none (error, never fail)
    "aws-access-denied-cloudtrail-describe-trails": Case(
        _aws(service="cloudtrail", operation="DescribeTrails", kind="access_denied"),
        ("cloudtrail:DescribeTrails", "access_denied"),
        frozenset({"ATL-CM-006", "ATL-CM-007"})),
    "atlas-malformed-database-users": Case(
        lambda estate: estate.atlas.faults.malform("listGroupDatabaseUsers", "shape"),
        ("atlas:listGroupDatabaseUsers", "malformed"),
        frozenset({"ATL-CM-002", "ATL-CM-005", "ATL-DB-005"})),
    "atlas-truncated-process-args": Case(
        lambda estate: estate.atlas.faults.malform("getGroupClusterProcessArgs", "truncated"),
        ("atlas:getGroupClusterProcessArgs", "malformed"),
        frozenset({"ATL-CM-005", "ATL-DB-001", "ATL-DB-006"})),
    "atlas-server-error-endpoint-services": Case(
        lambda estate: estate.atlas.faults.server_error(None, status=503, operations=["listGroupPrivateEndpointEndpointService"]),
        ("atlas:listGroupPrivateEndpointEndpointService", "server_error"),
        frozenset({"ATL-CM-005", "ATL-PL-001", "ATL-PL-002", "ATL-PL-005"})),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_one_failed_operation_is_a_gap_and_its_rules_are_error(clean_estate: LocalEstate, name: str) -> None:
    case = CASES[name]
    case.plant(clean_estate)
    snapshot = collect_estate(clean_estate, **ONE_TRY, **case.env)
    results = check(snapshot)

    found = {(g["operation"], g["reason"]) for g in gaps(snapshot)} - ALWAYS
    assert found == {case.gap}
    bad = {key: status for key, status in not_passing(results).items() if key[0] not in STANDING_RULES}
    assert set(bad.values()) == {"error"}, bad
    assert {rule for rule, _ in bad} == case.rules
    for rule in case.rules - SPANS_EVERY_TYPE:
        assert not any(f.rule_id == rule and f.status.value == "pass" for f in results.findings), rule
    assert results.exit_code() == 3


def test_an_atlas_answer_slower_than_the_timeout_is_a_timeout_gap(clean_estate: LocalEstate) -> None:
    """A call that times out can take a later call of the same collector thread down with it
    (seen now and then on listGroupClusters), so the test asks only that the slow operation is a
    timeout gap, its rules are error, and nothing passes or fails in their place."""
    clean_estate.atlas.faults.delay(8, operations=["listGroupAccessListEntries"])
    snapshot = collect_estate(clean_estate, ATTEST_ATLAS_TIMEOUT="3", **ONE_TRY)
    results = check(snapshot)
    found = {(g["operation"], g["reason"]) for g in gaps(snapshot)}
    assert ("atlas:listGroupAccessListEntries", "timeout") in found
    bad = not_passing(results)
    assert {"ATL-DB-002", "ATL-DB-003", "ATL-DB-004", "ATL-CM-003"} <= {rule for rule, _ in bad}
    assert set(bad.values()) == {"error"}
    assert results.exit_code() == 3
