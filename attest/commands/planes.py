"""The flags that name the static planes (`--terraform`, `--terraform-state`, `--reference-project`,
`--code`), shared by `attest check` and `attest export` so both read them the same way."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from attest.core.errors import BadInputError, UsageError
from attest.policies.planes import StaticPlanes


def add_plane_arguments(parser: Any) -> None:
    parser.add_argument("--terraform", metavar="DIR", action="append", help="also check this Terraform root module "
                        "(repeatable): checkov with our checks, the estate-aware static rules, and drift against "
                        "the snapshot when one is given")
    parser.add_argument("--code", metavar="DIR", action="append", help="also check this app repository's code "
                        "(repeatable): the PR guard's whole-repo scan (attest guard DIR, with DIR's "
                        ".attest-guard.yaml), its findings on the controls its rules name")
    parser.add_argument("--terraform-state", metavar="FILE", help="`terraform show -json` state or plan for "
                        "--terraform, so drift compares recorded values")
    parser.add_argument("--reference-project", metavar="ID_OR_NAME", action="append", default=[],
                        help="an Atlas project that holds reference data (repeatable), for --terraform without a "
                        "config, or beside it")


def static_planes(args: argparse.Namespace) -> StaticPlanes:
    """The planes the flags name, refused before any work (an export would otherwise collect for
    minutes first): `--terraform-state` without a root is a usage error, a root that is not a
    directory bad input."""
    if args.terraform_state and not args.terraform:
        raise UsageError("--terraform-state needs --terraform DIR")
    if args.terraform_state and len(args.terraform) != 1:
        raise UsageError("--terraform-state belongs to one root: give exactly one --terraform DIR with it")
    if args.terraform_state and not Path(args.terraform_state).is_file():
        raise BadInputError("not a file (`terraform show -json` output)", where=args.terraform_state)
    for root, what in [(d, "not a directory of Terraform files") for d in args.terraform or ()] + [
            (d, "not a directory") for d in args.code or ()]:
        if not Path(root).is_dir():
            raise BadInputError(what, where=root)
    terraform = None
    if args.terraform:
        from attest.policies.terraform.plane import TerraformInputs  # loaded only when a root is judged

        terraform = TerraformInputs(
            roots=tuple(Path(d) for d in args.terraform),
            show_json=Path(args.terraform_state) if args.terraform_state else None,
            reference_projects=tuple(args.reference_project),
        )
    return StaticPlanes(terraform, tuple(Path(d) for d in args.code or ()))
