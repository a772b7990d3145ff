"""Code findings of `attest check --code` in every report format: the guard's findings of a
hand-written app (tests/attest/code_apps/restock_writes_reference: a restock written through
`getReferenceDb()`, and a seed written from a test file, waived by the guard's test policy) folded
into the results of a real check (the snapshot of tests/badinput/valid, the local estate's config,
the policy set), then rendered: each format valid against its schema or contract, each guard rule id
present under its own name and on the policy set's controls."""
from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from xml.etree import ElementTree

import jsonschema
import pytest

from attest.collector.config import load_config
from attest.policies.check import check_loaded, load_snapshots
from attest.policies.code_plane import with_code
from attest.policies.rule_loader import POLICIES_DIR
from attest.reports.render import JUNIT_FILE, OCSF_FILE, OSCAL_FILE, SARIF_FILE, render_all
from exports import csv_problems, ocsf_events, ocsf_problems

ROOT = Path(__file__).resolve().parents[2]
RESTOCK = ROOT / "tests" / "attest" / "code_apps" / "restock_writes_reference"
SNAPSHOT = ROOT / "tests" / "badinput" / "valid" / "snapshot.json"
CONFIG = ROOT / "sandbox" / "attest.local.yaml"
DAY = dt.date(2026, 11, 26)
SEED = ('import { getReferenceDb } from "../lib/reference";\n\nexport async function seed() {\n'
        '  const db = await getReferenceDb();\n  await db.collection("stock").deleteMany({});\n}\n')


@pytest.fixture(scope="module")
def rendered(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    snapshot, config = load_snapshots([SNAPSHOT]), load_config(CONFIG)
    results = check_loaded(snapshot, config, POLICIES_DIR, None, DAY)
    app = tmp_path_factory.mktemp("code") / "app"
    shutil.copytree(RESTOCK, app)
    (app / "app" / "seed.test.ts").write_text(SEED, encoding="utf-8")
    folded = with_code(results, (app,), live=True, today=DAY)
    code = {(f.rule_id, f.status.value, f.evidence) for f in folded.findings if f.rule_id == "reference-write"}
    assert code == {("reference-write", "fail", "app/restock.ts:10"), ("reference-write", "waived", "app/seed.test.ts:5")}
    return {k: v if isinstance(v, str) else v.decode("utf-8") for k, v in
            render_all(folded, snapshot, config, bundle=None).items()}


def test_sarif_is_valid_and_locates_the_write_with_its_path(rendered: dict[str, str],
                                                             sarif_validator: jsonschema.protocols.Validator) -> None:
    log = json.loads(rendered[SARIF_FILE])
    sarif_validator.validate(log)
    run = log["runs"][0]
    [write, seed] = sorted((r for r in run["results"] if r["ruleId"] == "reference-write"), key=lambda r: r["kind"])
    assert (write["kind"], seed["kind"]) == ("fail", "informational")  # the test policy's: a notice
    assert write["locations"][0]["physicalLocation"]["region"]["startLine"] == 10
    steps = write["codeFlows"][0]["threadFlows"][0]["locations"]
    assert [s["location"]["message"]["text"] for s in steps][-1] == ".insertOne() writes"
    [rule] = [r for r in run["tool"]["driver"]["rules"] if r["id"] == "reference-write"]
    assert rule["helpUri"].endswith("/guard.md#reference-write")


def test_oscal_is_valid_with_an_observation_per_code_finding(rendered: dict[str, str],
                                                             oscal_validator: jsonschema.protocols.Validator) -> None:
    doc = json.loads(rendered[OSCAL_FILE])
    oscal_validator.validate(doc)
    observations = doc["assessment-results"]["results"][0]["observations"]
    rules = [p["value"] for o in observations for p in o.get("props", []) if p["name"] == "rule-id"]
    assert rules.count("reference-write") == 2


def test_ocsf_and_csv_keep_their_contracts(rendered: dict[str, str]) -> None:
    assert ocsf_problems(rendered[OCSF_FILE]) == []
    rules = [e["finding_info"]["analytic"]["uid"] for e in ocsf_events(rendered[OCSF_FILE])]
    assert rules.count("reference-write") == 2
    for name in (n for n in rendered if n.endswith(".csv")):
        assert csv_problems(rendered[name]) == []


def test_junit_has_a_suite_for_the_guard_rule(rendered: dict[str, str]) -> None:
    suites = ElementTree.fromstring(rendered[JUNIT_FILE]).findall("testsuite")
    [suite] = [s for s in suites if s.get("name") == "reference-write"]
    assert (suite.get("tests"), suite.get("failures"), suite.get("skipped")) == ("2", "1", "1")


def test_markdown_and_html_show_the_write_and_the_standing_test_policy(rendered: dict[str, str]) -> None:
    assert "1. `app/restock.ts:9`: getReferenceDb() opens the reference database" in rendered["findings.md"]
    assert "| `test_policy:(defaults)` | active |" in rendered["waiver-register.md"]
    assert '<ol class="trace">' in rendered["findings.html"]
