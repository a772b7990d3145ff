"""`--unverified` marks every human-readable page, and each machine format where its schema has room.

The machine formats are rendered for real from the report fixtures, marked, and validated against
their schemas again (OCSF subset, SARIF 2.1.0, OSCAL assessment results); a SIEM or code-scanning
upload of an unverified render must say so, and must still be accepted.
"""
from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any

import pytest
from exports import ocsf_events, ocsf_problems

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.framework_csv import csv_name
from attest.reports.model import build_model
from attest.reports.render import JUNIT_FILE, OCSF_FILE, OSCAL_FILE, SARIF_FILE, render
from attest.reports.unverified import NOTICE, mark_unverified


@pytest.fixture()
def rendered(results: Results, snapshot: Snapshot, bundle: BundleRef, config: EstateConfig) -> dict[str, str]:
    return render(build_model(results, snapshot, bundle), config)


def test_pages_open_with_the_notice() -> None:
    files = {
        "findings.md": "# Findings\n",
        "findings.html": "<!doctype html>\n<html><head></head><body><h1>Findings</h1></body></html>\n",
    }
    marked = mark_unverified(files)
    assert marked["findings.md"].startswith(f"> **{NOTICE}**\n\n# Findings")
    head, body = marked["findings.html"].split("<body>", 1)
    assert head == "<!doctype html>\n<html><head></head>" and body.startswith(f'\n<p class="not-verified" role="alert"><strong>{NOTICE}')


def test_every_ocsf_event_says_it_and_stays_valid(rendered: dict[str, str]) -> None:
    marked = mark_unverified(rendered)[OCSF_FILE]
    events = ocsf_events(marked)
    assert len(events) == len(ocsf_events(rendered[OCSF_FILE])) and ocsf_problems(marked) == []
    assert all(e["unmapped"]["attest"]["unverified"] == NOTICE for e in events)


def test_every_sarif_run_says_it_and_stays_valid(rendered: dict[str, str], sarif_validator: Any) -> None:
    log = json.loads(mark_unverified(rendered)[SARIF_FILE])
    assert [e.message for e in sarif_validator.iter_errors(log)] == []
    assert log["runs"] and all(run["properties"]["unverified"] == NOTICE for run in log["runs"])


def test_the_oscal_results_say_it_and_stay_valid(rendered: dict[str, str], oscal_validator: Any) -> None:
    document = json.loads(mark_unverified(rendered)[OSCAL_FILE])
    assert [e.message for e in oscal_validator.iter_errors(document)] == []
    props = document["assessment-results"]["metadata"]["props"]
    assert {"name": "unverified", "ns": "urn:attest:oscal", "value": NOTICE} in props


def test_every_junit_suite_says_it(rendered: dict[str, str]) -> None:
    marked = mark_unverified(rendered)[JUNIT_FILE]
    assert marked.startswith('<?xml version="1.0" encoding="UTF-8"?>\n')
    suites = ET.fromstring(marked.partition("\n")[2]).findall("testsuite")
    assert suites and all(s[0].tag == "properties" and s[0][0].get("value") == NOTICE for s in suites)
    original = ET.fromstring(rendered[JUNIT_FILE].partition("\n")[2])
    assert [len(s) - 1 for s in suites] == [len(s) for s in original.findall("testsuite")]  # every case kept


def test_the_csvs_keep_their_column_contract(rendered: dict[str, str]) -> None:
    """Consumers key on the fixed header: no room for the notice, so the command line says it."""
    names = [name for name in rendered if name.startswith("compliance-")]
    assert names and csv_name("SOC 2") in names
    marked = mark_unverified(rendered)
    assert all(marked[name] == rendered[name] for name in names)
