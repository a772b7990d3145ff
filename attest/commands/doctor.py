"""`attest doctor`: what this install runs with: Python, attest, the [sandbox] extra and checkov.

checkov lives outside attest's environment, so which one `check --terraform` would run, and its
version, is the first thing to know when Terraform results look wrong. Exit 0 when checkov is
found and says its version, 3 when not (the line says where attest looked). The [sandbox] extra is
reported, not required: a production install (the nightly workflow) has no local estate.
"""
from __future__ import annotations

import argparse
import platform
import sys
from importlib.util import find_spec
from pathlib import Path
from typing import Any

import attest
from attest.core import DISTRIBUTION, __version__
from attest.core.errors import EvaluationError
from attest.policies.terraform.checkov_locate import checkov_version, locate_checkov


def register(sub: Any) -> None:
    parser = sub.add_parser("doctor", help="show the Python, attest and checkov this install runs with")
    parser.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    lines, healthy = report()
    sys.stdout.write("\n".join(lines) + "\n")
    return 0 if healthy else 3


def report() -> tuple[list[str], bool]:
    """The lines `doctor` prints, and whether checkov is usable."""
    lines = [
        f"python:  {platform.python_version()} ({sys.executable})",
        f"attest:  {DISTRIBUTION} {__version__} ({Path(attest.__file__).resolve().parent})",
    ]
    missing = [name for name in ("moto", "werkzeug") if find_spec(name) is None]
    lines.append("sandbox: installed (attest demo, attest sandbox)" if not missing else
                 f"sandbox: missing {', '.join(missing)}: pip install '{DISTRIBUTION}[sandbox]'")
    checkov_line, checkov_ok = _checkov()
    lines.append(checkov_line)
    return lines, checkov_ok


def _checkov() -> tuple[str, bool]:
    try:
        found = locate_checkov()
        path = found.require()
        return f"checkov: {checkov_version(path)} ({path}, from {found.source})", True
    except EvaluationError as exc:
        return f"checkov: {exc.diagnostic()}", False
