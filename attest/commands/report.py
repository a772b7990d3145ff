"""`attest report`: render the auditor documents and CI formats from a bundle or a findings file."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from attest.output import write_text
from attest.core.errors import UsageError
from attest.reports.inputs import load_inputs
from attest.reports.model import build_model
from attest.reports.render import FORMATS, render

EPILOG = """\
examples:
  attest report <locker>/<bundle_id> --output out/reports    # uses the bundle's own config/attest.yaml
  attest report findings.json --snapshot snapshot.json --config attest.yaml --output out/reports
  attest report findings.json --snapshot snapshot.json --format summary >> "$GITHUB_STEP_SUMMARY"
  attest report findings.json --snapshot snapshot.json --format sarif --output out/ci
"""


def register(sub: Any) -> None:
    parser = sub.add_parser(
        "report",
        help="render control mapping, vendor and waiver registers, findings, OSCAL, SARIF, JUnit",
        description="Render reports from an evidence bundle directory or a findings.json file.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("target", metavar="BUNDLE_OR_FINDINGS", help="bundle directory or findings.json")
    parser.add_argument("--snapshot", metavar="FILE", help="the snapshot the findings came from (required with a findings file)")
    parser.add_argument("--config", metavar="FILE", help="the estate config (attest.yaml) the vendor register needs; default: a bundle's config/attest.yaml")
    parser.add_argument("--format", choices=(*FORMATS, "all"), default="all", help="what to render (default: all)")
    parser.add_argument("--sarif-passes", action="store_true", help="keep passing results in the SARIF log (omitted by default)")
    parser.add_argument("--output", metavar="DIR", help="directory to write into; omit to print a single document to stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    inputs = load_inputs(args.target, args.snapshot, args.config)
    formats = FORMATS if args.format == "all" else (args.format,)
    model = build_model(inputs.results, inputs.snapshot, inputs.bundle, inputs.source)
    files = render(model, inputs.config, formats, sarif_passes=args.sarif_passes)
    if args.output is None:
        if len(files) != 1:
            raise UsageError(f"--format {args.format} writes {len(files)} files: pass --output DIR")
        write_text(next(iter(files.values())), None)
        return 0
    for name, content in files.items():
        target = Path(args.output) / name
        write_text(content, str(target))
        print(target)
    return 0
