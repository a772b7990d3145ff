"""An account's trails and recorders that could not be read are not an account without them.

CC8.1's account rules (ATL-CM-006, ATL-CM-007) judge facts computed only from the trails and
recorders read in that account. When that read failed there, the empty fact is a lost track:
`error`, never `fail` (and never `pass`). A second account, laid out differently from the local
estate (two EU regions, nothing collected), shows the other side: with no gap, having none is a fail.
"""
from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from policy_fixtures import ACCOUNT, config_with_account, seeded_doc

from attest.collector.config import EstateConfig, load_config
from attest.collector.snapshot import snapshot_from_dict
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.rule_loader import PolicySet

AUDIT = "210987654321"
ACCOUNT_RULES = ("ATL-CM-006", "ATL-CM-007")
SOURCES = {"ATL-CM-006": ("aws.cloudtrail.trail", "cloudtrail:DescribeTrails"),
           "ATL-CM-007": ("aws.config.recorder", "config:DescribeConfigurationRecorders")}


@pytest.fixture(scope="module")
def two_accounts(tmp_path_factory: pytest.TempPathFactory) -> EstateConfig:
    return load_config(config_with_account(tmp_path_factory.mktemp("accounts"), AUDIT, "audit", "[eu-west-1, eu-central-1]"))


def _gap(resource_type: str, operation: str, scope: str, region: str) -> dict[str, Any]:
    return {"provider": "aws", "operation": operation, "scope": scope, "region": region, "reason": "access_denied",
            "detail": "denied", "resource_types": [resource_type]}


def _judge(policy: PolicySet, config: EstateConfig, doc: dict[str, Any]) -> dict[tuple[str, str], Status]:
    results: Results = evaluate(snapshot_from_dict(doc, "fixture"), config, policy, (), today=dt.date(2026, 11, 26))
    return {(f.rule_id, f.resource_id): f.status for f in results.findings
            if f.rule_id in ACCOUNT_RULES and f.resource_id is not None}


@pytest.mark.parametrize("rule_id", ACCOUNT_RULES)
def test_unread_sources_in_an_account_make_its_verdict_error(policy: PolicySet, two_accounts: EstateConfig,
                                                             rule_id: str) -> None:
    resource_type, operation = SOURCES[rule_id]
    doc = seeded_doc()
    doc["resources"] = [r for r in doc["resources"] if r["type"] != resource_type]
    doc["gaps"] = [_gap(resource_type, operation, ACCOUNT, "us-east-1")]
    statuses = _judge(policy, two_accounts, doc)
    assert statuses[(rule_id, f"account:aws/{ACCOUNT}")] is Status.ERROR
    assert statuses[(rule_id, f"account:aws/{AUDIT}")] is Status.FAIL  # read there, and none: a fail


@pytest.mark.parametrize("rule_id", ACCOUNT_RULES)
def test_a_gap_in_another_account_leaves_this_ones_verdict(policy: PolicySet, two_accounts: EstateConfig,
                                                           rule_id: str) -> None:
    resource_type, operation = SOURCES[rule_id]
    doc = seeded_doc()
    doc["gaps"] = [_gap(resource_type, operation, AUDIT, "eu-west-1")]
    statuses = _judge(policy, two_accounts, doc)
    assert statuses[(rule_id, f"account:aws/{AUDIT}")] is Status.ERROR
    # the local account's own trails and recorders were read: a gap in another account is not its own
    assert statuses[(rule_id, f"account:aws/{ACCOUNT}")] is Status.PASS
