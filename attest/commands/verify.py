"""`attest verify [LOCKER]`: re-hash, check signatures, walk the chain, check freshness. Exit 1 on any problem."""
from __future__ import annotations

import argparse
import json
import os
from datetime import datetime, timedelta, timezone
from typing import Any

from attest.output import write_text
from attest.collector.config import EvidenceConfig, load_config
from attest.core.errors import BadInputError
from attest.collector.snapshot import format_time, parse_time
from attest.evidence.freshness import freshness_finding
from attest.evidence.keys import KeySource, kms_fetcher
from attest.evidence.lockers import open_locker
from attest.evidence.rollback import parse_receipt
from attest.evidence.signing import load_public_key
from attest.evidence.verify import Expectations, Verification, verify_locker
from attest.policies.findings import Finding, Status


def register(sub: Any) -> None:
    parser = sub.add_parser("verify", help="verify every bundle in an evidence locker")
    parser.add_argument("locker", nargs="?", help="directory or s3://bucket/prefix (default: evidence.locker)")
    parser.add_argument("--config", help="estate config: supplies the locker, cadence and signing public key")
    parser.add_argument("--public-key", metavar="PEM_FILE", help="check signatures with this PEM key")
    parser.add_argument(
        "--no-signatures", action="store_true",
        help="do not check signatures even if bundles are signed (stated in the output)",
    )
    parser.add_argument("--cadence-hours", type=int, help="largest allowed gap between bundles (default 26)")
    parser.add_argument(
        "--as-of", metavar="TIME",
        help="judge freshness as of this UTC time (default: now); earlier than the newest bundle is refused",
    )
    parser.add_argument(
        "--expect-head", metavar="BUNDLE_ID[@SHA256]",
        help="the head of an earlier receipt (export prints it): it must still be in the chain, unchanged",
    )
    parser.add_argument("--since", metavar="TIME", help="the newest bundle must have started at or after this UTC time")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.add_argument("--output", help="write the report here instead of stdout")
    parser.set_defaults(run=run)


def _settings(args: argparse.Namespace) -> EvidenceConfig:
    settings = load_config(args.config).evidence if args.config else EvidenceConfig()
    if args.cadence_hours is not None:
        if args.cadence_hours <= 0:
            raise BadInputError("must be a positive number of hours", where="--cadence-hours")
        settings = EvidenceConfig(**{**settings.__dict__, "cadence_hours": args.cadence_hours})
    if args.public_key:
        try:
            with open(args.public_key, encoding="ascii") as handle:
                pem = handle.read()
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=args.public_key) from None
        load_public_key(pem, args.public_key)
        settings = EvidenceConfig(**{**settings.__dict__, "public_key_pem": pem})
    return settings


def render_text(result: Verification, freshness: Finding, skipped: bool) -> str:
    lines = [f"locker: {result.locker}"]
    if result.bundles:
        span = f"{result.bundles[0]} .. {result.bundles[-1]}"
        lines.append(f"bundles: {len(result.bundles)} complete, {span}; HEAD {result.head}")
    else:
        lines.append("bundles: none complete")
    if result.signatures_checked:
        checked = f"checked with {result.signature_key}"
    else:
        checked = "NOT checked (--no-signatures given)" if skipped else "not checked (no public key)"
    lines.append(f"signatures: {checked}")
    lines.append(f"rollback: {result.rollback}")
    lines.extend(f"PROBLEM {p.line()}" for p in result.problems)
    lines.extend(f"note: {n}" for n in result.notes)
    lines.append(f"{freshness.rule_id} {freshness.status.value}: {freshness.message}")
    failures = len(result.problems) + (freshness.status is not Status.PASS)
    lines.append("verdict: " + ("intact" if not failures else f"{failures} problem(s)"))
    return "\n".join(lines) + "\n"


def run(args: argparse.Namespace) -> int:
    settings = _settings(args)
    now = parse_time(args.as_of, "--as-of") if args.as_of else datetime.now(timezone.utc)
    cadence = timedelta(hours=settings.cadence_hours)
    expect = Expectations(
        required_key=settings.kms_key_id,
        receipt=parse_receipt(args.expect_head) if args.expect_head else None,
        since=parse_time(args.since, "--since") if args.since else None,
    )
    locker = open_locker(args.locker or settings.locker, settings, os.environ, create=False)
    if args.no_signatures and args.public_key:
        raise BadInputError("give --public-key or --no-signatures, not both", where="--no-signatures")
    keys = KeySource(None if args.no_signatures else settings.public_key_pem, kms_fetcher(os.environ))
    result = verify_locker(locker, None, cadence, skip_signatures=args.no_signatures, keys=keys, expect=expect)
    if result.newest is not None and now < result.newest.run_started:
        when = args.as_of or f"now ({format_time(now)})"
        raise BadInputError(
            f"{when} is before the newest bundle {result.newest.bundle_id} started "
            f"({format_time(result.newest.run_started)}): freshness cannot be judged before the evidence existed",
            where="--as-of" if args.as_of else locker.location,
        )
    freshness = freshness_finding(result.newest, now, cadence, locker.location)
    if args.format == "json":
        text = json.dumps({**result.to_dict(), "signatures_skipped": args.no_signatures, "freshness": freshness.to_dict()}, indent=2, sort_keys=True) + "\n"
    else:
        text = render_text(result, freshness, args.no_signatures)
    write_text(text, args.output)
    return 1 if result.problems or freshness.status is not Status.PASS else 0
