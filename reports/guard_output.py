"""The guard's outputs, rendered from its findings (policies/guard/findings.py): text, GitHub workflow
annotations, SARIF 2.1.0 (the one writer, reports/sarif.py) and JSON. Deterministic.

Kept light: `attest guard` imports this, so nothing here may load the report machinery (jinja2,
the policy set, the evidence bundle)."""
from __future__ import annotations

import json
from typing import Any, Callable

from attest.policies.findings import Finding, Span
from attest.policies.guard.findings import to_finding, to_findings
from attest.policies.guard.results import GuardResult
from attest.policies.guard.rules import DOCS_URI, HELP, RULES, Rule
from attest.reports.sarif import (MAX_GZIP_BYTES, MAX_RESULTS, RuleMeta, Tool, physical_location,
                                  repository_location, sarif_log, status_word)

FORMATS = ("text", "json", "sarif", "github")


def render(result: GuardResult, fmt: str) -> str:
    renderers: dict[str, Callable[[GuardResult], str]] = {"text": text, "json": as_json, "sarif": sarif,
                                                           "github": github}
    return renderers[fmt](result)


def findings(result: GuardResult) -> list[Finding]:
    """The violations as findings, in the result's order (by site)."""
    return [to_finding(v, result.config_source) for v in result.violations]


def as_json(result: GuardResult) -> str:
    """The guard's own result, plus every violation as the project's `Finding` (`findings`)."""
    doc = result.to_dict()
    doc["findings"] = [f.to_dict() for f in to_findings(result, result.config_source)]
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _path(finding: Finding) -> str:
    return " -> ".join(f"{s.span.where()} {s.label}" for s in finding.trace)


def _waiver_note(finding: Finding) -> str:
    w = finding.waiver
    if w is None or w.source != "inline":
        return ""
    return f"  waived by {w.id.removeprefix('inline:')} ({w.issue}, until {w.expires}): {w.reason}"


def text(result: GuardResult) -> str:
    lines: list[str] = []
    for f in findings(result):
        lines.append(f"{status_word(f).upper()} {f.rule_id} {f.evidence}: {f.message}")
        lines.append("  path:")
        lines += [f"    {s.span.where()}  {s.label}" for s in f.trace]
        if _waiver_note(f):
            lines.append(_waiver_note(f))
    for where, message in result.not_analysed:
        lines.append(f"NOT ANALYSED {where + ': ' if where else ''}{message}")
    lines.append("waivers:" if result.waivers else "waivers: none")
    for w in result.waivers:
        detail = f"allow {w.rule} {w.issue} until {w.until}: {w.reason}" if w.rule else "(unparsed)"
        lines.append(f"  {w.where} {w.state} {detail}{' - ' + w.problem if w.problem else ''}")
    counts = result.to_dict()["summary"]
    scope = f" introduced since {result.base}" if result.base else ""
    if result.not_analysed:
        lines.append(f"guard: could not analyse the repository{scope}: nothing is vouched for (exit 3)")
    else:
        tests = f", {counts['test']} in test files (not blocking)" if counts["test"] else ""
        lines.append(f"guard: {counts['fail']} violation(s), {counts['error']} error(s), {counts['waived']} waived"
                     f"{tests}{scope}; {result.files} source file(s) analysed; {result.sources_line()}")
    return "\n".join(lines) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def _annotation(f: Finding) -> str:
    status = status_word(f)
    level = "notice" if status in ("waived", "test") else "error"
    title = _escape_property(f"attest guard {f.rule_id} ({status})")
    note = _waiver_note(f).strip()
    body = _escape_data(f"{f.message}\npath: {_path(f)}" + (f"\n{note}" if note else ""))
    where = ""
    at = repository_location(f)
    if at is not None:
        where = f"file={_escape_property(at.file)},line={at.line},"
        if at.column:
            where += f"endLine={at.end_line}," + (f"col={at.column},endColumn={at.end_column},"
                                                  if at.end_line == at.line else "")
    return f"::{level} {where}title={title}::{body}"


def github(result: GuardResult) -> str:
    """Workflow commands: one annotation per finding (waived ones as notices), path in the body."""
    lines = [_annotation(f) for f in findings(result)]
    for where_text, message in result.not_analysed:
        file, _sep, line = where_text.rpartition(":")
        place = f"file={_escape_property(file)},line={line}," if file and line.isdigit() else ""
        lines.append(f"::error {place}title=attest guard could not analyse::{_escape_data(message)}")
    lines.append(f"::notice title=attest guard::{_escape_data(result.sources_line())}")
    for w in result.waivers:
        if w.state != "active":
            msg = _escape_data(f"waiver {w.state}: {w.problem}")
            lines.append(f"::warning file={_escape_property(w.file)},line={w.line},title=attest guard waiver::{msg}")
    return "\n".join(lines) + ("\n" if lines else "")


def rule_meta(rule: Rule) -> RuleMeta:
    """A guard rule for code scanning: every hit blocks the pull request, so its level is `error`."""
    anchor = f"{DOCS_URI}#{rule.id}"
    return RuleMeta(
        id=rule.id, name="".join(part.title() for part in rule.id.split("-")), title=rule.title,
        severity=rule.severity, controls=rule.controls, level="error", description=HELP[rule.id],
        help_text=f"{HELP[rule.id]} See {anchor}",
        help_markdown=f"**{rule.title}** ({rule.status}: blocks the pull request)\n\n{HELP[rule.id]}\n\n"
                      f"[What the guard checks and how to waive]({anchor})",
        help_uri=anchor)


def _notifications(result: GuardResult) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for where, message in result.not_analysed:
        note: dict[str, Any] = {"level": "error", "message": {"text": f"could not analyse: {message}"},
                                "descriptor": {"id": "not-analysed"}}
        file, _sep, line = where.rpartition(":")
        if file and line.isdigit():
            note["locations"] = [{"physicalLocation": physical_location(Span(file, int(line)))}]
        elif where:
            note["message"]["text"] += f" ({where})"
        out.append(note)
    return out


def sarif(result: GuardResult, max_results: int = MAX_RESULTS, max_bytes: int = MAX_GZIP_BYTES) -> str:
    """The guard's SARIF: every guard rule, each finding a result; when the analysis could not be
    completed, a failed invocation with a notification saying where and why."""
    properties = {"waivers": [w.to_dict() for w in result.waivers], "base": result.base,
                  "referenceSources": dict(result.sources)}
    return sarif_log(findings(result), [rule_meta(RULES[rid]) for rid in sorted(RULES)],
                     tool=Tool("attest-guard", DOCS_URI), properties=properties,
                     notifications=_notifications(result), successful=not result.not_analysed,
                     max_results=max_results, max_bytes=max_bytes)
