"""SARIF 2.1.0 for code scanning: the one writer, for the report (`render_sarif`) and the guard
(reports/guard_output.py). A run is built from `Finding`s, their rules' metadata, the run's
notifications and properties (`sarif_run`), within GitHub's documented ingestion limits (`sarif_log`).

A result is located in the repository wherever one exists, so it annotates the pull request: a code
finding at its span (with columns) and its path as related locations and a code flow; a Terraform
or code finding without a span at its file and line; a live finding at the Terraform declaration
its resource is linked to (`Finding.related`). A live finding with no declaration points at the
evidence file, with the resource as a logical location. Repository paths are relative to
`%SRCROOT%`. `partialFingerprints` identify a result without its line numbers, so code scanning
tracks it across edits that move it. Waivers are accepted suppressions: in source for an inline
waiver, external for a YAML one; a finding under the guard's test policy is informational.
"""
from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from attest.core import __version__
from attest.policies.findings import Finding, Span, Status, declaration
from attest.policies.guard.rules import RULES as GUARD_RULES

if TYPE_CHECKING:
    from attest.reports.model import FindingView, ReportModel

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
FINGERPRINT = "attestFinding/v1"
SRCROOT = "%SRCROOT%"
DOCS = "https://github.com/your-org/attest/blob/main/docs"
# Where the project's rules are documented, each under an anchor named for its id (first match wins).
RULE_DOCS = (("ATL-DRIFT-", "terraform.md"), ("ATL-CHG-", "terraform.md"), ("ATL-", "policies.md"))
# GitHub code scanning's documented limits ("SARIF support for code scanning"): past these an upload
# is rejected or cut. A run carries at most MAX_RESULTS results (the most severe kept).
MAX_RESULTS = 25_000
MAX_RELATED_LOCATIONS = 1_000
MAX_TAGS_PER_RULE = 20
MAX_GZIP_BYTES = 10 * 1024 * 1024
# GitHub reads `security-severity` (0.1-10.0) of a rule tagged `security` to rank alerts: >= 9
# critical, >= 7 high, >= 4 medium; an `info` rule has none.
SECURITY_SEVERITY = {"critical": "9.5", "high": "8.0", "medium": "5.5", "low": "3.0"}
_RANK = {"critical": 0, "high": 1, "medium": 2, "low": 3, "info": 4}
_FILE_LINE = re.compile(r"^(?P<file>[^#]+):(?P<line>[0-9]+)$")
_LINE_NUMBER = re.compile(r"(?<=\S):\d+\b")
_KIND = {Status.PASS: "pass", Status.FAIL: "fail", Status.WAIVED: "fail", Status.ERROR: "open", Status.MANUAL: "review"}
_LEVEL = {"critical": "error", "high": "error", "medium": "warning", "low": "note", "info": "note"}


@dataclass(frozen=True)
class RuleMeta:
    """What code scanning shows for a rule; `level` is the level of a result that counts against it."""

    id: str
    name: str
    title: str
    severity: str
    controls: tuple[str, ...]
    level: str
    description: str = ""
    help_text: str = ""
    help_markdown: str = ""
    help_uri: str = ""


@dataclass(frozen=True)
class Tool:
    name: str
    information_uri: str = ""


@dataclass(frozen=True)
class Evidence:
    """Where a report cites a finding's evidence (reports/citations.py): the bundle file and line,
    the citation, its sha256, keys looked for and not found, and the verdict's other inputs."""

    file: str = ""
    line: int | None = None
    href: str = ""
    sha256: str | None = None
    missing: str = ""
    also: tuple[str, ...] = ()


def help_uri(rule_id: str) -> str:
    """The documentation of one of the project's rules (an anchor named for its id), the guard's in
    docs/guard.md (`attest check --code`); "" for another."""
    page = next((page for prefix, page in RULE_DOCS if rule_id.startswith(prefix)),
                "guard.md" if rule_id in GUARD_RULES else "")
    return f"{DOCS}/{page}#{rule_id}" if page else ""


