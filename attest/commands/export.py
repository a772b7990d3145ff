"""`attest export`: collect, check, report, and write one signed, chained bundle to the evidence locker.

Exit codes follow the check: 0 all satisfied, 1 violations (or a stale locker), 2 bad input,
3 could not evaluate. The bundle is written whatever the verdict: a failing night is evidence too.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from attest.output import write_text
from collector.config import EstateConfig, load_config
from collector.run import collect
from collector.snapshot import Snapshot, load_snapshot
from evidence.bundle import Published, newest_link, write_bundle
from evidence.canonical import sha256_hex
from evidence.export import FINDINGS, SNAPSHOT, bundle_files, kms_signer
from evidence.freshness import freshness_finding
from evidence.lockers import open_locker
from evidence.manifest import bundle_id_for
from policies.engine import evaluate
from policies.findings import Finding, Results, Status
from policies.rule_loader import POLICIES_DIR, load_policy_set
from policies.waivers import load_waivers
from reports.bundle import BundleRef
from reports.render import SUMMARY_FILE, render_all


def register(sub: Any) -> None:
    parser = sub.add_parser("export", help="collect, check, report and write a bundle to the evidence locker")
    parser.add_argument("--config", required=True, help="the estate config (attest.yaml)")
    parser.add_argument("--locker", help="directory or s3://bucket/prefix (default: the config's evidence.locker)")
    parser.add_argument("--snapshot", metavar="FILE", help="bundle this snapshot instead of collecting")
    parser.add_argument("--copy-to", metavar="DIR", help="also write the bundle's files here (for a CI artifact)")
    parser.add_argument("--summary", metavar="FILE", help="append a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument("--policies", default=str(POLICIES_DIR), help="directory with controls.yaml and rules/")
    parser.add_argument("--waivers", help="waivers file (default: <policies>/waivers.yaml)")
    parser.set_defaults(run=run)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _check(snapshot: Snapshot, config: EstateConfig, policies: str, waivers_path: str | None) -> Results:
    """The same evaluation as `attest check`, on the snapshot in hand."""
    policy = load_policy_set(policies)
    day = snapshot.collected_at.date()
    waivers = load_waivers(waivers_path or Path(policies) / "waivers.yaml", [r.id for r in policy.rules], day)
    return evaluate(snapshot, config, policy, waivers, today=day)


def _summary(published: Published, locker: str, results: Results, freshness: Finding, reports_summary: str) -> str:
    counts = {s: sum(1 for f in results.findings if f.status is s) for s in Status}
    lines = [
        "## Evidence bundle",
        "",
        f"- bundle `{published.manifest.bundle_id}` in `{locker}`"
        + (" (signed with KMS)" if published.signed else " (unsigned: no evidence.signing.kms_key_id)"),
        f"- manifest sha256 `{published.manifest_sha256}`",
        "- findings: " + ", ".join(f"{counts[s]} {s.value}" for s in Status),
        f"- {freshness.rule_id} **{freshness.status.value}**: {freshness.message}",
        "",
    ]
    return "\n".join(lines) + "\n" + reports_summary


def _copy(files: dict[str, bytes], directory: str) -> None:
    for path, data in files.items():
        target = Path(directory) / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    settings = config.evidence
    locker = open_locker(args.locker or settings.locker, settings, os.environ, create=True)
    started = _now()
    previous = newest_link(locker)
    cadence = timedelta(hours=settings.cadence_hours)
    freshness = freshness_finding(previous[1] if previous else None, started, cadence, locker.location, starting=True)
    snapshot = load_snapshot(args.snapshot) if args.snapshot else collect(config, os.environ, now=_now)
    snapshot_json = snapshot.to_json()
    results = _check(snapshot, config, args.policies, args.waivers)
    findings_json = results.to_json()
    bundle_id = bundle_id_for(started, snapshot_json.encode("utf-8"))
    digests = {SNAPSHOT: sha256_hex(snapshot_json.encode("utf-8")), FINDINGS: sha256_hex(findings_json.encode("utf-8"))}
    reports = render_all(results, snapshot, config, bundle=BundleRef(bundle_id, digests), source=FINDINGS)
    files = bundle_files(config, snapshot_json, findings_json, freshness, reports)
    published = write_bundle(
        locker,
        bundle_id=bundle_id,
        files=files,
        run_started=started,
        run_finished=_now(),
        identity=snapshot.identity.to_dict(),
        policy_digest=results.policy_digest,
        config_digest=config.digest,
        signer=kms_signer(config, os.environ, _now),
    )
    if args.copy_to:
        _copy(files, args.copy_to)
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as handle:
            handle.write(_summary(published, locker.location, results, freshness, str(reports.get(SUMMARY_FILE, ""))))
    write_text(f"{locker.location}/{bundle_id}\n", None)
    sys.stderr.write(f"attest: {freshness.rule_id} {freshness.status.value}: {freshness.message}\n")
    return 1 if freshness.status is Status.FAIL else results.exit_code()
