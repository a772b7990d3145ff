"""Small real inputs for bundle tests: a two-resource snapshot, its findings, one rendered report."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from attest.collector.snapshot import Gap, Identity, Resource, Snapshot
from attest.evidence.bundle import Published, Signer, write_bundle
from attest.evidence.lockers import Locker
from attest.evidence.manifest import bundle_id_for
from attest.policies.findings import Finding, Results, Status

START = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)
NIGHT = timedelta(hours=24)
CADENCE = timedelta(hours=26)


def snapshot_at(moment: datetime) -> Snapshot:
    return Snapshot.build(
        collected_at=moment,
        collector_version="0.1.0",
        identity=Identity(("arn:aws:sts::123456789012:assumed-role/attest-nightly/gha",), "abcdefgh"),
        scope={"aws_accounts": [{"id": "123456789012"}]},
        resources=[
            Resource("arn:aws:kms:us-east-1:123456789012:key/k1", "aws.kms.key", "aws", "123456789012",
                     "us-east-1", ("kms:DescribeKey",), {"KeyRotationEnabled": True}),
        ],
        gaps=[Gap("atlas", "atlas:getGroupAuditLog", "6a70", None, "access_denied", "403", ("atlas.audit_log",))],
    )


def results_for(snapshot: Snapshot) -> Results:
    finding = Finding("KMS-001", "Rotation on", Status.PASS, "high", ("CC6.7",),
                      snapshot.resources[0].id, "/resources/0", "rotation enabled")
    return Results(snapshot.to_dict()["collected_at"], "sha256:00", "sha256:policy", (), (finding,), ())


def bundle_files(moment: datetime) -> dict[str, bytes]:
    snapshot = snapshot_at(moment)
    return {
        "snapshot.json": snapshot.to_json().encode(),
        "findings.json": results_for(snapshot).to_json().encode(),
        "reports/summary.md": b"# Summary\n\n1 pass\n",
    }


def export_one(locker: Locker, moment: datetime, signer: Signer | None = None) -> Published:
    files = bundle_files(moment)
    return write_bundle(
        locker,
        bundle_id=bundle_id_for(moment, files["snapshot.json"]),
        files=files,
        run_started=moment,
        run_finished=moment + timedelta(minutes=3),
        identity=snapshot_at(moment).identity.to_dict(),
        policy_digest="sha256:policy",
        config_digest="sha256:config",
        signer=signer,
    )