def rule_meta(finding: Finding) -> RuleMeta:
    """The report's rule metadata, from a finding of the rule."""
    help_text = "\n".join(finding.remediation.console)
    if finding.remediation.terraform:
        help_text = f"{help_text}\n\nTerraform:\n{finding.remediation.terraform}".strip()
    return RuleMeta(id=finding.rule_id, name=finding.rule_id, title=finding.title, severity=finding.severity,
                    controls=finding.controls, level=_LEVEL.get(finding.severity, "warning"),
                    description=finding.rationale, help_text=help_text,
                    help_uri=help_uri(finding.rule_id))


def _rule(meta: RuleMeta) -> dict[str, Any]:
    properties: dict[str, Any] = {"controls": sorted(meta.controls), "severity": meta.severity,
                                  "tags": ["security", *sorted(meta.controls)][:MAX_TAGS_PER_RULE]}
    if meta.severity in SECURITY_SEVERITY:
        properties["security-severity"] = SECURITY_SEVERITY[meta.severity]
    rule: dict[str, Any] = {"id": meta.id, "name": meta.name, "shortDescription": {"text": meta.title},
                            "defaultConfiguration": {"level": meta.level}, "properties": properties}
    if meta.description:
        rule["fullDescription"] = {"text": meta.description}
    if meta.help_text:
        rule["help"] = {"text": meta.help_text}
        if meta.help_markdown:
            rule["help"]["markdown"] = meta.help_markdown
    if meta.help_uri:
        rule["helpUri"] = meta.help_uri
    return rule


def fingerprint(finding: Finding) -> str:
    """Stable across runs and line moves: the rule, the plane, and what the finding is about: for a
    code finding its file, message and path steps (without line numbers), else its resource (or file)."""
    if finding.location is not None:
        subject = "\x1e".join((finding.location.file, _LINE_NUMBER.sub("", finding.message),
                               *(f"{step.span.file}#{step.label}" for step in finding.trace)))
    else:
        subject = finding.resource_id or _FILE_LINE.sub(r"\g<file>", finding.evidence)
    return hashlib.sha256("\x1f".join((finding.rule_id, finding.plane, subject)).encode("utf-8")).hexdigest()


def physical_location(span: Span) -> dict[str, Any]:
    """A place in the repository (relative to %SRCROOT%), with columns when known."""
    region: dict[str, int] = {"startLine": span.line}
    if span.column:
        region.update(startColumn=span.column, endLine=span.end_line, endColumn=span.end_column)
    return {"artifactLocation": {"uri": span.file, "uriBaseId": SRCROOT}, "region": region}


def repository_location(finding: Finding) -> Span | None:
    """Where a finding sits in the repository: its span, its own file and line for Terraform and code,
    its linked declaration if live."""
    if finding.location is not None:
        return finding.location
    if finding.plane != "live":
        match = _FILE_LINE.match(finding.evidence)
        return Span(match.group("file"), int(match.group("line"))) if match else None
    for ref in finding.related:
        declared = declaration(ref)
        if declared is not None:
            return Span(declared[1], declared[2])
    return None


def _location(finding: Finding, evidence: Evidence | None) -> dict[str, Any]:
    location: dict[str, Any] = {}
    in_repo = repository_location(finding)
    if in_repo is not None:
        location["physicalLocation"] = physical_location(in_repo)
    elif evidence is not None and evidence.file:
        location["physicalLocation"] = {"artifactLocation": {"uri": evidence.file}}
        if evidence.line is not None:
            location["physicalLocation"]["region"] = {"startLine": evidence.line}
    if finding.resource_id:
        location["logicalLocations"] = [{"fullyQualifiedName": finding.resource_id, "kind": "resource"}]
    return location


def _linked(index: int, ref: str) -> dict[str, Any]:
    """The same resource in the other plane: a declaration with its file and line, or a live id."""
    declared = declaration(ref)
    location: dict[str, Any] = {"id": index, "message": {"text": f"{'declared as' if declared else 'live:'} {ref}"}}
    if declared is None:
        location["logicalLocations"] = [{"fullyQualifiedName": ref, "kind": "resource"}]
    else:
        location["physicalLocation"] = physical_location(Span(declared[1], declared[2]))
        location["logicalLocations"] = [{"fullyQualifiedName": declared[0], "kind": "resource"}]
    return location


def status_word(finding: Finding) -> str:
    """`test` for a finding under the guard's test policy (reported, not blocking), else its status."""
    test = finding.waiver is not None and finding.waiver.source == "test_policy"
    return "test" if test else finding.status.value


