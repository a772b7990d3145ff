"""`attest period LOCKER --from DATE --to DATE`: the SOC 2 Type II period view over verified bundles."""
from __future__ import annotations

import argparse
import os
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from attest.collector.config import EvidenceConfig, load_config
from attest.core.errors import BadInputError, UsageError
from attest.evidence.keys import KeySource, kms_fetcher
from attest.evidence.lockers import open_locker
from attest.evidence.signing import load_public_key
from attest.evidence.verify import Expectations
from attest.evidence.window import verified_window
from attest.output import write_files, write_text
from attest.reports.period.model import PeriodModel
from attest.reports.period.render import PERIOD_MD, period_model, render_period

EPILOG = """\
examples:
  attest period out/evidence --from 2026-01-01 --to 2026-12-31 --public-key kms.pem --output audit/2026
  attest period s3://acme-evidence/prod --config attest.yaml --from 2026-01-01 --to 2026-06-30 \\
      --sample 25 --seed FY26-H1 --output audit/h1
"""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "period", help="SOC 2 Type II period view: per control, per night, over verified bundles",
        description="Render the status of every control for every night of an audit period, from the bundles "
        "of an evidence locker that verify; the views are written in every case. Exit 0 when every night has "
        "a verified bundle and nothing failed, 1 when a finding failed on some night, 3 when a night has no "
        "verified bundle or something could not be evaluated, 2 on bad input.",
        epilog=EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("locker", help="evidence locker: a directory or s3://bucket/prefix")
    parser.add_argument("--from", dest="start", required=True, metavar="DATE", help="first night, YYYY-MM-DD (UTC)")
    parser.add_argument("--to", dest="end", required=True, metavar="DATE", help="last night, YYYY-MM-DD (UTC)")
    parser.add_argument("--output", metavar="DIR", help="write period.md, period.html, period.csv and "
                        "period-changes.csv here; omit to print the Markdown")
    parser.add_argument("--config", help="estate config: supplies the cadence and signing public key")
    parser.add_argument("--public-key", metavar="PEM_FILE", help="check signatures with this PEM key")
    parser.add_argument("--no-signatures", action="store_true", help="do not check signatures (stated in the output)")
    parser.add_argument("--sample", type=int, metavar="N", help="draw N changes from the CC8.1 population")
    parser.add_argument("--seed", default="attest", metavar="S", help="seed of the sample draw (default: attest)")
    parser.set_defaults(run=run)


def _day(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise BadInputError(f"not a date (YYYY-MM-DD): {text!r}", where=flag) from None


def _settings(args: argparse.Namespace) -> EvidenceConfig:
    settings = load_config(args.config).evidence if args.config else EvidenceConfig()
    if args.public_key:
        try:
            pem = Path(args.public_key).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=args.public_key) from None
        load_public_key(pem, args.public_key)
        settings = EvidenceConfig(**{**settings.__dict__, "public_key_pem": pem})
    return settings


def run(args: argparse.Namespace) -> int:
    start, end = _day(args.start, "--from"), _day(args.end, "--to")
    if end < start:
        raise UsageError("--to is before --from")
    if args.sample is not None and args.sample < 1:
        raise UsageError("--sample must be a positive number")
    if args.no_signatures and args.public_key:
        raise UsageError("give --public-key or --no-signatures, not both")
    settings = _settings(args)
    locker = open_locker(args.locker, settings, os.environ, create=False)
    keys = KeySource(None if args.no_signatures else settings.public_key_pem, kms_fetcher(os.environ))
    window = verified_window(locker, None, timedelta(hours=settings.cadence_hours), start, end,
                             skip_signatures=args.no_signatures, keys=keys,
                             expect=Expectations(required_key=settings.kms_key_id))
    model = period_model(locker, window, args.sample, args.seed)
    files = render_period(model)
    if args.output is None:
        write_text(files[PERIOD_MD], None)
    else:
        for target in write_files(files, args.output):
            print(target)
    return period_exit_code(model)


def period_exit_code(model: PeriodModel) -> int:
    """The check's contract over the period: a failure anywhere is 1; otherwise a night without
    verified evidence, a bundle that did not verify or an `error` is 3 (never a silent 0)."""
    statuses = {status for episode in model.exceptions for status in episode.statuses}
    if "fail" in statuses:
        return 1
    return 3 if model.gaps or model.rejected or "error" in statuses else 0
