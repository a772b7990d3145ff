"""Freshness: the newest bundle must be younger than the cadence, or the nightly job has stopped.

A silently broken export leaves no error anywhere; this rule turns its absence into a failing finding.
Mapped to SOC 2 CC8.1: the nightly bundle is the recorded configuration baseline against which
changes to the estate are detected and reviewed; a stale baseline means changes go unrecorded.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from attest.collector.snapshot import format_time
from attest.evidence.manifest import Manifest
from attest.policies.findings import Finding, Remediation, Status

RULE_ID = "EVD-FRESH-001"
TITLE = "An evidence bundle was written within the configured cadence"
RATIONALE = (
    "Each nightly bundle records the estate's configuration as collected; when bundles stop, changes "
    "to the estate are no longer captured for review (SOC 2 CC8.1), and nothing else reports the outage."
)
REMEDIATION = Remediation(
    console=(
        "Open the repository's Actions tab and inspect the latest runs of the nightly workflow.",
        "Fix the failing step (credentials, role trust policy, Atlas key) and re-run it.",
    ),
)


def freshness_finding(
    newest: Manifest | None, now: datetime, cadence: timedelta, locker: str, *, starting: bool = False
) -> Finding:
    """Pass when the newest bundle started within `cadence` of `now`; fail when older or absent.

    `starting` is for an export into an empty locker: the bundle being written starts the chain, so
    there is nothing to be stale yet. Verifying an empty locker always fails.
    """
    if newest is None:
        status = Status.PASS if starting else Status.FAIL
        message = (
            f"no earlier bundle in {locker}: this export starts the chain"
            if starting
            else f"no complete bundle in {locker}"
        )
        resource = None
    else:
        age = now - newest.run_started
        hours = age.total_seconds() / 3600
        status = Status.PASS if age <= cadence else Status.FAIL
        verdict = "within" if status is Status.PASS else "older than"
        message = (
            f"newest bundle {newest.bundle_id} started {format_time(newest.run_started)}, "
            f"{hours:.1f} h before {format_time(now)}: {verdict} the {cadence.total_seconds() / 3600:g} h cadence"
        )
        resource = newest.bundle_id
    return Finding(
        rule_id=RULE_ID,
        title=TITLE,
        status=status,
        severity="high",
        controls=("SOC2-CC8.1",),
        resource_id=resource,
        evidence=f"{locker}/{resource}/manifest.json" if resource else locker,
        message=message,
        rationale=RATIONALE,
        remediation=REMEDIATION,
        plane="evidence",
    )
