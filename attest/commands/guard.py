"""`attest guard`: the PR guard. Exit 0 clean, 1 violations, 3 could not evaluate, 2 bad input."""
from __future__ import annotations

import argparse
import os
import sys
from datetime import date
from pathlib import Path
from typing import Any

from attest.output import write_text
from attest.core.errors import UsageError
from attest.policies.guard.cache import ENV
from attest.reports.guard_output import FORMATS, render
from attest.policies.guard.run import run_guard


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "guard",
        help="guard a pull request: no way for data to be written toward the reference cluster",
        description="Analyse the app repo (TypeScript, Terraform, data classification) and report every "
        "path by which data could be written toward the reference cluster; with --base, only what the "
        "change since its merge-base with HEAD introduced (a deletion that opens a path included).",
    )
    parser.add_argument("repo", nargs="?", default=".", help="the app repository (default: .)")
    parser.add_argument("--base", help="git ref to compare with: the merge-base with HEAD is analysed too and only "
                        "what HEAD adds is reported (deletions included); default: everything")
    parser.add_argument("--format", choices=FORMATS, default="text")
    parser.add_argument("--output", "-o", help="write the result here (default: stdout)")
    parser.add_argument("--config", help="guard config file (default: <repo>/.attest-guard.yaml if present)")
    parser.add_argument("--today", help="date for waiver expiry, YYYY-MM-DD (default: today, UTC)")
    parser.add_argument("--also", action="append", default=[], metavar="FORMAT=FILE",
                        help="also write FORMAT to FILE from the same analysis (repeatable), e.g. "
                        "--also sarif=attest-guard.sarif --also json=guard.json")
    parser.add_argument("--cache-dir", metavar="DIR", help="keep each file's import graph here by content hash, so "
                        "a --base scan parses only what the change can affect (default: $ATTEST_GUARD_CACHE; "
                        "no cache when neither is set)")
    parser.set_defaults(run=run)


def _day(value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise UsageError(f"--today: not a date (YYYY-MM-DD): {value!r}") from None


def _also(values: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for value in values:
        fmt, sep, target = value.partition("=")
        if not sep or fmt not in FORMATS or not target:
            raise UsageError(f"--also: expected FORMAT=FILE with FORMAT one of {', '.join(FORMATS)}: {value!r}")
        out.append((fmt, target))
    return out


def run(args: argparse.Namespace) -> int:
    extra = _also(args.also)
    cache = args.cache_dir or os.environ.get(ENV) or None
    result = run_guard(Path(args.repo), base=args.base, config_file=args.config, today=_day(args.today),
                       cache_dir=Path(cache) if cache else None)
    for fmt, target in extra:
        write_text(render(result, fmt), target)
    write_text(render(result, args.format), args.output)
    for where, message in result.not_analysed:  # also said in the output: the log names it too
        sys.stderr.write(f"attest: {where + ': ' if where else ''}{' '.join(message.split())}\n")
    return result.exit_code()
