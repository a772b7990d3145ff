"""`attest iam-policy`: print the least-privilege IAM policy document for collecting (and exporting)."""
from __future__ import annotations

import argparse
import json
from typing import Any

from attest.output import write_text
from attest.collector.config import load_config
from attest.evidence.iam import policy_document


def register(sub: Any) -> None:
    parser = sub.add_parser("iam-policy", help="print the IAM policy attest needs (read-only collect + export)")
    parser.add_argument("--config", required=True, help="estate config (accounts, roles, locker, signing key)")
    parser.add_argument("--locker", help="scope the export statements to this s3://bucket/prefix")
    parser.add_argument("--read-only", action="store_true", help="only the collector's read actions, no export")
    parser.add_argument("--output", help="write the policy here instead of stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    document = policy_document(config, args.locker, export=not args.read_only)
    write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", args.output)
    return 0
