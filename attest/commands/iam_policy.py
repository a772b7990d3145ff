"""`attest iam-policy`: print the least-privilege IAM policy document for one role (collect, export, verify)."""
from __future__ import annotations

import argparse
import json
from typing import Any

from attest.output import write_text
from attest.collector.config import load_config
from attest.core.errors import BadInputError
from attest.evidence.iam import ROLES, policy_document


def register(sub: Any) -> None:
    parser = sub.add_parser("iam-policy", help="print the least-privilege IAM policy for collect, export or verify")
    parser.add_argument("--config", required=True, help="estate config (accounts, regions, roles, locker, signing key)")
    parser.add_argument("--locker", help="scope the locker statements to this s3://bucket/prefix")
    parser.add_argument(
        "--role", choices=ROLES, default="export",
        help="collect: read the estate; export: collect + write the locker + kms:Sign (default); "
        "verify: read the locker + kms:GetPublicKey",
    )
    parser.add_argument("--read-only", action="store_true", help="same as --role collect")
    parser.add_argument("--output", help="write the policy here instead of stdout")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    document = policy_document(config, args.locker, role="collect" if args.read_only else args.role)
    if not document["Statement"]:
        raise BadInputError(
            f"the {args.role} role needs no AWS permission here (a local locker and no signing key)", where="--role"
        )
    write_text(json.dumps(document, indent=2, sort_keys=True) + "\n", args.output)
    return 0
