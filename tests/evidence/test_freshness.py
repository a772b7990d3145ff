"""EVD-FRESH-001: a locker whose newest bundle is older than the cadence fails."""
from __future__ import annotations

from datetime import timedelta

from evidence_helpers import CADENCE, START, export_one

from attest.evidence.freshness import RULE_ID, freshness_finding
from attest.evidence.lockers import LocalLocker
from attest.evidence.verify import verify_locker
from attest.policies.findings import Status


def test_fresh_within_the_cadence(locker: LocalLocker) -> None:
    newest = export_one(locker, START).manifest
    finding = freshness_finding(newest, START + timedelta(hours=25, minutes=59), CADENCE, "L")
    assert (finding.rule_id, finding.status, finding.resource_id) == (RULE_ID, Status.PASS, newest.bundle_id)


def test_stale_beyond_the_cadence(locker: LocalLocker, three_nights: list) -> None:
    newest = verify_locker(locker, None, CADENCE).newest
    finding = freshness_finding(newest, START + timedelta(hours=48 + 27), CADENCE, "L")
    assert finding.status is Status.FAIL
    assert "27.0 h before" in finding.message and "older than the 26 h cadence" in finding.message
    assert finding.controls == ("SOC2-CC8.1",) and finding.remediation.console


def test_an_empty_locker_fails_unless_an_export_is_starting_the_chain() -> None:
    assert freshness_finding(None, START, CADENCE, "L").status is Status.FAIL
    assert freshness_finding(None, START, CADENCE, "L", starting=True).status is Status.PASS
