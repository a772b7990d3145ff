"""Inline waivers: `// attest-guard: allow <rule> reason="..." issue=#N until=YYYY-MM-DD` (or `#` in
Terraform) on the line above a finding. Expired or malformed waivers are listed and never apply."""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from attest.policies.guard.rules import RULES

MARKER = "attest-guard:"
LINE = re.compile(r"(?://|#|/\*)\s*attest-guard:\s*(.*?)\s*(?:\*/)?\s*$")
FIELDS = re.compile(r'^allow\s+(?P<rule>[\w.-]+)\s+reason="(?P<reason>[^"]+)"\s+issue=(?P<issue>#\d+)\s+'
                    r'until=(?P<until>\d{4}-\d{2}-\d{2})$')


@dataclass(frozen=True)
class Waiver:
    file: str
    line: int
    rule: str
    reason: str
    issue: str
    until: str
    state: str  # active | expired | malformed
    problem: str = ""

    @property
    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def to_dict(self) -> dict[str, object]:
        return {"file": self.file, "line": self.line, "rule": self.rule, "reason": self.reason,
                "issue": self.issue, "until": self.until, "state": self.state, "problem": self.problem}


def parse_line(file: str, number: int, text: str, today: date) -> Waiver | None:
    match = LINE.search(text)
    if match is None:
        return None
    body = match.group(1)
    fields = FIELDS.match(body)
    if fields is None:
        return Waiver(file, number, "", "", "", "", "malformed",
                      'expected: allow <rule> reason="..." issue=#N until=YYYY-MM-DD')
    rule, until = fields.group("rule"), fields.group("until")
    def made(state: str, problem: str = "") -> Waiver:
        return Waiver(file, number, rule, fields.group("reason"), fields.group("issue"), until, state, problem)

    if rule not in RULES:
        return made("malformed", f"unknown rule {rule!r}")
    try:
        expires = date.fromisoformat(until)
    except ValueError:
        return made("malformed", f"not a date: {until}")
    if expires < today:
        return made("expired", f"expired on {until}")
    return made("active")


def scan(file: str, text: str, today: date) -> list[Waiver]:
    """Every waiver comment in one file, in line order."""
    if MARKER not in text:
        return []
    found = (parse_line(file, n, line, today) for n, line in enumerate(text.splitlines(), start=1) if MARKER in line)
    return [w for w in found if w is not None]


def covering(waivers: dict[tuple[str, int], Waiver], file: str, line: int, rule: str) -> Waiver | None:
    """The active waiver for `rule` in the comment block directly above `line`, if any."""
    probe = line - 1
    while (file, probe) in waivers:
        waiver = waivers[(file, probe)]
        if waiver.state == "active" and waiver.rule == rule:
            return waiver
        probe -= 1
    return None
