"""`attest check`: judge a snapshot and/or Terraform roots against the policies; exit 0 satisfied,
1 violations, 3 errors."""
from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path
from typing import Any

from attest.collector.config import load_config
from attest.core.errors import UsageError
from attest.core.gcpause import paused_gc
from attest.output import write_text
from attest.policies.check import check_loaded, load_snapshots, parse_day, render_text, require_coverage, run_check
from attest.policies.findings import Results
from attest.policies.rule_loader import POLICIES_DIR
from attest.policies.terraform.plane import TerraformInputs, with_terraform


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "check",
        help="evaluate a snapshot and/or Terraform roots against the policies",
        description="Evaluate a snapshot, Terraform roots, or both, against the controls and rules. Exit 0 when "
        "every control is satisfied, 1 on any violation, 3 when something could not be evaluated, 2 on bad input.",
    )
    parser.add_argument("--snapshot", action="append", help="the snapshot file (from attest collect); repeat it to "
                        "check partial snapshots (one per account group) merged as one; without it, --terraform "
                        "judges the roots' source alone")
    parser.add_argument("--config", help="the estate config (attest.yaml); needed with --snapshot; with --terraform "
                        "alone it names the reference and PHI projects and the approved ranges")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--output", "-o", help="write the results here (default: stdout)")
    parser.add_argument("--policies", default=str(POLICIES_DIR), help="directory with controls.yaml and rules/")
    parser.add_argument("--waivers", help="waivers file (default: <policies>/waivers.yaml)")
    parser.add_argument("--today", help="date for waiver expiry, YYYY-MM-DD (default: the snapshot's date, else today)")
    parser.add_argument("--terraform", metavar="DIR", action="append", help="also check this Terraform root module "
                        "(repeatable): checkov with our checks, the estate-aware static rules, and drift against "
                        "the snapshot when one is given")
    parser.add_argument("--terraform-state", metavar="FILE", help="`terraform show -json` state or plan for "
                        "--terraform, so drift compares recorded values")
    parser.add_argument("--reference-project", metavar="ID_OR_NAME", action="append", default=[],
                        help="an Atlas project that holds reference data (repeatable), for --terraform without a "
                        "config, or beside it")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    if args.terraform_state and not args.terraform:
        raise UsageError("--terraform-state needs --terraform DIR")
    if not args.snapshot and not args.terraform:
        raise UsageError("give --snapshot FILE, --terraform DIR, or both")
    if args.snapshot and not args.config:
        raise UsageError("--snapshot needs --config (the estate config the snapshot was collected with)")
    today = parse_day(args.today, "--today") if args.today else None
    if not args.terraform:
        results = run_check(args.snapshot, args.config, policies_dir=args.policies, waivers_path=args.waivers,
                            today=today)
    else:
        results = _with_terraform(args, today)
    with paused_gc():  # 100,000 findings become millions of small objects: no collection walks them all
        text = results.to_json() if args.format == "json" else render_text(results)
    write_text(text, args.output)
    return results.exit_code()


def _with_terraform(args: argparse.Namespace, today: dt.date | None) -> Results:
    """Load the snapshot and config once; judge the live plane (if any), then the roots."""
    config = load_config(args.config) if args.config else None
    snapshot = None
    results = None
    with paused_gc():
        if args.snapshot and config is not None:
            snapshot = load_snapshots(args.snapshot)
            if len(args.snapshot) > 1:
                require_coverage(snapshot, config)
            results = check_loaded(snapshot, config, args.policies, args.waivers, today)
    inputs = TerraformInputs(
        roots=tuple(Path(d) for d in args.terraform),
        show_json=Path(args.terraform_state) if args.terraform_state else None,
        reference_projects=tuple(args.reference_project),
    )
    return with_terraform(results, inputs, snapshot, config, policies_dir=args.policies,
                          waivers_path=args.waivers, today=today)
