"""One CSV per framework (SOC 2, HIPAA), one row per (control, finding), for auditors' spreadsheets.

The column contract (COLUMNS, documented in docs/reports.md) is fixed: consumers key on the header.
RFC 4180 via the csv module with CRLF line ends, UTF-8 with a byte-order mark so Excel reads `§`
and accents right. A cell that a spreadsheet would run as a formula (starting with = + - @, tab or
carriage return) is prefixed with a single quote. A control with no finding (manual, or nothing
judged) still gets one row, with the control's own status, so no control is silently absent; a
source the control rests on that could not be read is an `error` row (rule `source-not-read`).
"""
from __future__ import annotations

import csv
import io
import re

from attest.reports.citations import SNAPSHOT_FILE
from attest.reports.limitations import GapView
from attest.reports.model import ControlView, FindingView, ReportModel
from attest.reports.ocsf import finding_uid

COLUMNS = (
    "framework", "control_id", "control_title", "control_status",
    "rule_id", "rule_title", "severity", "status", "plane", "resource_id", "message",
    "evidence", "evidence_sha256", "waiver_id", "waiver_expires", "finding_uid",
    "bundle_id", "snapshot_digest", "collected_at",
)
STATUSES = ("pass", "fail", "error", "waived", "manual")
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
BOM = "\ufeff"
GAP_RULE = "source-not-read"


def csv_name(framework: str) -> str:
    """`SOC 2` -> `compliance-soc-2.csv`."""
    return f"compliance-{re.sub(r'[^a-z0-9]+', '-', framework.lower()).strip('-') or 'other'}.csv"


def safe_cell(value: str) -> str:
    """Defuse spreadsheet formula injection: a leading = + - @ (or tab/CR) becomes literal text."""
    return f"'{value}" if value.startswith(_FORMULA_START) else value


def _row(c: ControlView, f: FindingView | None, model: ReportModel) -> list[str]:
    control = c.control
    run = [model.bundle.id if model.bundle else "", model.results.snapshot_digest, model.results.snapshot_collected_at]
    head = [control.framework, control.control_id, control.title, control.status.value]
    if f is None:
        said = "; ".join(
            f"attested by {a.attestation.attested_by} until {a.attestation.valid_until}" for a in c.attestations
        ) or "no finding recorded for this control"
        return head + ["", "", "", control.status.value, "", "", said, "", "", "", "", ""] + run
    finding = f.finding
    waiver = finding.waiver
    return head + [
        finding.rule_id, finding.title, finding.severity, finding.status.value, finding.plane,
        finding.resource_id or "", finding.message,
        f.citation.href if f.citation else "", (f.citation.sha256 or "") if f.citation else "",
        waiver.id if waiver else "", waiver.expires if waiver else "", finding_uid(f),
    ] + run


def _gap_row(c: ControlView, g: GapView, model: ReportModel) -> list[str]:
    """A source the control rests on that could not be read: an error row of its own."""
    control = c.control
    run = [model.bundle.id if model.bundle else "", model.results.snapshot_digest, model.results.snapshot_collected_at]
    said = f"{g.label}: {g.detail}" if g.detail else g.label
    return [control.framework, control.control_id, control.title, control.status.value,
            GAP_RULE, f"{g.operation} in {g.where} could not be read", "", "error", "live", "", said,
            f"{SNAPSHOT_FILE}#{g.pointer}", "", "", "", ""] + run


def _document(controls: list[ControlView], model: ReportModel) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(COLUMNS)
    for c in controls:
        rows = [_row(c, f, model) for f in c.findings] + [_gap_row(c, g, model) for g in c.limitations]
        rows = rows or [_row(c, None, model)]
        writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return BOM + out.getvalue()


def render_framework_csvs(model: ReportModel) -> dict[str, str]:
    """file name -> CSV text, one per framework in the control set, controls in the set's order."""
    by_framework: dict[str, list[ControlView]] = {}
    for c in model.controls:
        by_framework.setdefault(c.control.framework, []).append(c)
    return {csv_name(name): _document(controls, model) for name, controls in sorted(by_framework.items())}
