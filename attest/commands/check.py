"""`attest check`: judge a snapshot against the policies; exit 0 satisfied, 1 violations, 3 errors."""
from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any

from attest.output import write_text
from attest.core.errors import UsageError
from attest.core.gcpause import paused_gc
from attest.policies.check import load_snapshots, parse_day, render_text, run_check
from attest.policies.rule_loader import POLICIES_DIR
from attest.policies.terraform.plane import with_terraform
from attest.reports.model import build_model
from attest.reports.sarif import render_sarif


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="evaluate a snapshot against the policies",
        description="Evaluate a snapshot against the controls and rules. Exit 0 when every control is "
        "satisfied, 1 on any violation, 3 when something could not be evaluated, 2 on bad input.",
    )
    parser.add_argument("--snapshot", required=True, action="append", help="the snapshot file (from attest collect); "
                        "repeat it to check partial snapshots (one per account group) merged as one")
    parser.add_argument("--config", required=True, help="the estate config (attest.yaml)")
    parser.add_argument("--format", choices=("text", "json", "sarif"), default="text",
                        help="sarif: a SARIF 2.1.0 log for code scanning (passing results omitted)")
    parser.add_argument("--sarif-passes", action="store_true", help="with --format sarif, keep passing results")
    parser.add_argument("--output", "-o", help="write the results here (default: stdout)")
    parser.add_argument("--policies", default=str(POLICIES_DIR), help="directory with controls.yaml and rules/")
    parser.add_argument("--waivers", help="waivers file (default: <policies>/waivers.yaml)")
    parser.add_argument("--today", help="date for waiver expiry, YYYY-MM-DD (default: the snapshot's date)")
    parser.add_argument("--terraform", metavar="DIR", help="also check this Terraform root module: checkov "
                        "(from .venv-checkov) with our checks, and drift against the snapshot")
    parser.add_argument("--terraform-state", metavar="FILE", help="`terraform show -json` state or plan for "
                        "--terraform, so drift compares recorded values")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.sarif_passes and args.format != "sarif":
        raise UsageError("--sarif-passes needs --format sarif")
    if args.terraform_state and not args.terraform:
        raise UsageError("--terraform-state needs --terraform DIR")
    today = parse_day(args.today, "--today") if args.today else None
    results = run_check(args.snapshot, args.config, policies_dir=args.policies, waivers_path=args.waivers, today=today)
    if args.terraform:
        with tempfile.TemporaryDirectory(prefix="attest-check-") as work:
            snapshot = _one_file(args.snapshot, Path(work))
            results = with_terraform(results, args.terraform, snapshot, args.config, policies_dir=args.policies,
                                     waivers_path=args.waivers, today=today, show_json=args.terraform_state)
    with paused_gc():  # 100,000 findings become millions of small objects: no collection walks them all
        if args.format == "sarif":
            text = render_sarif(build_model(results, load_snapshots(args.snapshot), None), keep_passing=args.sarif_passes)
        else:
            text = results.to_json() if args.format == "json" else render_text(results)
    write_text(text, args.output)
    return results.exit_code()


def _one_file(paths: list[str], work: Path) -> str:
    """The snapshot as one file for the Terraform plane: the given one, or the partials merged into `work`."""
    if len(paths) == 1:
        return paths[0]
    merged = work / "merged-snapshot.json"
    merged.write_text(load_snapshots(paths).to_json(), encoding="utf-8")
    return str(merged)
