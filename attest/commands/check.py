"""`attest check`: judge a snapshot, Terraform roots and/or app code against the policies; exit 0
satisfied, 1 violations, 3 errors."""
from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from attest.collector.config import load_config
from attest.collector.snapshot import Identity, Snapshot
from attest.core.errors import UsageError
from attest.core.gcpause import paused_gc
from attest.commands.planes import add_plane_arguments, static_planes
from attest.output import write_text, write_utf8
from attest.policies.check import check_loaded, load_snapshots, parse_day, render_text, require_coverage
from attest.policies.findings import Results
from attest.policies.planes import StaticPlanes, with_static_planes
from attest.policies.rule_loader import POLICIES_DIR


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="evaluate a snapshot, Terraform roots and/or app code against the policies",
        description="Evaluate a snapshot, Terraform roots, app code, or any of them together, against the controls "
        "and rules. Exit 0 when "
        "every control is satisfied, 1 on any violation, 3 when something could not be evaluated, 2 on bad input.",
    )
    parser.add_argument("--snapshot", action="append", help="the snapshot file (from attest collect); repeat it to "
                        "check partial snapshots (one per account group) merged as one; without it, --terraform "
                        "judges the roots' source alone")
    parser.add_argument("--config", help="the estate config (attest.yaml); needed with --snapshot; with --terraform "
                        "alone it names the reference and PHI projects and the approved ranges")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                        help="sarif: a SARIF 2.1.0 log for code scanning (passing results omitted)")
    parser.add_argument("--sarif-passes", action="store_true", help="with --format sarif, keep passing results")
    parser.add_argument("--output", "-o", help="write the results here (default: stdout)")
    parser.add_argument("--policies", default=str(POLICIES_DIR), help="directory with controls.yaml and rules/")
    parser.add_argument("--waivers", help="waivers file (default: <policies>/waivers.yaml)")
    parser.add_argument("--today", help="date for waiver expiry, YYYY-MM-DD (default: the snapshot's date, else today)")
    add_plane_arguments(parser)
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.sarif_passes and args.format != "sarif":
        raise UsageError("--sarif-passes needs --format sarif")
    planes = static_planes(args)
    if not args.snapshot and not args.terraform and not args.code:
        raise UsageError("give --snapshot FILE, --terraform DIR, --code DIR, or several of them")
    if args.snapshot and not args.config:
        raise UsageError("--snapshot needs --config (the estate config the snapshot was collected with)")
    today = parse_day(args.today, "--today") if args.today else None
    # A big snapshot and its findings are millions of small acyclic objects: while they are in memory
    # every automatic collection walks all of them. The collector resumes once `_judge` has returned
    # and freed them, so not even resuming it triggers a walk.
    with paused_gc():
        return _judge(args, planes, today)


def _judge(args: argparse.Namespace, planes: StaticPlanes, today: dt.date | None) -> int:
    snapshot, results = _evaluate(args, planes, today)
    if args.format == "json":
        write_utf8(results.to_json_bytes(), args.output)
    elif args.format == "sarif":
        # SARIF is imported when asked for: with the Terraform and code planes (policies/planes.py)
        # it was 0.15 s of start-up (half of this module's imports) that a check of a snapshot does not need.
        from attest.reports.model import build_model
        from attest.reports.sarif import render_sarif

        model = build_model(results, snapshot or _no_snapshot(results), None)
        write_text(render_sarif(model, keep_passing=args.sarif_passes), args.output)
    else:
        write_text(render_text(results), args.output)
    return results.exit_code()


def _evaluate(args: argparse.Namespace, planes: StaticPlanes, today: dt.date | None) -> tuple[Snapshot | None, Results]:
    """Load the snapshot and config once; judge the live plane (if any), then the roots (if any),
    then the code (if any)."""
    snapshot = None
    results = None
    if args.snapshot:
        snapshot = load_snapshots(args.snapshot)
    config = load_config(args.config) if args.config else None
    if snapshot is not None and config is not None:
        if len(args.snapshot) > 1:
            require_coverage(snapshot, config)
        # The text form shows verdicts, never what each pass cites nor the snapshot's digest.
        results = check_loaded(snapshot, config, args.policies, args.waivers, today, evidence=args.format != "text")
    results = with_static_planes(results, planes, snapshot, config, policies_dir=args.policies,
                                 waivers_path=args.waivers, today=today)
    if results is None:  # run() has refused this already: no --snapshot, --terraform or --code
        raise UsageError("give --snapshot FILE, --terraform DIR, --code DIR, or several of them")
    return snapshot, results


def _no_snapshot(results: Results) -> Snapshot:
    """The SARIF of Terraform roots or code judged alone: no live evidence, so an empty snapshot to cite against."""
    day = dt.date.fromisoformat(results.evaluated_on)
    return Snapshot.build(collected_at=dt.datetime(day.year, day.month, day.day, tzinfo=dt.timezone.utc),
                          collector_version="none (Terraform roots or code judged alone)", identity=Identity(), scope={},
                          resources=(), gaps=())
