"""What the guard concludes: violations (each with its path) and the waivers it saw."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from attest.policies.findings import Span
from attest.policies.guard.model import Hop
from attest.policies.guard.rules import RULES
from attest.policies.guard.waivers import Waiver


def span(hop: Hop) -> Span:
    """A hop's place as the project's `Span` (what a finding's location and trace hold)."""
    return Span(hop.file, hop.line, hop.column, hop.end_line, hop.end_column)


@dataclass(frozen=True)
class Violation:
    rule: str
    message: str
    site: Hop  # where it is reported (and waived): the write, or the call passing the handle
    path: tuple[Hop, ...]
    edges: tuple[str, ...]  # edge kind into each hop of `path`, then into `sink`
    sink: str
    status: str = "fail"  # fail | error | waived | test (in a test file, under test_policy: report)
    waiver: Waiver | None = None
    location: Hop | None = None  # where it is annotated (see `primary`)
    resource: str | None = None  # the declared Terraform resource judged (its address); None for code

    @property
    def primary(self) -> Hop:
        """Where the finding is shown on a pull request: the write call's own line (the method's
        line in a chain spread over lines) or, with `--base`, the changed line of its path."""
        return self.location or self.site

    def sort_key(self) -> tuple[str, int, str, str]:
        return (self.site.file, self.site.line, self.rule, self.message)

    def to_dict(self) -> dict[str, Any]:
        rule = RULES[self.rule]
        return {
            "rule_id": self.rule,
            "title": rule.title,
            "severity": rule.severity,
            "controls": list(rule.controls),
            "status": self.status,
            "file": self.site.file,
            "line": self.site.line,
            "location": span(self.primary).to_dict(),
            "message": self.message,
            "path": [{"file": h.file, "line": h.line, "step": h.label} for h in self.path],
            "waiver": self.waiver.to_dict() if self.waiver else None,
        }


@dataclass(frozen=True)
class GuardResult:
    repo: str
    base: str | None
    violations: tuple[Violation, ...]
    waivers: tuple[Waiver, ...]
    files: int
    reachable: bool
    sources: tuple[tuple[str, int], ...] = ()  # reference sources found, by kind (see engine.SOURCE_KINDS)
    # What stopped the analysis (where, why): then nothing else is known, every output says so, exit 3.
    not_analysed: tuple[tuple[str, str], ...] = ()
    config_source: str = "(defaults)"  # the guard file the run used (the test policy's source)

    def exit_code(self) -> int:
        statuses = {v.status for v in self.violations}
        return 1 if "fail" in statuses else 3 if "error" in statuses or self.not_analysed else 0

    def to_dict(self) -> dict[str, Any]:
        counts = {s: sum(1 for v in self.violations if v.status == s) for s in ("fail", "error", "waived", "test")}
        return {
            "schema_version": "1",
            "tool": "attest guard",
            "base": self.base,
            "files_analysed": self.files,
            "phi_can_reach_reference": self.reachable,
            "reference_sources": dict(self.sources),
            "summary": counts,
            "violations": [v.to_dict() for v in self.violations],
            "waivers": [w.to_dict() for w in self.waivers],
            "not_analysed": [{"where": where, "message": message} for where, message in self.not_analysed],
        }

    def sources_line(self) -> str:
        """How many reference sources the analysis found, in words."""
        counts = dict(self.sources)
        return (f"reference sources: {counts.get('helper_definitions', 0)} helper definition(s), "
                f"{counts.get('helper_calls', 0)} helper call(s), {counts.get('uri_reads', 0)} URI read(s), "
                f"{counts.get('helper_clients', 0)} client(s) built for the helper")
