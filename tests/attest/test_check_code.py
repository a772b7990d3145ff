"""`attest check --code DIR`: the guard's whole-repo scan as the check's code plane. A write through
the reference helper fails the controls the guard's rule names (exit 1), a clean app passes (exit
0), code the guard cannot parse is an `error` finding (exit 3), a bad guard file is bad input (exit
2, one line); beside a snapshot the code finding joins the live ones and the reports show its path.

The apps are hand-written (tests/attest/code_apps/): `restock_writes_reference` reads stock levels
through `getReferenceDb()` and writes a restock through it; `reference_user_can_write` declares a
reference-project user with `readWrite`, which the Terraform plane and the guard both judge."""
from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from attest.cli import main
from attest.policies.guard.rules import RULES
from attest.policies.terraform.checkov_locate import locate_checkov

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).parent / "code_apps"
RESTOCK = APPS / "restock_writes_reference"
USER_APP = APPS / "reference_user_can_write"
SNAPSHOT = ROOT / "tests" / "badinput" / "valid" / "snapshot.json"
CONFIG = ROOT / "sandbox" / "attest.local.yaml"
WRITE_PATH = [
    ("app/restock.ts", 9, "getReferenceDb() opens the reference database"),
    ("app/restock.ts", 10, "passes to stock()"),
    ("app/restock.ts", 3, "parameter db of stock"),
    ("app/restock.ts", 4, "collection stock"),
    ("app/restock.ts", 10, ".insertOne() writes"),
]


def _check(tmp_path: Path, *args: str) -> tuple[int, dict[str, Any]]:
    out = tmp_path / "results.json"
    code = main(["check", *args, "--format", "json", "--output", str(out), "--today", "2026-11-26"])
    return code, json.loads(out.read_text(encoding="utf-8"))


def _app(tmp_path: Path, drop: str = "", add: dict[str, str] | None = None) -> Path:
    """A copy of the restock app outside any git repository, less `drop`, plus `add`."""
    app = tmp_path / "app"
    shutil.copytree(RESTOCK, app)
    if drop:
        (app / drop).unlink()
    for rel, text in (add or {}).items():
        (app / rel).write_text(text, encoding="utf-8")
    return app


def _statuses(results: dict[str, Any]) -> dict[str, str]:
    return {c["control_id"]: c["status"] for c in results["controls"]}


def test_a_write_through_the_reference_helper_fails_its_controls(tmp_path: Path) -> None:
    code, results = _check(tmp_path, "--code", str(RESTOCK))
    assert code == 1
    [write] = results["findings"]  # the read in app/levels.ts is no finding
    prefix = "tests/attest/code_apps/restock_writes_reference/"  # paths from the git top level
    assert (write["rule_id"], write["status"], write["plane"]) == ("reference-write", "fail", "code")
    assert write["evidence"] == prefix + "app/restock.ts:10"
    assert write["location"] == {"file": prefix + "app/restock.ts", "line": 10, "column": 19, "end_line": 10,
                                 "end_column": 60}
    assert [(s["file"], s["line"], s["label"]) for s in write["trace"]] == [
        (prefix + file, line, label) for file, line, label in WRITE_PATH]
    assert write["controls"] == list(RULES["reference-write"].controls)
    controls = _statuses(results)
    assert {c: controls[c] for c in write["controls"]} == {c: "fail" for c in write["controls"]}
    # without a snapshot a control answers only for the rules that judged something
    assert {c for c, s in controls.items() if s != "manual"} == set(write["controls"])
    mapped = {c["control_id"]: [m["rule_id"] for m in c["mappings"]] for c in results["controls"]}
    assert all(mapped[c] == ["reference-write"] for c in write["controls"])


def test_the_clean_read_alone_passes(tmp_path: Path) -> None:
    code, results = _check(tmp_path, "--code", str(_app(tmp_path, drop="app/restock.ts")))
    assert code == 0
    assert results["findings"] == []
    assert set(_statuses(results).values()) == {"manual"}


def test_code_the_guard_cannot_parse_is_an_error_finding(tmp_path: Path) -> None:
    broken = "export function reprice() {\n  const price = ;\n}\n"
    code, results = _check(tmp_path, "--code", str(_app(tmp_path, add={"app/reprice.ts": broken})))
    assert code == 3
    [error] = results["findings"]
    assert (error["rule_id"], error["status"], error["plane"], error["evidence"]) == (
        "dynamic-use", "error", "code", "app/reprice.ts:2")
    assert error["message"].startswith("could not analyse: ")
    controls = _statuses(results)
    assert {c: controls[c] for c in error["controls"]} == {c: "error" for c in error["controls"]}


