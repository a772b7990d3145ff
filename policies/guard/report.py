"""Rendering a guard result: text, GitHub workflow annotations, SARIF 2.1.0 and JSON (deterministic)."""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from typing import Any

from attest.core import __version__
from attest.policies.guard.findings import to_findings
from attest.policies.guard.model import Hop
from attest.policies.guard.results import GuardResult, Violation
from attest.policies.guard.rules import DOCS_URI, HELP, RULES, SECURITY_SEVERITY, Rule

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"
FINGERPRINT = "attestFinding/v1"  # the key reports/sarif.py uses too
LINE_NUMBER = re.compile(r"(?<=\S):\d+\b")
# GitHub code scanning's documented limits ("SARIF support for code scanning"): past these an upload
# is rejected or cut. A run carries at most MAX_RESULTS results (the most severe kept).
MAX_RESULTS = 25_000
MAX_RELATED_LOCATIONS = 1_000
MAX_TAGS_PER_RULE = 20
MAX_GZIP_BYTES = 10 * 1024 * 1024
_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3}


def render(result: GuardResult, fmt: str) -> str:
    return {"text": text, "json": as_json, "sarif": sarif, "github": github}[fmt](result)


def as_json(result: GuardResult) -> str:
    """The guard's own result, plus every violation as the project's `Finding` (`findings`)."""
    doc = result.to_dict()
    doc["findings"] = [f.to_dict() for f in to_findings(result, result.config_source)]
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def _path_lines(violation: Violation) -> list[str]:
    return [f"    {h.where()}  {h.label}" for h in violation.path]


def _waiver_note(violation: Violation) -> str:
    w = violation.waiver
    return f"  waived by {w.where} ({w.issue}, until {w.until}): {w.reason}" if w else ""


def text(result: GuardResult) -> str:
    lines: list[str] = []
    for v in result.violations:
        lines.append(f"{v.status.upper()} {v.rule} {v.site.where()}: {v.message}")
        lines.append("  path:")
        lines += _path_lines(v)
        if v.waiver:
            lines.append(_waiver_note(v))
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


def github(result: GuardResult) -> str:
    """Workflow commands: one annotation per violation (waived ones as notices), path in the body."""
    lines: list[str] = []
    for v in result.violations:
        level = "notice" if v.status in ("waived", "test") else "error"
        title = _escape_property(f"attest guard {v.rule} ({v.status})")
        path = " -> ".join(f"{h.where()} {h.label}" for h in v.path)
        body = _escape_data(f"{v.message}\npath: {path}" + (f"\n{_waiver_note(v).strip()}" if v.waiver else ""))
        at = v.primary
        where = f"file={_escape_property(at.file)},line={at.line}"
        if at.column:
            where += f",endLine={at.end_line}" + (f",col={at.column},endColumn={at.end_column}"
                                                  if at.end_line == at.line else "")
        lines.append(f"::{level} {where},title={title}::{body}")
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


def _region(hop: Hop) -> dict[str, int]:
    region = {"startLine": hop.line}
    if hop.column:
        region.update(startColumn=hop.column, endLine=hop.end_line, endColumn=hop.end_column)
    return region


def _physical(hop: Hop) -> dict[str, Any]:
    return {"artifactLocation": {"uri": hop.file, "uriBaseId": SRCROOT}, "region": _region(hop)}


def fingerprint(violation: Violation) -> str:
    """Stable across runs and line moves (the same key and construction as the report SARIF): the
    rule, the plane, and what the finding is: its file, message and path steps, without line numbers."""
    plane = "terraform" if violation.site.file.endswith(".tf") else "code"
    subject = "\x1e".join((violation.primary.file, LINE_NUMBER.sub("", violation.message),
                           *(f"{h.file}#{h.label}" for h in violation.path)))
    return hashlib.sha256("\x1f".join((violation.rule, plane, subject)).encode("utf-8")).hexdigest()


def _sarif_rule(rule: Rule) -> dict[str, Any]:
    anchor = f"{DOCS_URI}#{rule.id}"
    return {
        "id": rule.id,
        "name": "".join(part.title() for part in rule.id.split("-")),
        "shortDescription": {"text": rule.title},
        "fullDescription": {"text": HELP[rule.id]},
        "help": {"text": f"{HELP[rule.id]} See {anchor}",
                 "markdown": f"**{rule.title}** ({rule.status}: blocks the pull request)\n\n{HELP[rule.id]}\n\n"
                             f"[What the guard checks and how to waive]({anchor})"},
        "helpUri": anchor,
        "defaultConfiguration": {"level": "error"},
        "properties": {"controls": sorted(rule.controls), "severity": rule.severity,
                       "security-severity": SECURITY_SEVERITY[rule.severity],
                       "tags": ["security", *sorted(rule.controls)][:MAX_TAGS_PER_RULE]},
    }


