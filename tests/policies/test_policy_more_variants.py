"""Integration: the rules that once had only fixtures, failing through real collection.

Each variant extends the clean estate and plants its state with a real API call in the seeder
(DisableKey, ScheduleKeyDeletion, DeleteVpcEndpoints), so the rule fails and nothing else does.
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from policy_fixtures import LOCAL_CONFIG

from attest.collector.config import load_config
from attest.collector.run import collect
from attest.policies.engine import evaluate
from attest.policies.findings import Status
from attest.policies.rule_loader import load_policy_set
from attest.policies.waivers import WAIVERS_FILE, load_waivers
from attest.sandbox.local import local_estate

pytestmark = pytest.mark.integration
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
SECRETS = (":secret:prod/mongodb/reference-uri-", ":secret:prod/mongodb/uri-")

VARIANTS = {
    "kms-key-pending-deletion": ("ATL-SEC-003", SECRETS, "got 'PendingDeletion'"),
    "kms-key-disabled": ("ATL-SEC-003", SECRETS, "got 'Disabled'"),
    "pl-endpoint-deleted": ("ATL-PL-003", (":vpc-endpoint/vpce-",), "got 'deleted'"),
}


@pytest.mark.parametrize("variant", sorted(VARIANTS))
def test_variant_fails_its_rule_and_nothing_else(variant: str) -> None:
    rule_id, resources, message = VARIANTS[variant]
    config = load_config(LOCAL_CONFIG)
    with local_estate(variant) as running:
        snapshot = collect(config, {**running.env, "AWS_MAX_ATTEMPTS": "2"}, now=lambda: NOW, stream=io.StringIO())
    policy = load_policy_set()
    results = evaluate(snapshot, config, policy, load_waivers(WAIVERS_FILE, [r.id for r in policy.rules], NOW.date()))
    # ATL-DB-007 is `error` in every estate read with the read-only key (auditLog needs Project Owner),
    # and ATL-CM-008 in every local estate (moto has no CloudTrail event history)
    failing = [f for f in results.findings if f.status not in (Status.PASS, Status.WAIVED)
               and (f.rule_id, f.status) not in (("ATL-DB-007", Status.ERROR), ("ATL-CM-008", Status.ERROR))]
    assert {(f.rule_id, f.status) for f in failing} == {(rule_id, Status.FAIL)}
    assert sorted(next(m for m in resources if m in (f.resource_id or "")) for f in failing) == sorted(resources)
    assert all(message in f.message for f in failing)
    assert results.exit_code() == 1