def _kind(finding: Finding) -> str:
    """An error located in the code (a use the guard cannot resolve, at its span) blocks like a
    failure; one with no span is a rule that could not be evaluated (`open`)."""
    if status_word(finding) == "test":
        return "informational"
    if finding.status is Status.ERROR and finding.location is not None:
        return "fail"
    return _KIND[finding.status]


def _suppression(finding: Finding) -> dict[str, Any] | None:
    waiver = finding.waiver
    if finding.status is not Status.WAIVED or waiver is None or waiver.source == "test_policy":
        return None
    if waiver.source == "inline":
        file, _sep, line = waiver.id.removeprefix("inline:").rpartition(":")
        return {"kind": "inSource", "status": "accepted",
                "justification": f"{waiver.reason} ({waiver.issue}, until {waiver.expires})",
                "location": {"physicalLocation": physical_location(Span(file, int(line)))}}
    return {"kind": "external", "status": "accepted",
            "justification": f"{waiver.reason} ({waiver.issue}; approved by {waiver.approved_by})",
            "properties": {"waiverId": waiver.id, "owner": waiver.owner, "issue": waiver.issue, "expires": waiver.expires}}


def _paths(finding: Finding) -> dict[str, Any]:
    """The path to a code finding (related locations and a code flow), then the same resource in the
    other plane; at most MAX_RELATED_LOCATIONS locations in all, the primary one included."""
    steps = finding.trace[:MAX_RELATED_LOCATIONS - 1]
    related = [{"id": i, "physicalLocation": physical_location(s.span), "message": {"text": s.label}}
               for i, s in enumerate(steps)]
    related += [_linked(len(related) + i, ref) for i, ref in enumerate(finding.related)]
    out: dict[str, Any] = {}
    if related:
        out["relatedLocations"] = related[:MAX_RELATED_LOCATIONS - 1]
    if steps:
        out["codeFlows"] = [{"threadFlows": [{"locations": [
            {"location": {"physicalLocation": physical_location(s.span), "message": {"text": s.label}}}
            for s in steps]}]}]
    return out


def _cited(evidence: Evidence) -> dict[str, Any]:
    values = {"evidence": evidence.href, "evidenceSha256": evidence.sha256, "evidenceMissing": evidence.missing,
              "alsoComputedFrom": list(evidence.also)}
    return {key: value for key, value in values.items() if value}


def _result(finding: Finding, rule: RuleMeta, rule_index: int, evidence: Evidence | None) -> dict[str, Any]:
    kind = _kind(finding)
    result: dict[str, Any] = {
        "ruleId": finding.rule_id,
        "ruleIndex": rule_index,
        "kind": kind,
        "level": rule.level if kind == "fail" else "none",
        "message": {"text": finding.message or finding.title},
        "properties": {"status": status_word(finding), "plane": finding.plane, "controls": list(finding.controls)},
        "partialFingerprints": {FINGERPRINT: fingerprint(finding)},
    }
    location = _location(finding, evidence)
    if location:
        result["locations"] = [location]
    if finding.location is not None:
        result["properties"]["site"] = finding.evidence
    result.update(_paths(finding))
    if evidence is not None:
        result["properties"].update(_cited(evidence))
    suppression = _suppression(finding)
    if suppression is not None:
        result["suppressions"] = [suppression]
    elif finding.waiver is not None and finding.status is not Status.WAIVED:
        result["properties"]["lapsedWaiver"] = {"id": finding.waiver.id, "expired": finding.waiver.expires}
    return result


def sarif_run(findings: Sequence[Finding], rules: Sequence[RuleMeta], *, tool: Tool, properties: dict[str, Any],
              notifications: Sequence[dict[str, Any]] = (), successful: bool = True,
              evidence: Mapping[Finding, Evidence] | None = None) -> dict[str, Any]:
    """One run: every finding a result (in the order given), `rules` in the order given (each
    finding's rule among them); `notifications` say what the run could not do."""
    index = {rule.id: i for i, rule in enumerate(rules)}
    driver: dict[str, Any] = {"name": tool.name, "version": __version__, "rules": [_rule(r) for r in rules]}
    if tool.information_uri:
        driver["informationUri"] = tool.information_uri
    cited = evidence or {}
    return {
        "tool": {"driver": driver},
        "invocations": [{"executionSuccessful": successful, "toolExecutionNotifications": list(notifications)}],
        "results": [_result(f, rules[index[f.rule_id]], index[f.rule_id], cited.get(f)) for f in findings],
        "properties": properties,
    }


