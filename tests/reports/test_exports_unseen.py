"""The Northwind estate (tests/unseen, written for issue 19, not derived from sandbox/estates or the
report fixtures) through `attest check` and `attest report --format ocsf|csv`: schema and contract hold."""
from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from attest.cli import main
from attest.reports.framework_csv import COLUMNS
from attest.reports.render import OCSF_FILE

from exports import csv_problems, csv_rows, ocsf_events, ocsf_problems

sys.path.insert(0, str(Path(__file__).parents[1] / "unseen"))
import northwind  # noqa: E402


@pytest.fixture(scope="module")
def checked(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, Path]:
    root = tmp_path_factory.mktemp("northwind-exports")
    config = northwind.write_config(root)
    snapshot = root / "snapshot.json"
    snapshot.write_text(json.dumps(northwind.snapshot_doc()), encoding="utf-8")
    findings = root / "findings.json"
    code = main(["check", "--snapshot", str(snapshot), "--config", str(config), "--format", "json", "--output", str(findings)])
    assert code in (1, 3)  # Northwind has planted failures
    return config, snapshot, findings


def _report(checked: tuple[Path, Path, Path], fmt: str, out: Path) -> dict[str, str]:
    config, snapshot, findings = checked
    code = main(["report", str(findings), "--snapshot", str(snapshot), "--config", str(config), "--format", fmt, "--output", str(out)])
    assert code == 0
    return {p.name: p.read_bytes().decode("utf-8") for p in sorted(out.iterdir())}


def test_ocsf_export_of_an_unseen_estate(checked: tuple[Path, Path, Path], tmp_path: Path) -> None:
    files = _report(checked, "ocsf", tmp_path)
    assert list(files) == [OCSF_FILE]
    assert ocsf_problems(files[OCSF_FILE]) == []
    events = ocsf_events(files[OCSF_FILE])
    results = json.loads(checked[2].read_text(encoding="utf-8"))
    assert len(events) == len(results["findings"])
    failing = {f["rule_id"] for f in results["findings"] if f["status"] == "fail"}
    assert "ATL-DB-003" in failing
    assert failing == {e["finding_info"]["analytic"]["uid"] for e in events if e["status_code"] == "fail"}
    kinds = {e["resources"][0]["type"] for e in events if "resources" in e}
    assert {"scope", "declared"} <= kinds and "live" not in kinds


def test_csv_export_of_an_unseen_estate(checked: tuple[Path, Path, Path], tmp_path: Path) -> None:
    files = _report(checked, "csv", tmp_path)
    assert sorted(files) == ["compliance-hipaa.csv", "compliance-soc-2.csv"]
    results = json.loads(checked[2].read_text(encoding="utf-8"))
    for name, text in files.items():
        assert csv_problems(text) == [], name
        rows = [dict(zip(COLUMNS, r)) for r in csv_rows(text)[1:]]
        framework = rows[0]["framework"]
        assert {r["control_id"] for r in rows} == {c["control_id"] for c in results["controls"] if c["framework"] == framework}
    hipaa = [dict(zip(COLUMNS, r)) for r in csv_rows(files["compliance-hipaa.csv"])[1:]]
    assert any(r["rule_id"] == "ATL-BAA-001" and r["status"] == "fail" for r in hipaa)
