"""Shared checks for the security-team exports: the OCSF subset schema and the CSV column contract."""
from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import jsonschema

from attest.reports.framework_csv import BOM, COLUMNS, STATUSES

SCHEMA = Path(__file__).parents[1] / "vendored" / "schemas" / "ocsf-1.3.0-detection-finding-subset.json"
# Captions of the enum ids we emit, from the OCSF 1.3.0 dictionary (tests/vendored/README.md).
SEVERITY_CAPTIONS = {0: "Unknown", 1: "Informational", 2: "Low", 3: "Medium", 4: "High", 5: "Critical"}
FINDING_STATUS_CAPTIONS = {1: "New", 2: "In Progress", 3: "Suppressed", 4: "Resolved"}
COMPLIANCE_CAPTIONS = {1: "Pass", 2: "Warning", 3: "Fail"}


def ocsf_validator() -> jsonschema.protocols.Validator:
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def ocsf_events(text: str) -> list[dict[str, Any]]:
    """JSON Lines: every line one event, the file ends with a newline, no blank lines."""
    assert text.endswith("\n") or text == ""
    lines = text.split("\n")[:-1]
    assert all(lines), "blank line in JSON Lines output"
    return [json.loads(line) for line in lines]


def ocsf_problems(text: str) -> list[str]:
    """Schema errors plus the sibling captions JSON Schema cannot tie to their ids."""
    validator = ocsf_validator()
    problems = []
    for number, event in enumerate(ocsf_events(text), 1):
        problems += [f"line {number}: {e.message}" for e in validator.iter_errors(event)]
        if SEVERITY_CAPTIONS.get(event["severity_id"]) != event.get("severity"):
            problems.append(f"line {number}: severity {event.get('severity')!r} for id {event['severity_id']}")
        if event.get("status_id") != 99 and FINDING_STATUS_CAPTIONS.get(event.get("status_id", -1)) != event.get("status"):
            problems.append(f"line {number}: status {event.get('status')!r} for id {event.get('status_id')}")
        for item in event["unmapped"]["compliance"]:
            if item["status_id"] != 99 and COMPLIANCE_CAPTIONS.get(item["status_id"]) != item["status"]:
                problems.append(f"line {number}: compliance status {item['status']!r} for id {item['status_id']}")
    return problems


def csv_rows(text: str) -> list[list[str]]:
    """Parse as a spreadsheet would: BOM, RFC 4180 quoting, CRLF record ends."""
    assert text.startswith(BOM)
    body = text[len(BOM):]
    assert body.endswith("\r\n")
    return list(csv.reader(io.StringIO(body, newline=""), strict=True))


def csv_problems(text: str) -> list[str]:
    """The column contract: exact header, every row as wide, statuses from the enumeration, no live formula."""
    rows = csv_rows(text)
    problems = [] if rows and tuple(rows[0]) == COLUMNS else [f"header {rows[:1]}"]
    for number, row in enumerate(rows[1:], 2):
        if len(row) != len(COLUMNS):
            problems.append(f"row {number}: {len(row)} cells")
            continue
        record = dict(zip(COLUMNS, row))
        if record["status"] not in STATUSES or record["control_status"] not in STATUSES:
            problems.append(f"row {number}: status {record['status']!r}/{record['control_status']!r}")
        problems += [f"row {number}: {cell!r} would run as a formula" for cell in row if cell[:1] in ("=", "+", "-", "@")]
    return problems