def test_a_bad_guard_file_is_bad_input_in_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = _app(tmp_path, add={".attest-guard.yaml": "reference_helpers: [getReferenceDb]\nreference_helper: x\n"})
    assert main(["check", "--code", str(app), "--format", "json", "--output", str(tmp_path / "r.json")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert ".attest-guard.yaml:2" in err and "unknown key" in err
    assert not (tmp_path / "r.json").exists()


def test_beside_a_snapshot_the_code_finding_joins_the_live_ones_and_the_reports_show_its_path(tmp_path: Path) -> None:
    live_code, live = _check(tmp_path, "--snapshot", str(SNAPSHOT), "--config", str(CONFIG))
    code, results = _check(tmp_path, "--snapshot", str(SNAPSHOT), "--config", str(CONFIG), "--code", str(RESTOCK))
    assert code == 1
    assert [f for f in results["findings"] if f["plane"] == "live"] == live["findings"]
    [write] = [f for f in results["findings"] if f["plane"] == "code"]
    assert write["rule_id"] == "reference-write"
    before, after = _statuses(live), _statuses(results)
    assert {c: after[c] for c in write["controls"]} == {c: "fail" for c in write["controls"]}
    assert {c: s for c, s in after.items() if c not in write["controls"]} == {
        c: s for c, s in before.items() if c not in write["controls"]}
    (tmp_path / "findings.json").write_text(json.dumps(results), encoding="utf-8")
    out = tmp_path / "reports"
    assert main(["report", str(tmp_path / "findings.json"), "--snapshot", str(SNAPSHOT), "--config", str(CONFIG),
                 "--output", str(out)]) == 0
    prefix = "tests/attest/code_apps/restock_writes_reference/"
    markdown = (out / "findings.md").read_text(encoding="utf-8")
    listed = [f"  {i}. `{prefix}{file}:{line}`: {label}" for i, (file, line, label) in enumerate(WRITE_PATH, 1)]
    assert "\n".join(["- **Path, from the source to the finding:**", *listed]) in markdown
    html = (out / "findings.html").read_text(encoding="utf-8")
    items = [f"<li><code>{prefix}{file}:{line}</code> {label}</li>" for file, line, label in WRITE_PATH]
    assert "\n".join(['<ol class="trace">', *items, "</ol>"]) in html
    sarif = json.loads((out / "attest.sarif").read_text(encoding="utf-8"))
    [rule] = [r for r in sarif["runs"][0]["tool"]["driver"]["rules"] if r["id"] == "reference-write"]
    assert rule["helpUri"].endswith("/docs/guard.md#reference-write")


@pytest.mark.skipif(locate_checkov().path is None, reason="no checkov: run `make setup`")
def test_a_user_both_planes_judge_is_one_finding(tmp_path: Path) -> None:
    infra = USER_APP / "infra"
    code_alone, alone = _check(tmp_path, "--code", str(USER_APP))
    assert code_alone == 1
    [guard] = alone["findings"]
    assert (guard["rule_id"], guard["plane"]) == ("ATL-DB-005", "terraform")
    assert guard["evidence"].endswith("reference_user_can_write/infra/atlas.tf:13")
    code, both = _check(tmp_path, "--terraform", str(infra), "--reference-project", "reference", "--code", str(USER_APP))
    assert code == 1
    judged = [(f["rule_id"], f["status"], f["resource_id"]) for f in both["findings"] if f["rule_id"] == "ATL-DB-005"]
    assert judged == [("ATL-DB-005", "fail", "mongodbatlas_database_user.catalog_sync")]
    assert _statuses(both)["SOC2-CC6.7"] == "fail"


def test_waived_code_findings_keep_their_waivers_in_results_and_reports(tmp_path: Path) -> None:
    seed = ('import { getReferenceDb } from "../../lib/reference";\n\nexport async function seed() {\n'
            '  const db = await getReferenceDb();\n  await db.collection("stock").deleteMany({});\n}\n')
    app = _app(tmp_path, add={"app/seed.test.ts": seed.replace("../../lib", "../lib")})
    restock = app / "app/restock.ts"
    restock.write_text(restock.read_text(encoding="utf-8").replace(
        "  await stock(db)", '  // attest-guard: allow reference-write reason="one-off backfill" issue=#12 until=2026-12-31\n'
        "  await stock(db)"), encoding="utf-8")
    code, results = _check(tmp_path, "--snapshot", str(SNAPSHOT), "--config", str(CONFIG), "--code", str(app))
    waived = {f["evidence"]: f["waiver"]["id"] for f in results["findings"] if f["plane"] == "code"}
    assert waived == {"app/restock.ts:11": "inline:app/restock.ts:10", "app/seed.test.ts:5": "test_policy:(defaults)"}
    assert all(f["status"] == "waived" for f in results["findings"] if f["plane"] == "code")
    (tmp_path / "findings.json").write_text(json.dumps(results), encoding="utf-8")
    out = tmp_path / "reports"
    # the test policy has no expiry date: the reports show it as a standing waiver, not bad input
    assert main(["report", str(tmp_path / "findings.json"), "--snapshot", str(SNAPSHOT), "--config", str(CONFIG),
                 "--output", str(out)]) == 0
    register = (out / "waiver-register.md").read_text(encoding="utf-8")
    assert "| `test_policy:(defaults)` | active |" in register
    assert "| `inline:app/restock.ts:10` | active | 2026-12-31 |" in register
