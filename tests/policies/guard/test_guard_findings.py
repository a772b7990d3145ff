"""Guard results as the project's `Finding` with `Status`: one finding model with the live and
Terraform planes, one waiver model (inline comments and the guard file's test policy as sources)."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from attest.policies.findings import Status, rollup
from attest.policies.guard.findings import to_findings
from attest.policies.guard.rules import FIX, HELP, RULES, WHY
from attest.policies.guard.run import run_guard
from test_guard_testfiles import _app


def test_violations_become_findings_with_status_and_waivers(app: Path) -> None:
    _app(app, "src/lib/__tests__/store.test.ts")
    (app / "src/lib/sync.ts").write_text(
        'import { getReferenceDb } from "@/lib/db";\n'
        "export async function sync() {\n"
        "  const db = await getReferenceDb();\n"
        '  // attest-guard: allow reference-write reason="seeding, tracked" issue=#9 until=2026-12-31\n'
        '  await db.collection("providers_staging").insertOne({});\n'
        '  await db.collection("providers_staging").deleteMany({});\n'
        "}\n", encoding="utf-8")
    atlas = app / "infra/envs/prod/atlas.tf"
    atlas.write_text(atlas.read_text(encoding="utf-8").replace('role_name     = "read"', 'role_name     = "readWrite"'),
                     encoding="utf-8")
    findings = to_findings(run_guard(app, today=date(2026, 6, 1)))
    by_where = {(f.rule_id, f.evidence): f for f in findings}
    failed = by_where[("reference-write", "src/lib/sync.ts:6")]
    assert failed.status is Status.FAIL and failed.plane == "code" and failed.waiver is None
    assert "HIPAA-164.312(e)(1)" in failed.controls and "(path" not in failed.message
    assert failed.trace[0].span.where() == "src/lib/sync.ts:3" and failed.trace[-1].label == ".deleteMany() writes"
    assert failed.location == failed.trace[-1].span and failed.location.column == 44
    waived = by_where[("reference-write", "src/lib/sync.ts:5")]
    assert waived.status is Status.WAIVED and waived.waiver is not None
    assert (waived.waiver.id, waived.waiver.issue, waived.waiver.expires) == ("inline:src/lib/sync.ts:4", "#9",
                                                                               "2026-12-31")
    assert failed.rationale == WHY["reference-write"] and failed.remediation.console == (FIX["reference-write"],)
    in_test = by_where[("reference-write", "src/lib/__tests__/store.test.ts:6")]
    assert in_test.status is Status.WAIVED and in_test.waiver is not None
    assert in_test.waiver.id == "test_policy:(defaults)"
    terraform = next(f for f in findings if f.rule_id == "ATL-DB-005")
    assert terraform.plane == "terraform" and terraform.status is Status.FAIL
    assert terraform.evidence.startswith("infra/envs/prod/atlas.tf:")
    assert rollup(f.status for f in findings) is Status.FAIL


def test_an_analysis_that_stopped_is_an_error_finding_never_an_empty_list(app: Path) -> None:
    (app / "src/lib/broken.ts").write_text("export function f() {\n  const x = ;\n}\n", encoding="utf-8")
    findings = to_findings(run_guard(app))
    assert [(f.status, f.evidence) for f in findings] == [(Status.ERROR, "src/lib/broken.ts:2")]


def test_json_output_carries_the_findings(app: Path, guard) -> None:
    _app(app, "src/lib/sync/store-user.ts")
    doc = guard(app).json()
    assert [(f["rule_id"], f["status"], f["plane"], f["evidence"]) for f in doc["findings"]] == [
        ("reference-write", "fail", "code", "src/lib/sync/store-user.ts:6")]


def test_the_guards_atl_db_005_is_the_policy_sets() -> None:
    """The guard repeats ATL-DB-005's title, severity and controls (to start without the policy set):
    they must be the policy set's, and the rule's conditions judge the declared users."""
    from attest.policies.guard.rules import RULES
    from attest.policies.reference_user import rule

    shared, guard = rule(), RULES["ATL-DB-005"]
    assert (guard.title, guard.severity, guard.controls) == (shared.title, shared.severity, shared.controls)


def test_a_write_in_a_helper_is_sited_at_the_call_and_shown_at_the_write(tmp_path: Path) -> None:
    """`evidence` is the site (where the finding is identified and waived), `location` the write's span."""
    from ledger import ledger

    findings = to_findings(run_guard(ledger(tmp_path / "ledger"), today=date(2026, 6, 1)))
    helper = next(f for f in findings if f.evidence == "server/admin.ts:8")
    assert helper.location is not None and helper.location.where() == "server/stamp.ts:3"
    assert helper.location.column > 0 and helper.trace[-1].span == helper.location
    assert [s.span.where() for s in helper.trace][-3:] == ["server/admin.ts:8", "server/stamp.ts:1", "server/stamp.ts:3"]


def test_each_rule_says_why_and_what_to_do_once() -> None:
    """A finding's rationale and remediation are the two halves of the help code scanning shows, so a
    report that prints both does not print the same text twice."""
    assert set(WHY) == set(FIX) == set(RULES)
    for rule in RULES:
        assert WHY[rule] and FIX[rule] and WHY[rule] != FIX[rule], rule
        assert FIX[rule] not in WHY[rule] and WHY[rule] not in FIX[rule], rule
        assert HELP[rule] == f"{WHY[rule]} {FIX[rule]}"
