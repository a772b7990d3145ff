"""ATL-CM-005: what the estate config declares must be there; absent is `fail`, unknown is `error`."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from policy_fixtures import seeded_doc

from attest.policies.findings import Results, Status


def cm005(results: Results) -> dict[str, Status]:
    return {f.resource_id or "": f.status for f in results.findings if f.rule_id == "ATL-CM-005"}


def drop(doc: dict[str, Any], predicate: Callable[[dict[str, Any]], bool]) -> dict[str, Any]:
    before = len(doc["resources"])
    doc["resources"] = [r for r in doc["resources"] if not predicate(r)]
    assert len(doc["resources"]) < before, "the fixture must hold what the test removes"
    return doc


def test_every_declared_item_is_found_in_the_seeded_estate(judge) -> None:
    statuses = cm005(judge(seeded_doc()))
    assert len(statuses) >= 14
    assert set(statuses.values()) == {Status.PASS}


@pytest.mark.parametrize(
    ("predicate", "declared"),
    [
        (lambda r: r["type"] == "aws.secretsmanager.secret" and r["attributes"].get("Name") == "prod/mongodb/reference-uri",
         "declared:secret/prod/mongodb/reference-uri"),
        (lambda r: r["type"] == "atlas.cluster" and r["attributes"].get("name") == "reference-cluster",
         "declared:cluster/reference/reference-cluster"),
        (lambda r: r["type"] == "atlas.database_user", "declared:database_user/reference/app_read_staging"),
        (lambda r: r["type"] == "atlas.project", "declared:atlas_project/reference"),
        (lambda r: r["type"] == "aws.ecs.service", "declared:ecs_service/123456789012/us-east-1/prod/shopping-app"),
        (lambda r: r["type"] == "atlas.endpoint_service", "declared:endpoint_service/reference/US_EAST_1"),
    ],
)
def test_a_declared_item_that_is_gone_fails(judge, predicate, declared: str) -> None:
    results = judge(drop(seeded_doc(), predicate))
    assert cm005(results)[declared] is Status.FAIL
    assert results.exit_code() == 1


def test_a_declared_item_behind_a_gap_is_an_error_not_a_fail(judge) -> None:
    doc = drop(seeded_doc(), lambda r: r["type"] == "aws.secretsmanager.secret")
    doc["gaps"].append({
        "provider": "aws", "operation": "secretsmanager:ListSecrets", "scope": "123456789012",
        "region": "us-east-1", "reason": "access_denied", "detail": "AccessDenied",
        "resource_types": ["aws.secretsmanager.secret"],
    })
    statuses = cm005(judge(doc))
    assert statuses["declared:secret/prod/mongodb/uri"] is Status.ERROR
    assert statuses["declared:cluster/prod/prod-cluster"] is Status.PASS


def test_a_gap_elsewhere_does_not_touch_what_was_found(judge) -> None:
    doc = seeded_doc()
    doc["gaps"].append({
        "provider": "atlas", "operation": "atlas:listGroupDatabaseUsers", "scope": "6a7000000000000000000001",
        "region": None, "reason": "throttled", "detail": "429", "resource_types": ["atlas.database_user"],
    })
    statuses = cm005(judge(doc))
    assert statuses["declared:database_user/reference/app_read_staging"] is Status.PASS
