"""Atlas encryption at rest, database auditing and organisation settings (ATL-DB-006..008):
the pass twins and the evidence gaps, collected live from the emulator.

The fail cases are the variants in test_policy_local_estate.py (atlas-encryption-off,
atlas-audit-off, atlas-org-no-mfa).
"""
from __future__ import annotations

import datetime as dt
import io

import pytest
from policy_fixtures import LOCAL_CONFIG

from attest.collector.config import load_config
from attest.collector.run import collect
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.rule_loader import load_policy_set
from attest.policies.waivers import WAIVERS_FILE, load_waivers
from attest.sandbox.local import local_estate

pytestmark = pytest.mark.integration
NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
RULES = ("ATL-DB-006", "ATL-DB-007", "ATL-DB-008")


def _judge(estate: str, deny: tuple[str, ...] = ()) -> Results:
    config = load_config(LOCAL_CONFIG)
    with local_estate(estate) as running:
        if deny:
            running.atlas.faults.deny(*deny)
        snapshot = collect(config, dict(running.env), now=lambda: NOW, stream=io.StringIO())
    assert "CANARY-" not in snapshot.to_json()
    policy = load_policy_set()
    return evaluate(snapshot, config, policy, load_waivers(WAIVERS_FILE, [r.id for r in policy.rules], NOW.date()))


def _statuses(results: Results) -> dict[str, set[tuple[str, str]]]:
    out: dict[str, set[tuple[str, str]]] = {}
    for f in results.findings:
        if f.rule_id in RULES:
            out.setdefault(f.rule_id, set()).add((f.status.value, f.resource_id or ""))
    return out


def test_owner_key_reads_everything_and_all_three_pass() -> None:
    found = _statuses(_judge("atlas-owner-key"))
    assert found["ATL-DB-006"] == {("pass", "atlas:6a7000000000000000000001/cluster/prod-cluster")}
    assert found["ATL-DB-007"] == {("pass", "atlas:6a7000000000000000000001/audit_log/config")}
    assert found["ATL-DB-008"] == {("pass", "atlas:org:6a7000000000000000000a00/org_settings/settings")}


def test_read_only_key_cannot_read_auditing_so_it_is_an_error_not_a_pass() -> None:
    found = _statuses(_judge("default"))
    assert {status for status, _ in found["ATL-DB-007"]} == {"error"}
    assert {status for status, _ in found["ATL-DB-006"]} == {status for status, _ in found["ATL-DB-008"]} == {"pass"}


@pytest.mark.parametrize(("operation", "rule"), [
    ("getGroupEncryptionAtRest", "ATL-DB-006"),
    ("getOrgSettings", "ATL-DB-008"),
])
def test_an_unreadable_setting_is_an_error(operation: str, rule: str) -> None:
    results = _judge("atlas-owner-key", deny=(operation,))
    assert {f.status for f in results.findings if f.rule_id == rule} == {Status.ERROR}