def _capped(dropped: int) -> dict[str, Any]:
    return {"level": "warning", "descriptor": {"id": "results-capped"}, "message": {
        "text": f"{dropped} result(s) left out of this file (the least severe): code scanning takes at most "
                f"{MAX_RESULTS} results per run and {MAX_GZIP_BYTES // (1024 * 1024)} MB compressed per file; "
                "the JSON output has them all"}}


def _document(findings: Sequence[Finding], dropped: int, rules: Sequence[RuleMeta], tool: Tool,
              properties: dict[str, Any], notifications: Sequence[dict[str, Any]], successful: bool,
              evidence: Mapping[Finding, Evidence] | None) -> str:
    notes = [*notifications, _capped(dropped)] if dropped else list(notifications)
    run = sarif_run(findings, rules, tool=tool, properties=properties, notifications=notes, successful=successful,
                    evidence=evidence)
    return sarif_text({"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]})


def sarif_text(log: dict[str, Any]) -> str:
    """The log as written: two-space indent, sorted keys."""
    return json.dumps(log, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def sarif_log(findings: Sequence[Finding], rules: Sequence[RuleMeta], *, tool: Tool, properties: dict[str, Any],
              notifications: Sequence[dict[str, Any]] = (), successful: bool = True,
              evidence: Mapping[Finding, Evidence] | None = None, max_results: int = MAX_RESULTS,
              max_bytes: int = MAX_GZIP_BYTES) -> str:
    """A SARIF file of one run within GitHub code scanning's documented limits: past `max_results`
    results, or `max_bytes` gzip-compressed (how upload-sarif sends it), the least severe results are
    left out (the rest keep their order) and a notification says how many."""
    ranked = sorted(range(len(findings)), key=lambda i: _RANK.get(findings[i].severity, len(_RANK)))
    kept = ranked[:max_results]

    def write(keep: list[int]) -> tuple[str, int]:
        chosen = [findings[i] for i in sorted(keep)]
        text = _document(chosen, len(findings) - len(keep), rules, tool, properties, notifications, successful,
                         evidence)
        return text, len(gzip.compress(text.encode("utf-8"), mtime=0))

    text, size = write(kept)
    while size > max_bytes and kept:
        kept = kept[:min(len(kept) - 1, int(len(kept) * max_bytes / size * 0.9))]
        text, size = write(kept)
    return text


def _evidence(f: FindingView) -> Evidence | None:
    also, citation = tuple(c.href for c in f.cites), f.citation
    if citation is None:
        return Evidence(also=also) if also else None
    return Evidence(file=citation.file, line=citation.line, href=citation.href, sha256=citation.sha256,
                    missing=citation.missing, also=also)


def render_sarif(model: ReportModel, *, keep_passing: bool = False) -> str:
    """Passing findings are left out unless `keep_passing`: code scanning shows results as alerts."""
    shown = [f for f in model.findings if keep_passing or f.finding.status is not Status.PASS]
    metas: dict[str, RuleMeta] = {}
    for f in shown:
        metas.setdefault(f.finding.rule_id, rule_meta(f.finding))
    properties: dict[str, Any] = {
        "collectedAt": model.results.snapshot_collected_at,
        "snapshotDigest": model.results.snapshot_digest,
        "policyDigest": model.results.policy_digest,
        "passingResults": "included" if keep_passing else "omitted",
    }
    if model.bundle is not None:
        properties["bundleId"] = model.bundle.id
    if model.config_note:
        properties["configNote"] = model.config_note
    notifications = [  # sources that could not be read
        {"level": "error", "message": {"text": f"scope limitation: {g.operation} in {g.where}: {g.label} ({g.detail}); {g.rests}"},
         "properties": {"gap": g.pointer}}
        for g in model.gaps
    ]
    evidence = {f.finding: e for f in shown if (e := _evidence(f)) is not None}
    return sarif_log([f.finding for f in shown], [metas[r] for r in sorted(metas)], tool=Tool("attest"),
                     properties=properties, notifications=notifications, evidence=evidence)
