"""`attest config check CONFIG...`: lint an estate config offline before the first night.

Every check `collect` and `check` make on load (schema, types, references between sections, CIDRs,
account and project ids, regions, nesting) runs here, without credentials or network. Exit 0 when
every file is valid, 2 otherwise, with one `file:line: key: problem` line per bad file.
"""
from __future__ import annotations

import argparse
import sys
from typing import Any

from attest.collector.config import EstateConfig, load_config
from attest.core.errors import BadInputError

EPILOG = """\
examples:
  attest config check attest.yaml
  attest config check envs/*/attest.yaml      # every file; exit 2 if any is bad
"""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "config",
        help="work with the estate config (attest.yaml): `attest config check FILE`",
        description="Work with the estate config offline.",
    )
    parser.set_defaults(run=lambda _: _usage(parser))
    sub = parser.add_subparsers(dest="config_command", metavar="SUBCOMMAND", parser_class=type(parser))
    check = sub.add_parser(
        "check",
        help="validate estate configs offline (schema, references, CIDRs, ids, regions); exit 0 valid, 2 not",
        description="Validate estate configs offline, as collect and check would on load: schema, references "
        "between sections, CIDRs, AWS account and Atlas ids, regions. No network, no credentials.",
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    check.add_argument("configs", nargs="+", metavar="CONFIG", help="estate config file(s)")
    check.set_defaults(run=run_check)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help(sys.stderr)
    return 2


def _summary(config: EstateConfig) -> str:
    regions = sorted({r for a in config.aws_accounts for r in a.regions})
    ranges = sum(len(p.access_ranges) for p in config.atlas_projects)
    return (
        f"{config.path}: valid ({len(config.aws_accounts)} AWS account(s) in {len(regions)} region(s), "
        f"{len(config.atlas_projects)} Atlas project(s), {ranges} access range(s), {len(config.privatelinks)} "
        f"PrivateLink pair(s), {len(config.vendors)} vendor(s)); {config.digest}\n"
    )


def run_check(args: argparse.Namespace) -> int:
    code = 0
    for path in args.configs:
        try:
            sys.stdout.write(_summary(load_config(path)))
        except BadInputError as exc:
            sys.stderr.write(f"attest: {exc.diagnostic()}\n")
            code = 2
    return code
