"""Change records on pull requests (SOC 2 CC8.1): infrastructure changes are written down and authorised.

A change that touches a watched path (default `infra/`) must add a line to the change log (default
`docs/infrastructure/change-log.md`) that names an issue (`#123`; a key like `ENG-412` of 2+ capitals,
not a standard such as SHA-256, UTF-8 or TLS-1; an issue or pull URL) or an ADR (`ADR-0007`,
`docs/adr/...`). With `base` (a git revision), "added" means lines of the log
that are not in the base revision's log; without it, the caller vouches the log is new in this change
and any line of it counts. The finding's resource is the change log, so a waiver can name it.
"""
from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

from attest.core.errors import BadInputError, EvaluationError
from attest.policies.findings import Finding, Status
from attest.policies.terraform.mapping import TerraformRules, load_mapping

RULE_ID = "ATL-CHG-001"
# Prefixes that look like issue keys but name standards, algorithms and encodings (SHA-256, UTF-8, TLS-1).
NOT_ISSUE_KEYS = (
    "AES", "CVE", "ECDSA", "FIPS", "HMAC", "HTTP", "IEC", "IPV", "ISO", "MD", "NIST", "PCI", "RFC", "RSA",
    "SHA", "SOC", "SSL", "TCP", "TLS", "UDP", "UTF",
)
DEFAULT_REFERENCE = (
    r"((?<![\w&/])#\d+\b"
    r"|\b(?!(?:" + "|".join(NOT_ISSUE_KEYS) + r")-)[A-Z]{2,}[A-Z0-9]*-\d+\b"
    r"|https?://\S+/(?:issues|pull|pulls|merge_requests|browse/[A-Z][A-Z0-9]+-)/?\d+\b"
    r"|\bADR-\d+\b|\b(?:docs/)?adr/[\w./-]+)"
)


@dataclass(frozen=True)
class ChangeLogSettings:
    """Which paths need a change record, where the log is, and what counts as naming an authorisation."""

    watched: tuple[str, ...] = ("infra/",)
    log: str = "docs/infrastructure/change-log.md"
    reference: str = DEFAULT_REFERENCE

    def __post_init__(self) -> None:
        try:
            re.compile(self.reference)
        except re.error as exc:
            raise BadInputError(f"change-log reference pattern does not compile: {exc}") from None


def check_change_log(repo: str | Path, changed_paths: Iterable[str],
                     config: ChangeLogSettings = ChangeLogSettings(), *, base: str | None = None,
                     mapping: TerraformRules | None = None) -> tuple[Finding, ...]:
    """One ATL-CHG-001 finding when a watched path changed (none otherwise)."""
    changed = sorted({_normal(p) for p in changed_paths})
    touched = [p for p in changed if any(_under(p, w) for w in config.watched)]
    if not touched:
        return ()
    rule = (mapping or load_mapping()).rule(RULE_ID)
    root = Path(repo)

    def finding(status: Status, evidence: str, message: str) -> Finding:
        return Finding(rule_id=rule.id, title=rule.title, status=status, severity=rule.severity,
                       controls=rule.controls, resource_id=config.log, evidence=evidence, message=message,
                       rationale=rule.rationale, remediation=rule.remediation, plane="terraform")

    summary = f"{len(touched)} infrastructure file(s) changed ({touched[0]}{', ...' if len(touched) > 1 else ''})"
    if config.log not in changed:
        return (finding(Status.FAIL, touched[0], f"{summary} but {config.log} was not changed"),)
    added = _added_lines(root, config.log, base)
    pattern = re.compile(config.reference)
    for number, line in added:
        named = pattern.search(line)
        if named:
            return (finding(Status.PASS, f"{config.log}:{number}", f"{summary}; entry names {named.group(0)}"),)
    return (finding(Status.FAIL, f"{config.log}:{added[0][0]}" if added else config.log,
                    f"{summary} but no added change-log line names an issue or ADR"),)


def _normal(path: str) -> str:
    path = path.replace("\\", "/")
    return path[2:] if path.startswith("./") else path


def _under(path: str, watched: str) -> bool:
    prefix = watched.rstrip("/")
    return path == prefix or path.startswith(prefix + "/")


def _added_lines(repo: Path, log: str, base: str | None) -> list[tuple[int, str]]:
    try:
        current = (repo / log).read_text(encoding="utf-8").splitlines()
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise BadInputError(f"cannot read the change log ({exc.__class__.__name__})", where=str(repo / log)) from None
    before = set(_base_lines(repo, log, base)) if base else set()
    return [(n, line) for n, line in enumerate(current, start=1) if line.strip() and line not in before]


def _base_lines(repo: Path, log: str, base: str) -> list[str]:
    if base.startswith("-"):
        raise BadInputError(f"not a git revision: {base!r}")
    try:
        known = subprocess.run(["git", "-C", str(repo), "rev-parse", "--verify", "--quiet", f"{base}^{{commit}}"],
                               capture_output=True, text=True, check=False)
        if known.returncode != 0:
            raise EvaluationError(f"git revision {base!r} is not known in {repo}")
        shown = subprocess.run(["git", "-C", str(repo), "show", f"{base}:{log}"],
                               capture_output=True, text=True, check=False)
    except OSError as exc:
        raise EvaluationError(f"git could not run ({exc.strerror})") from None
    return shown.stdout.splitlines() if shown.returncode == 0 else []
