"""A hand-built ten-night chain for the period view (not derived from the sandbox estates).

An EU estate: one account (555566667777, eu-west-1) running a `billing-api` ECS service.
  nights 1-10: 2026-03-01 .. 2026-03-10, each exported at 02:00Z; night 7 was missed.
  CC6.1 passes every night.
  CC8.1 fails nights 3-5: revision 12 of billing-api was registered by hand (alice, no git_sha);
        revision 13 (deploy role, git_sha tag, registeredAt 2026-03-06) fixes it from night 6.
  CC7.2 could not be evaluated on night 6: cloudtrail:DescribeTrails was denied, a gap of the snapshot
        recorded in findings.json as the policy engine records it (`gaps`, with the controls resting on it).
  CC6.6 rests on waiver W-9 for a partner IP range until it expires on 2026-03-08: waived, then failing.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

from attest.collector.snapshot import GAP_REASON_LABELS, Gap, Identity, Resource, Snapshot
from attest.evidence.bundle import write_bundle
from attest.evidence.lockers import LocalLocker
from attest.evidence.manifest import bundle_id_for
from attest.policies.findings import ControlResult, Finding, Mapping, Results, Status, WaiverRef, rollup

ACCOUNT = "555566667777"
REGION = "eu-west-1"
FIRST = date(2026, 3, 1)
MISSED = date(2026, 3, 7)
TD = f"arn:aws:ecs:{REGION}:{ACCOUNT}:task-definition/billing-api:"
PARTNER = f"arn:aws:ec2:{REGION}:{ACCOUNT}:security-group-rule/sgr-partner"
DEPLOY = f"arn:aws:iam::{ACCOUNT}:role/deploy-pipeline"
ALICE = f"arn:aws:iam::{ACCOUNT}:user/alice"
W9 = WaiverRef(id="W-9", reason="Partner SFTP range until the VPN cut-over", owner="ops@eu.example",
               issue="SEC-77", approved_by="ciso@eu.example", expires="2026-03-08")


TRAIL_DENIED = Gap("aws", "cloudtrail:DescribeTrails", ACCOUNT, REGION, "access_denied", "AccessDeniedException",
                   ("aws.cloudtrail.trail",))


def _task(revision: int, by: str, at: str | None, git_sha: str | None) -> Resource:
    attrs: dict[str, Any] = {"family": "billing-api", "revision": revision, "registeredBy": by,
                             "tags": [{"key": "git_sha", "value": git_sha}] if git_sha else []}
    if at:
        attrs["registeredAt"] = at
    return Resource(f"{TD}{revision}", "aws.ecs.task_definition", "aws", ACCOUNT, REGION,
                    ("ecs:DescribeTaskDefinition",), attrs)


def night_inputs(day: date) -> tuple[Snapshot, Results]:
    n = (day - FIRST).days + 1
    tasks = [_task(11, DEPLOY, None, "a1b2c3")]
    if n >= 3:
        tasks.append(_task(12, ALICE, None, None))
    if n >= 6:
        tasks.append(_task(13, DEPLOY, "2026-03-06T09:12:00Z", "d4e5f6"))
    collected = datetime(day.year, day.month, day.day, 2, 0, tzinfo=timezone.utc)
    snapshot = Snapshot.build(
        collected_at=collected, collector_version="0.1.0",
        identity=Identity((f"arn:aws:sts::{ACCOUNT}:assumed-role/attest-reader/nightly",), "eu-key-01"),
        scope={"aws_accounts": [{"id": ACCOUNT, "name": "billing", "regions": [REGION]}]},
        resources=[*tasks, Resource(PARTNER, "aws.ec2.security_group_rule", "aws", ACCOUNT, REGION,
                                    ("ec2:DescribeSecurityGroupRules",), {"CidrIpv4": "192.0.2.0/28"})],
        gaps=[TRAIL_DENIED] if n == 6 else [],
    )
    newest = tasks[-1].id
    findings = [
        Finding("IAM-001", "Collector role is read-only", Status.PASS, "high", ("CC6.1",), None, "/identity", "read-only"),
        Finding("ECS-PROV", "Running revision has pipeline provenance", Status.FAIL if 3 <= n <= 5 else Status.PASS,
                "high", ("CC8.1",), newest, snapshot.pointer(newest),
                "registered by hand, no git_sha" if 3 <= n <= 5 else "registered by the deploy role"),
        Finding("LOG-TRAIL", "CloudTrail is on", Status.ERROR if n == 6 else Status.PASS, "medium", ("CC7.2",),
                None, "/gaps/0" if n == 6 else "/resources/0",
                "evidence incomplete: cloudtrail:DescribeTrails was denied" if n == 6 else "trail on"),
        Finding("NET-PARTNER", "Ingress only from approved ranges", Status.WAIVED if day <= date(2026, 3, 8) else Status.FAIL,
                "medium", ("CC6.6",), PARTNER, snapshot.pointer(PARTNER), "192.0.2.0/28 is not approved", waiver=W9),
    ]
    gaps = tuple({**g.to_dict(), "pointer": f"/gaps/{i}", "label": GAP_REASON_LABELS[g.reason], "controls": ["CC7.2"]}
                 for i, g in enumerate(snapshot.gaps))
    controls = tuple(
        ControlResult(cid, "SOC 2", title, "", "", rollup(f.status for f in findings if cid in f.controls),
                      tuple(Mapping(f.rule_id, "") for f in findings if cid in f.controls),
                      scope_limitations=tuple(g["pointer"] for g in gaps if cid in g["controls"]))
        for cid, title in (("CC6.1", "Logical access"), ("CC6.6", "Boundary protection"),
                           ("CC7.2", "Monitoring"), ("CC8.1", "Change management"))
    )
    results = Results(snapshot.to_dict()["collected_at"], "sha256:" + "0" * 64, "sha256:" + "1" * 64, controls,
                      tuple(findings), (W9,), gaps=gaps, evaluated_on=day.isoformat())
    return snapshot, results


def build_chain(locker: LocalLocker, days: int = 10, missed: tuple[date, ...] = (MISSED,)) -> list[str]:
    ids = []
    for offset in range(days):
        day = FIRST + timedelta(days=offset)
        if day in missed:
            continue
        snapshot, results = night_inputs(day)
        snapshot_bytes = snapshot.to_json().encode()
        moment = snapshot.collected_at
        published = write_bundle(
            locker, bundle_id=bundle_id_for(moment, snapshot_bytes),
            files={"snapshot.json": snapshot_bytes, "findings.json": results.to_json().encode()},
            run_started=moment, run_finished=moment + timedelta(minutes=4), identity=snapshot.identity.to_dict(),
            policy_digest=results.policy_digest, config_digest="sha256:" + "2" * 64, signer=None,
        )
        ids.append(published.manifest.bundle_id)
    return ids
