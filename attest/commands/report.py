"""`attest report`: render the auditor documents and CI formats from a bundle or a findings file."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from attest.collector.config import load_config
from attest.core.errors import BadInputError, UsageError
from attest.evidence.keys import KeySource, kms_fetcher
from attest.evidence.lockers import LocalLocker
from attest.evidence.verify import Expectations, verify_bundle
from attest.output import write_files, write_text
from attest.reports.inputs import load_inputs
from attest.reports.model import build_model
from attest.reports.render import FORMATS, render
from attest.reports.unverified import mark_unverified

EPILOG = """\
examples:
  attest report <locker>/<bundle_id> --output out/reports    # verifies the bundle, uses its own config/attest.yaml
  attest report findings.json --snapshot snapshot.json --config attest.yaml --output out/reports
  attest report findings.json --snapshot snapshot.json --format summary >> "$GITHUB_STEP_SUMMARY"
  attest report findings.json --snapshot snapshot.json --format sarif --output out/ci
"""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "report",
        help="render control mapping, vendor and waiver registers, findings, OSCAL, SARIF, JUnit, OCSF, CSV",
        description="Render reports from an evidence bundle directory or a findings.json file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", metavar="BUNDLE_OR_FINDINGS", help="bundle directory or findings.json")
    parser.add_argument("--snapshot", metavar="FILE", help="the snapshot the findings came from (required with a findings file)")
    parser.add_argument("--config", metavar="FILE", help="the estate config (attest.yaml) the vendor register needs; default: a bundle's config/attest.yaml")
    parser.add_argument("--force-config", action="store_true", help="render with a --config other than the one the "
                        "findings were computed with (refused otherwise); every page then says so")
    parser.add_argument("--format", choices=(*FORMATS, "all"), default="all", help="what to render (default: all)")
    parser.add_argument("--sarif-passes", action="store_true", help="keep passing results in the SARIF log (omitted by default)")
    parser.add_argument("--output", metavar="DIR", help="directory to write into; omit to print a single document to stdout")
    parser.add_argument("--public-key", metavar="PEM_FILE", help="check the bundle's signature with this PEM key")
    parser.add_argument(
        "--unverified", action="store_true",
        help="render a bundle without verifying it; every page is then marked NOT VERIFIED",
    )
    parser.set_defaults(run=run)


def _bundle_dir(target: str) -> Path | None:
    path = Path(target)
    if path.is_file() and path.name == "manifest.json":
        return path.parent
    return path if path.is_dir() else None


def _verify(bundle: Path, args: argparse.Namespace) -> list[str]:
    """Problems with the bundle's files, signature and link to the bundle before it (beside it)."""
    settings = load_config(args.config).evidence if args.config else None
    pem = settings.public_key_pem if settings else None
    if args.public_key:
        try:
            pem = Path(args.public_key).read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError) as exc:
            raise BadInputError(f"cannot read: {exc.__class__.__name__}", where=args.public_key) from None
    keys = KeySource(pem, kms_fetcher(os.environ), args.public_key or "evidence.signing.public_key")
    expect = Expectations(required_key=settings.kms_key_id if settings else None)
    bundle = bundle.resolve()
    return [p.line() for p in verify_bundle(LocalLocker(bundle.parent), bundle.name, keys, expect)]


def run(args: argparse.Namespace) -> int:
    bundle = _bundle_dir(args.target)
    if bundle is not None and (bundle / "manifest.json").is_file() and not args.unverified:
        problems = _verify(bundle, args)
        if problems:
            for line in problems:
                sys.stderr.write(f"attest: PROBLEM {line}\n")
            sys.stderr.write(
                f"attest: {bundle}: not rendered: the bundle does not verify "
                "(pass --unverified to render it anyway, every page marked NOT VERIFIED)\n"
            )
            return 1
    inputs = load_inputs(args.target, args.snapshot, args.config, force_config=args.force_config)
    formats = FORMATS if args.format == "all" else (args.format,)
    model = build_model(inputs.results, inputs.snapshot, inputs.bundle, inputs.source, inputs.config_note)
    files = render(model, inputs.config, formats, sarif_passes=args.sarif_passes)
    if args.unverified:
        files = mark_unverified(files)
        sys.stderr.write("attest: --unverified: the bundle was not verified; every page and machine format says so, "
                         "except the CSVs\n")
    if args.output is None:
        if len(files) != 1:
            raise UsageError(f"--format {args.format} writes {len(files)} files: pass --output DIR")
        write_text(next(iter(files.values())), None)
        return 0
    for target in write_files(files, args.output):
        print(target)
    return 0
