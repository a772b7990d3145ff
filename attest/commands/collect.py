"""`attest collect`: read the live estate into a snapshot (stdout, or --output)."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import datetime, timezone
from typing import Any

from attest.output import write_text
from attest.collector.config import load_config
from attest.collector.run import collect


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "collect",
        help="read live AWS and Atlas state into a snapshot",
        description="Read live AWS and Atlas state into a snapshot. Gaps (what could not be read) are "
        "part of the evidence: the command exits 0 whenever it wrote a snapshot.",
    )
    parser.add_argument("--config", required=True, help="the estate config (attest.yaml)")
    parser.add_argument("--output", "-o", help="write the snapshot here (default: stdout)")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    snapshot = collect(config, os.environ, now=lambda: datetime.now(timezone.utc))
    write_text(snapshot.to_json(), args.output)
    count = len(snapshot.gaps)
    resources = len(snapshot.resources)
    sys.stderr.write(f"attest: collected {resources} resources, {count} gap{'s' if count != 1 else ''}\n")
    return 0
