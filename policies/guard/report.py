"""Rendering a guard result: text, GitHub workflow annotations, SARIF 2.1.0 and JSON (deterministic)."""
from __future__ import annotations

import json
from typing import Any

from attest.core import __version__
from attest.policies.guard.results import GuardResult, Violation
from attest.policies.guard.rules import RULES

FORMATS = ("text", "json", "sarif", "github")
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


def render(result: GuardResult, fmt: str) -> str:
    return {"text": text, "json": GuardResult.to_json, "sarif": sarif, "github": github}[fmt](result)


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
    lines.append("waivers:" if result.waivers else "waivers: none")
    for w in result.waivers:
        detail = f"allow {w.rule} {w.issue} until {w.until}: {w.reason}" if w.rule else "(unparsed)"
        lines.append(f"  {w.where} {w.state} {detail}{' - ' + w.problem if w.problem else ''}")
    counts = result.to_dict()["summary"]
    scope = f" introduced since {result.base}" if result.base else ""
    lines.append(f"guard: {counts['fail']} violation(s), {counts['error']} error(s), {counts['waived']} waived"
                 f"{scope}; {result.files} source file(s) analysed; {result.sources_line()}")
    return "\n".join(lines) + "\n"


def _escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(value: str) -> str:
    return _escape_data(value).replace(":", "%3A").replace(",", "%2C")


def github(result: GuardResult) -> str:
    """Workflow commands: one annotation per violation (waived ones as notices), path in the body."""
    lines: list[str] = []
    for v in result.violations:
        level = "notice" if v.status == "waived" else "error"
        title = _escape_property(f"attest guard {v.rule} ({v.status})")
        path = " -> ".join(f"{h.where()} {h.label}" for h in v.path)
        body = _escape_data(f"{v.message}\npath: {path}" + (f"\n{_waiver_note(v).strip()}" if v.waiver else ""))
        lines.append(f"::{level} file={_escape_property(v.site.file)},line={v.site.line},title={title}::{body}")
    lines.append(f"::notice title=attest guard::{_escape_data(result.sources_line())}")
    for w in result.waivers:
        if w.state != "active":
            msg = _escape_data(f"waiver {w.state}: {w.problem}")
            lines.append(f"::warning file={_escape_property(w.file)},line={w.line},title=attest guard waiver::{msg}")
    return "\n".join(lines) + ("\n" if lines else "")


def _location(file: str, line: int, message: str | None = None) -> dict[str, Any]:
    loc: dict[str, Any] = {"physicalLocation": {
        "artifactLocation": {"uri": file, "uriBaseId": "%SRCROOT%"}, "region": {"startLine": line}}}
    if message:
        loc["message"] = {"text": message}
    return loc


def sarif(result: GuardResult) -> str:
    rule_ids = sorted(RULES)
    rules = [{
        "id": rid,
        "name": "".join(part.title() for part in rid.split("-")),
        "shortDescription": {"text": RULES[rid].title},
        "defaultConfiguration": {"level": "error" if RULES[rid].status == "fail" else "warning"},
        "properties": {"tags": list(RULES[rid].controls), "severity": RULES[rid].severity},
    } for rid in rule_ids]
    results = []
    for v in result.violations:
        entry: dict[str, Any] = {
            "ruleId": v.rule,
            "ruleIndex": rule_ids.index(v.rule),
            "level": "error" if RULES[v.rule].status == "fail" else "warning",
            "message": {"text": v.message},
            "locations": [_location(v.site.file, v.site.line)],
            "codeFlows": [{"threadFlows": [{"locations": [
                {"location": _location(h.file, h.line, h.label)} for h in v.path]}]}],
            "properties": {"status": v.status},
        }
        if v.waiver:
            entry["suppressions"] = [{
                "kind": "inSource", "status": "accepted",
                "justification": f"{v.waiver.reason} ({v.waiver.issue}, until {v.waiver.until})",
                "location": _location(v.waiver.file, v.waiver.line),
            }]
        results.append(entry)
    doc = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {"name": "attest-guard", "version": __version__, "rules": rules}},
            "results": results,
            "properties": {"waivers": [w.to_dict() for w in result.waivers], "base": result.base,
                           "referenceSources": dict(result.sources)},
        }],
    }
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
