"""Entry point. Parses arguments, dispatches to a command, and is the single place errors are caught.

Each command lives in `attest/commands/<name>.py` and exposes `register(subparsers)`, which adds its
parser and sets `run` (a callable taking the parsed namespace and returning an exit code).
"""
from __future__ import annotations

import argparse
import importlib
import logging
import os
import sys
from typing import Sequence

from attest.core import __version__
from attest.core.errors import AttestError

COMMANDS = (
    "collect", "check", "guard", "report", "period", "export", "verify", "demo", "sandbox", "iam_policy", "doctor",
    "config",
)
log = logging.getLogger("attest")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line and exit 2, like every other bad input."""

    def error(self, message: str) -> None:  # type: ignore[override]
        sys.stderr.write(f"attest: {message} (see `attest --help`)\n")
        raise SystemExit(2)


def _command(argv: Sequence[str]) -> str | None:
    """The command named on the command line (the first word that is not an option), if one is known:
    only its module is imported, so a command does not pay for every other command's imports."""
    word = next((a for a in argv if not a.startswith("-")), None)
    name = word.replace("-", "_") if word is not None else None
    return name if name in COMMANDS else None


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The parser; with `argv` naming a known command, only that command is registered."""
    parser = _Parser(prog="attest", description="Compliance-as-code evidence and policy checker.")
    parser.add_argument("--version", action="version", version=f"attest {__version__}")
    parser.add_argument("-v", "--verbose", action="count", default=0, help="more log detail on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    only = _command(argv) if argv is not None else None
    for name in (only,) if only else COMMANDS:
        try:
            module = importlib.import_module(f"attest.commands.{name}")
        except ModuleNotFoundError as exc:
            if exc.name != f"attest.commands.{name}":
                raise
            continue
        module.register(sub)
    return parser


def _configure_logging(verbosity: int) -> None:
    level = logging.WARNING if verbosity == 0 else logging.INFO if verbosity == 1 else logging.DEBUG
    logging.basicConfig(stream=sys.stderr, level=level, format="attest: %(levelname)s: %(message)s")
    for noisy in ("botocore", "boto3", "urllib3", "werkzeug", "moto"):
        logging.getLogger(noisy).setLevel(max(level, logging.WARNING))


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser(sys.argv[1:] if argv is None else argv)
    args = parser.parse_args(argv)
    _configure_logging(args.verbose)
    if not getattr(args, "run", None):
        parser.print_help(sys.stderr)
        return 2
    try:
        return int(args.run(args))
    except AttestError as exc:
        sys.stderr.write(f"attest: {exc.diagnostic()}\n")
        return exc.exit_code
    except KeyboardInterrupt:
        sys.stderr.write("attest: interrupted\n")
        return 130
    except Exception as exc:  # the single catch point: no traceback unless asked for
        if os.environ.get("ATTEST_DEBUG"):
            raise
        sys.stderr.write(
            f"attest: internal error ({exc.__class__.__name__}); rerun with ATTEST_DEBUG=1 for details\n"
        )
        return 3
