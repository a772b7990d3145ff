"""`attest export`: collect, check, report, and write one signed, chained bundle to the evidence locker.

Exit codes follow the check: 0 all satisfied, 1 violations (or a stale locker), 2 bad input,
3 could not evaluate. The bundle is written whatever the verdict: a failing night is evidence too.
An empty locker is bad input unless `--new-chain` says to start a chain there (checked before
collecting), so a mistyped locker never silently starts a new chain. `--terraform` and `--code` add
the static planes to the same findings and bundle, as `attest check` does.
"""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone
from typing import Any

from attest.commands.planes import add_plane_arguments, static_planes
from attest.output import write_text
from attest.pipeline import copy_files, export_snapshot, newest_bundle, require_chain_choice
from attest.collector.config import load_config
from attest.collector.run import collect
from attest.collector.snapshot import load_snapshot
from attest.policies.rule_loader import POLICIES_DIR


def register(sub: Any) -> None:
    parser = sub.add_parser("export", help="collect, check, report and write a bundle to the evidence locker")
    parser.add_argument("--config", required=True, help="the estate config (attest.yaml)")
    parser.add_argument("--locker", help="directory or s3://bucket/prefix (default: the config's evidence.locker)")
    parser.add_argument("--snapshot", metavar="FILE", help="bundle this snapshot instead of collecting")
    parser.add_argument("--copy-to", metavar="DIR", help="also write the bundle's files here (for a CI artifact)")
    parser.add_argument("--summary", metavar="FILE", help="append a Markdown summary here (e.g. $GITHUB_STEP_SUMMARY)")
    parser.add_argument(
        "--new-chain", action="store_true",
        help="start a new chain: required for the first bundle in an empty locker, refused otherwise",
    )
    parser.add_argument("--policies", default=str(POLICIES_DIR), help="directory with controls.yaml and rules/")
    parser.add_argument("--waivers", help="waivers file (default: <policies>/waivers.yaml)")
    add_plane_arguments(parser)
    parser.set_defaults(run=run)


def _now() -> datetime:
    return datetime.now(timezone.utc)


def run(args: argparse.Namespace) -> int:
    planes = static_planes(args)
    config = load_config(args.config)
    location = args.locker or config.evidence.locker
    require_chain_choice(location, newest_bundle(location, config.evidence, os.environ), args.new_chain)
    snapshot = load_snapshot(args.snapshot) if args.snapshot else collect(config, os.environ, now=_now)
    done = export_snapshot(
        snapshot,
        config,
        locker_location=location,
        policies=args.policies,
        waivers_path=args.waivers,
        environ=os.environ,
        now=_now,
        new_chain=args.new_chain,
        planes=planes,
    )
    if args.copy_to:
        copy_files(done.files, args.copy_to)
    if args.summary:
        with open(args.summary, "a", encoding="utf-8") as handle:
            handle.write(done.summary())
    for name in done.swept:
        sys.stderr.write(f"attest: swept {done.locker}/{name}: left by an earlier export that did not finish\n")
    write_text(f"{done.locker}/{done.published.manifest.bundle_id}\n", None)
    published = done.published
    sys.stderr.write(
        f"attest: receipt: --expect-head {published.manifest.bundle_id}@{published.manifest_sha256}\n"
    )
    sys.stderr.write(f"attest: {done.freshness.rule_id} {done.freshness.status.value}: {done.freshness.message}\n")
    if done.refused is not None:
        sys.stderr.write(f"attest: {done.refused.diagnostic()} (the bundle holds the live evidence and this as an "
                         "error finding)\n")
    return done.exit_code
