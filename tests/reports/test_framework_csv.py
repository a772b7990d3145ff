"""The per-framework CSVs: column contract, one row per (control, finding), formula-safe, error not a pass."""
from __future__ import annotations

import dataclasses

from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results, Status
from attest.reports.bundle import BundleRef
from attest.reports.framework_csv import COLUMNS, csv_name, render_framework_csvs, safe_cell
from attest.reports.model import build_model

from exports import csv_problems, csv_rows


def _render(results: Results, snapshot: Snapshot, bundle: BundleRef | None = None) -> dict[str, str]:
    return render_framework_csvs(build_model(results, snapshot, bundle))


def test_one_file_per_framework_each_keeping_the_contract(results: Results, snapshot: Snapshot, bundle: BundleRef) -> None:
    files = _render(results, snapshot, bundle)
    assert sorted(files) == sorted(csv_name(c.framework) for c in {c.framework: c for c in results.controls}.values())
    assert sorted(files) == ["compliance-hipaa.csv", "compliance-soc-2.csv"]
    for name, text in files.items():
        assert csv_problems(text) == [], name


def test_a_row_per_control_and_finding_and_every_control_present(results: Results, snapshot: Snapshot) -> None:
    files = _render(results, snapshot)
    for control in results.controls:
        rows = [dict(zip(COLUMNS, r)) for r in csv_rows(files[csv_name(control.framework)])[1:]]
        mine = [r for r in rows if r["control_id"] == control.control_id]
        findings = [f for f in results.findings if control.control_id in f.controls]
        assert len(mine) == max(1, len(findings))
        assert {r["control_status"] for r in mine} == {control.status.value}


def test_the_error_finding_stays_an_error(results: Results, snapshot: Snapshot) -> None:
    rows = [dict(zip(COLUMNS, r)) for text in _render(results, snapshot).values() for r in csv_rows(text)[1:]]
    errors = [r for r in rows if r["rule_id"] == "ecs.service.newest_revision"]
    assert errors and {r["status"] for r in errors} == {"error"}


def test_hostile_text_round_trips_quoted_and_defused(results: Results, snapshot: Snapshot) -> None:
    title = '=HYPERLINK("http://evil.example","click"), "quoted"\nsecond line'
    finding = next(f for f in results.findings if f.status is Status.ERROR)
    hostile = dataclasses.replace(finding, title=title, message="+SUM(A1:A2)", resource_id="@cmd|' /C calc'!A0")
    texts = _render(dataclasses.replace(results, findings=(hostile,)), snapshot)
    assert all(csv_problems(t) == [] for t in texts.values())
    [row] = [dict(zip(COLUMNS, r)) for t in texts.values() for r in csv_rows(t)[1:] if r[4] == finding.rule_id]
    assert row["rule_title"] == "'" + title
    assert row["message"] == "'+SUM(A1:A2)" and row["resource_id"] == "'@cmd|' /C calc'!A0"
    assert row["status"] == "error"


def test_line_ends_are_crlf_outside_quoted_cells(results: Results, snapshot: Snapshot) -> None:
    for text in _render(results, snapshot).values():
        assert "\n" not in text.replace("\r\n", "")


def test_safe_cell_leaves_ordinary_text_alone() -> None:
    assert [safe_cell(v) for v in ("CC6.6", "-1", "=1", "a=b", "")] == ["CC6.6", "'-1", "'=1", "a=b", ""]


def test_a_source_not_read_is_an_error_row_of_the_controls_resting_on_it(results: Results, snapshot: Snapshot) -> None:
    gap = {**results.gaps[0], "controls": ["CC8.1"]}
    controls = tuple(dataclasses.replace(c, scope_limitations=("/gaps/0",)) if c.control_id == "CC8.1" else c
                     for c in results.controls)
    limited = dataclasses.replace(results, findings=(), gaps=(gap,), controls=controls)
    text = _render(limited, snapshot)["compliance-soc-2.csv"]
    assert csv_problems(text) == []
    rows = [dict(zip(COLUMNS, r)) for r in csv_rows(text)[1:] if r[1] == "CC8.1"]
    assert [(r["rule_id"], r["status"], r["evidence"]) for r in rows] == [("source-not-read", "error", "snapshot.json#/gaps/0")]