def _sarif_result(v: Violation, index: int) -> dict[str, Any]:
    path = v.path[:MAX_RELATED_LOCATIONS - 1]
    entry: dict[str, Any] = {
        "ruleId": v.rule,
        "ruleIndex": index,
        "kind": "fail" if v.status != "test" else "informational",
        # every guard result blocks the pull request (exit 1 or 3), except one in a test file
        "level": "error" if v.status != "test" else "none",
        "message": {"text": v.message},
        "locations": [{"physicalLocation": _physical(v.primary)}],
        "relatedLocations": [{"id": i, "physicalLocation": _physical(h), "message": {"text": h.label}}
                             for i, h in enumerate(path)],
        "codeFlows": [{"threadFlows": [{"locations": [
            {"location": {"physicalLocation": _physical(h), "message": {"text": h.label}}} for h in path]}]}],
        "partialFingerprints": {FINGERPRINT: fingerprint(v)},
        "properties": {"status": v.status, "plane": "terraform" if v.site.file.endswith(".tf") else "code",
                       "controls": list(RULES[v.rule].controls), "site": v.site.where()},
    }
    if v.waiver:
        entry["suppressions"] = [{
            "kind": "inSource", "status": "accepted",
            "justification": f"{v.waiver.reason} ({v.waiver.issue}, until {v.waiver.until})",
            "location": {"physicalLocation": _physical(Hop(v.waiver.file, v.waiver.line, ""))},
        }]
    return entry


def _notifications(result: GuardResult, dropped: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for where, message in result.not_analysed:
        note: dict[str, Any] = {"level": "error", "message": {"text": f"could not analyse: {message}"},
                                "descriptor": {"id": "not-analysed"}}
        file, _sep, line = where.rpartition(":")
        if file and line.isdigit():
            note["locations"] = [{"physicalLocation": _physical(Hop(file, int(line), ""))}]
        elif where:
            note["message"]["text"] += f" ({where})"
        out.append(note)
    if dropped:
        out.append({"level": "warning", "descriptor": {"id": "results-capped"}, "message": {
            "text": f"{dropped} result(s) left out of this file (the least severe): code scanning takes at most "
                    f"{MAX_RESULTS} results per run and {MAX_GZIP_BYTES // (1024 * 1024)} MB compressed per file; "
                    "the JSON output has them all"}})
    return out


def _document(result: GuardResult, kept: list[Violation], dropped: int) -> str:
    rule_ids = sorted(RULES)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "attest-guard", "version": __version__, "informationUri": DOCS_URI,
                                "rules": [_sarif_rule(RULES[rid]) for rid in rule_ids]}},
            "invocations": [{"executionSuccessful": not result.not_analysed,
                             "toolExecutionNotifications": _notifications(result, dropped)}],
            "results": [_sarif_result(v, rule_ids.index(v.rule)) for v in sorted(kept, key=lambda v: v.sort_key())],
            "properties": {"waivers": [w.to_dict() for w in result.waivers], "base": result.base,
                           "referenceSources": dict(result.sources)},
        }],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"


def sarif(result: GuardResult, max_results: int = MAX_RESULTS, max_bytes: int = MAX_GZIP_BYTES) -> str:
    """SARIF 2.1.0 within GitHub code scanning's documented limits: past `max_results` results, or
    `max_bytes` gzip-compressed (how upload-sarif sends it), the least severe results are left out and
    a notification says how many. When the analysis could not be completed, a failed invocation with a
    notification saying where and why."""
    ranked = sorted(result.violations, key=lambda v: (_RANK[RULES[v.rule].severity], v.sort_key()))
    kept = ranked[:max_results]
    text = _document(result, kept, len(ranked) - len(kept))
    size = len(gzip.compress(text.encode("utf-8"), mtime=0))
    while size > max_bytes and kept:
        kept = kept[:min(len(kept) - 1, int(len(kept) * max_bytes / size * 0.9))]
        text = _document(result, kept, len(ranked) - len(kept))
        size = len(gzip.compress(text.encode("utf-8"), mtime=0))
    return text
