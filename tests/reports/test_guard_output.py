"""One SARIF writer (reports/sarif.py) for the report and the guard: a code finding renders the same
result in both, a finding carries its span and path through a findings file, and every rule of the
project links to its documentation."""
from __future__ import annotations

import dataclasses
import json
import re
from pathlib import Path
from typing import Any

from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.policies.guard.model import Hop
from attest.policies.guard.results import GuardResult, Violation
from attest.policies.guard.waivers import Waiver
from attest.policies.results_io import results_from_dict
from attest.reports import guard_output
from attest.reports.model import build_model
from attest.reports.sarif import RULE_DOCS, help_uri, render_sarif

ROOT = Path(__file__).resolve().parents[2]
# A hand-written path: a billing job hands the reference handle to a helper that writes.
PATH = (Hop("jobs/billing.ts", 2, "getReferenceDb() opens the reference database", 20, 2, 36),
        Hop("jobs/billing.ts", 9, "passes to settle()", 9, 9, 30),
        Hop("lib/settle.ts", 1, "parameter db of settle"),
        Hop("lib/settle.ts", 4, ".replaceOne() writes", 29, 4, 45))
WRITE = Violation("reference-write", "replaceOne writes to collection 'ledgers' on the reference cluster", PATH[1],
                  PATH, ("flows_to",) * 5, "data:reference", location=PATH[-1])
WAIVED = dataclasses.replace(WRITE, site=Hop("jobs/close.ts", 7, "passes to settle()", 3, 7, 20), status="waived",
                             waiver=Waiver("jobs/close.ts", 6, "reference-write", "month-end close", "#77", "2027-03-31",
                                           "active"), location=None)
GUARD = GuardResult("repo", None, (WRITE, WAIVED), (), 3, True)


def _without_report_context(result: dict[str, Any]) -> dict[str, Any]:
    """What only one of the two knows: the rule's position in its run, and the report's citation."""
    out = {k: v for k, v in result.items() if k != "ruleIndex"}
    out["properties"] = {k: v for k, v in result["properties"].items() if not k.startswith("evidence")}
    return out


def test_a_code_finding_renders_the_same_result_in_the_report_and_the_guard(results: Results,
                                                                             snapshot: Snapshot) -> None:
    guard_results = json.loads(guard_output.sarif(GUARD))["runs"][0]["results"]
    findings = tuple(guard_output.findings(GUARD))
    model = build_model(dataclasses.replace(results, findings=findings, waivers=()), snapshot, None)
    report_results = json.loads(render_sarif(model))["runs"][0]["results"]
    by_site = {r["properties"]["site"]: r for r in report_results}
    assert len(by_site) == len(guard_results) == 2
    for guard_result in guard_results:
        report_result = by_site[guard_result["properties"]["site"]]
        assert _without_report_context(report_result) == _without_report_context(guard_result)
        file, _sep, line = guard_result["properties"]["site"].rpartition(":")
        assert report_result["properties"]["evidence"] == f"{file}#L{line}"
    write = by_site["jobs/billing.ts:9"]
    assert write["locations"][0]["physicalLocation"]["region"] == {"startLine": 4, "startColumn": 29, "endLine": 4,
                                                                   "endColumn": 45}
    assert len(write["relatedLocations"]) == len(write["codeFlows"][0]["threadFlows"][0]["locations"]) == 4
    assert by_site["jobs/close.ts:7"]["suppressions"][0]["kind"] == "inSource"
    assert by_site["jobs/close.ts:7"]["suppressions"][0]["location"]["physicalLocation"]["region"] == {"startLine": 6}


def test_a_findings_file_keeps_a_code_findings_span_and_path(results: Results) -> None:
    control = results.controls[0].control_id  # a findings file cites only the controls it lists
    findings = tuple(dataclasses.replace(f, controls=(control,)) for f in guard_output.findings(GUARD))
    written = dataclasses.replace(results, findings=findings, waivers=())
    read = results_from_dict(json.loads(written.to_json()), "findings.json")
    assert sorted(read.findings, key=lambda f: f.evidence) == sorted(findings, key=lambda f: f.evidence)
    assert read.findings[0].location is not None and read.findings[0].trace


def test_a_finding_without_span_is_written_as_before(results: Results) -> None:
    """Live and Terraform findings have no `location` or `trace` key: their findings files do not move."""
    assert not any({"location", "trace"} & set(f) for f in json.loads(results.to_json())["findings"])


def test_every_rule_of_the_project_links_to_its_documented_anchor() -> None:
    """Every ATL rule id the code or the policy set names has an anchor of that id in the page its
    `helpUri` points at (docs/policies.md, docs/terraform.md)."""
    sources = [*ROOT.glob("policies/**/*.py"), *ROOT.glob("policies/**/*.yaml")]
    ids = {m for path in sources for m in re.findall(r"\bATL-[A-Z]+-[0-9]{3}\b", path.read_text(encoding="utf-8"))}
    assert len(ids) > 40
    pages = {page: (ROOT / "docs" / page).read_text(encoding="utf-8") for _prefix, page in RULE_DOCS}
    for rule_id in sorted(ids):
        uri = help_uri(rule_id)
        page, _sep, anchor = uri.rpartition("/")[2].partition("#")
        assert anchor == rule_id and f'<a id="{rule_id}"></a>' in pages[page], rule_id
    assert help_uri("secrets.cmk") == ""


def test_report_rules_carry_security_severity_and_help_uri(results: Results, snapshot: Snapshot,
                                                           sarif_validator: Any) -> None:
    atl = dataclasses.replace(results.findings[0], rule_id="ATL-DB-005", severity="critical")
    log = json.loads(render_sarif(build_model(dataclasses.replace(results, findings=(atl,)), snapshot, None),
                                  keep_passing=True))
    assert not list(sarif_validator.iter_errors(log))
    rule = log["runs"][0]["tool"]["driver"]["rules"][0]
    assert rule["helpUri"].endswith("docs/policies.md#ATL-DB-005")
    assert rule["properties"]["security-severity"] == "9.5" and rule["properties"]["tags"][0] == "security"
