"""SARIF that GitHub code scanning accepts and de-duplicates: valid against the vendored SARIF 2.1.0
schema, within the documented ingestion limits ("SARIF support for code scanning": at most 20 runs
per file, 25,000 results per run, 1,000 locations per result, 10,000 thread flow locations per
result, 20 tags per rule; a file of at most 10 MB gzip-compressed), with rule help, `helpUri`,
`security-severity`, `level: error` for blocking results, relative URIs with `uriBaseId`, columns,
and a stable `partialFingerprints` entry of our own (never `primaryLocationLineHash`, which GitHub
computes from the line's text and rejects when it disagrees)."""
from __future__ import annotations

import gzip
import json
from pathlib import Path

import jsonschema
from jsapp import pr_repo

from attest.policies.guard.model import Hop
from attest.reports.guard_output import sarif
from attest.reports.sarif import MAX_GZIP_BYTES, MAX_RELATED_LOCATIONS, MAX_RESULTS, MAX_TAGS_PER_RULE
from attest.policies.guard.results import GuardResult, Violation
from attest.policies.guard.rules import RULES

SCHEMA = json.loads((Path(__file__).resolve().parents[2] / "vendored" / "schemas" / "sarif-schema-2.1.0.json")
                    .read_text(encoding="utf-8"))
GITHUB = {"runs": 20, "results": 25_000, "locations": 1_000, "thread_flow_locations": 10_000, "tags": 20,
          "gzip_bytes": 10 * 1024 * 1024}


def _violation(n: int, rule: str = "reference-write") -> Violation:
    path = tuple(Hop(f"app/m{n % 97}.js", 1 + i, f"step {i}", 3, 1 + i, 20) for i in range(32))
    return Violation(rule, f"insertOne writes to collection 'c{n}' on the reference cluster", path[0], path,
                     ("flows_to",) * 33, "data:reference", "fail" if RULES[rule].status == "fail" else "error",
                     location=path[-1])


def _within_limits(doc: dict) -> None:
    jsonschema.validate(doc, SCHEMA)
    assert len(doc["runs"]) <= GITHUB["runs"]
    for run in doc["runs"]:
        assert len(run["results"]) <= GITHUB["results"]
        for rule in run["tool"]["driver"]["rules"]:
            assert len(rule["properties"]["tags"]) <= GITHUB["tags"]
            assert 0.1 <= float(rule["properties"]["security-severity"]) <= 10.0
            assert rule["helpUri"].startswith("https://") and rule["help"]["markdown"] and rule["help"]["text"]
        for result in run["results"]:
            assert len(result["locations"]) + len(result.get("relatedLocations", ())) <= GITHUB["locations"]
            flows = result["codeFlows"][0]["threadFlows"][0]["locations"]
            assert len(flows) <= GITHUB["thread_flow_locations"]
            assert set(result["partialFingerprints"]) == {"attestFinding/v1"}
            location = result["locations"][0]["physicalLocation"]
            assert location["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
            assert not location["artifactLocation"]["uri"].startswith(("/", "file:"))


def test_a_pull_request_sarif_is_valid_and_within_limits(tmp_path: Path, guard) -> None:
    repo = pr_repo(tmp_path)
    doc = json.loads(guard(repo, "--base", "main", fmt="sarif").out)
    _within_limits(doc)
    results = doc["runs"][0]["results"]
    assert [r["level"] for r in results] == ["error", "error"]
    region = results[1]["locations"][0]["physicalLocation"]["region"]
    assert region == {"startLine": 3, "startColumn": 6, "endLine": 3, "endColumn": 35}
    rules = {r["id"]: r for r in doc["runs"][0]["tool"]["driver"]["rules"]}
    assert rules["reference-write"]["properties"]["security-severity"] == "9.5"
    assert rules["reference-write"]["helpUri"].endswith("docs/guard.md#reference-write")


def test_blocking_errors_are_level_error_not_warning() -> None:
    doc = json.loads(sarif(GuardResult("r", None, (_violation(1, "dynamic-use"),), (), 1, True)))
    assert doc["runs"][0]["results"][0]["level"] == "error"
    assert {r["defaultConfiguration"]["level"] for r in doc["runs"][0]["tool"]["driver"]["rules"]} == {"error"}


def test_fingerprint_survives_line_moves_and_tells_findings_apart() -> None:
    one, other = _violation(1), _violation(2)
    moved = Violation(one.rule, one.message, one.site, tuple(Hop(h.file, h.line + 5, h.label) for h in one.path),
                      one.edges, one.sink, one.status, location=Hop(one.primary.file, one.primary.line + 5, ""))
    prints = [json.loads(sarif(GuardResult("r", None, (v,), (), 1, True)))["runs"][0]["results"][0]
              ["partialFingerprints"]["attestFinding/v1"] for v in (one, moved, other)]
    assert prints[0] == prints[1] != prints[2]


def test_writer_limits_are_githubs() -> None:
    assert (MAX_RESULTS, MAX_RELATED_LOCATIONS, MAX_TAGS_PER_RULE, MAX_GZIP_BYTES) == (
        GITHUB["results"], GITHUB["locations"], GITHUB["tags"], GITHUB["gzip_bytes"])


def test_more_results_than_the_limit_keeps_the_most_severe_and_says_so() -> None:
    """The writer's own limits, scaled down (the real ones take minutes to reach)."""
    many = tuple(_violation(n, "unclassified-collection") for n in range(20)) + tuple(_violation(n) for n in range(50))
    doc = json.loads(sarif(GuardResult("r", None, many, (), 1, True), max_results=50))
    _within_limits(doc)
    run = doc["runs"][0]
    assert len(run["results"]) == 50 and {r["ruleId"] for r in run["results"]} == {"reference-write"}
    note = run["invocations"][0]["toolExecutionNotifications"][0]
    assert note["message"]["text"].startswith("20 result(s) left out")


def test_a_file_larger_than_the_limit_compressed_is_cut_to_fit() -> None:
    many = tuple(_violation(n) for n in range(400))
    whole = sarif(GuardResult("r", None, many, (), 1, True))
    budget = len(gzip.compress(whole.encode("utf-8"))) // 3
    text = sarif(GuardResult("r", None, many, (), 1, True), max_bytes=budget)
    assert len(gzip.compress(text.encode("utf-8"))) <= budget
    doc = json.loads(text)
    _within_limits(doc)
    kept = len(doc["runs"][0]["results"])
    assert 0 < kept < 400
    assert doc["runs"][0]["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"].startswith(
        f"{400 - kept} result(s) left out")
