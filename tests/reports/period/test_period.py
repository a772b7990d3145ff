"""`attest period`: the period view over a hand-built chain, its goldens, and what it refuses to read."""
from __future__ import annotations

import csv
import dataclasses
import io
import json
import os
from datetime import date, timedelta
from pathlib import Path

import pytest

from attest.cli import main
from attest.evidence.lockers import LocalLocker
from attest.evidence.window import verified_window
from attest.reports.period.model import PeriodModel, draw_key
from attest.reports.period.nights import SOURCE_NOT_READ, read_night
from attest.reports.period.render import period_model, render_period

from tests.reports.period import chain

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ATTEST_UPDATE_GOLDEN") == "1"
START, END = date(2026, 3, 1), date(2026, 3, 10)


@pytest.fixture(scope="module")
def locker(tmp_path_factory: pytest.TempPathFactory) -> LocalLocker:
    root = LocalLocker(tmp_path_factory.mktemp("period") / "locker")
    chain.build_chain(root)
    return root


def _model(locker: LocalLocker, start: date = START, end: date = END, sample: int | None = 2) -> PeriodModel:
    window = verified_window(locker, None, timedelta(hours=26), start, end, skip_signatures=False)
    return period_model(locker, window, sample, "audit-2026")


@pytest.fixture(scope="module")
def rendered(locker: LocalLocker) -> dict[str, str]:
    files = render_period(_model(locker))
    return {name: text.replace(locker.location, "LOCKER") for name, text in files.items()}


@pytest.mark.parametrize("name", ["period.md", "period.html", "period.csv", "period-changes.csv"])
def test_matches_golden(rendered: dict[str, str], name: str) -> None:
    path = GOLDEN / name
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_text(rendered[name], encoding="utf-8")
    assert rendered[name] == path.read_text(encoding="utf-8"), f"{name} differs; regenerate with ATTEST_UPDATE_GOLDEN=1"


def test_the_fault_is_one_exception_with_its_first_and_last_night(locker: LocalLocker) -> None:
    model = _model(locker)
    fault = next(e for e in model.exceptions if e.rule_id == "ECS-PROV")
    assert (fault.first, fault.last, fault.duration_days, fault.open_at_end) == (date(2026, 3, 3), date(2026, 3, 5), 3, False)
    assert fault.first_cite.file == "findings.json" and fault.first_cite.pointer.startswith("/findings/")
    error = next(e for e in model.exceptions if e.rule_id == "LOG-TRAIL")
    assert (error.first, error.last, error.statuses) == (date(2026, 3, 6), date(2026, 3, 6), ("error",))


def test_a_source_not_read_is_an_exception_of_the_controls_resting_on_it(locker: LocalLocker) -> None:
    """The gap records findings.json carries (policies/gaps.py) become exceptions, named by the source, not by /gaps/N."""
    model = _model(locker)
    source = f"cloudtrail:DescribeTrails in {chain.ACCOUNT}/{chain.REGION}"
    gap = next(e for e in model.exceptions if e.rule_id == SOURCE_NOT_READ)
    assert (gap.subject, gap.controls, gap.statuses) == (source, ("CC7.2",), ("error",))
    assert (gap.first, gap.last, gap.nights_seen) == (date(2026, 3, 6), date(2026, 3, 6), 1)
    assert gap.first_cite.pointer == "/gaps/0" and gap.message == "access denied: AccessDeniedException"
    rule = next(e for e in model.exceptions if e.rule_id == "LOG-TRAIL")
    assert rule.subject == source


def test_a_waiver_lapsing_turns_the_exception_to_fail_and_it_stays_open(locker: LocalLocker) -> None:
    model = _model(locker)
    partner = next(e for e in model.exceptions if e.rule_id == "NET-PARTNER")
    assert partner.statuses == ("fail", "waived") and partner.open_at_end
    assert (partner.first, partner.last, partner.nights_seen) == (START, END, 9)
    waiver = model.waivers[0]
    assert (waiver.waiver.id, waiver.waiver.approved_by, waiver.state) == ("W-9", "ciso@eu.example", "expired 2026-03-08, within the period")


def test_exceptions_come_failure_first(locker: LocalLocker) -> None:
    statuses = [e.statuses[0] for e in _model(locker).exceptions]
    assert statuses == sorted(statuses, key={"fail": 0, "error": 1, "waived": 2}.__getitem__)


def test_a_missed_night_is_a_gap_never_a_pass(locker: LocalLocker) -> None:
    model = _model(locker)
    assert model.gaps == ((chain.MISSED, "no bundle"),)
    cc61 = next(c for c in model.controls if c.control_id == "CC6.1")
    assert [r.status for r in cc61.runs] == ["pass", "no evidence", "pass"]


def test_population_and_a_reproducible_sample(locker: LocalLocker) -> None:
    model = _model(locker)
    revisions = [(c.arn.rsplit(":", 1)[1], c.registered_by) for c in model.population]
    assert revisions == [("12", chain.ALICE), ("13", chain.DEPLOY)]
    assert model.sample is not None
    expected = sorted((c.arn for c in model.population), key=lambda arn: draw_key("audit-2026", arn))
    assert model.sample.picks == tuple(expected[:2])
    again = _model(locker)
    assert again.sample == model.sample


def test_a_sample_with_another_seed_orders_differently() -> None:
    arns = [f"{chain.TD}{i}" for i in range(20)]
    assert sorted(arns, key=lambda a: draw_key("s1", a)) != sorted(arns, key=lambda a: draw_key("s2", a))


def test_a_tampered_bundle_is_not_read_and_its_night_is_a_gap(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path / "locker")
    ids = chain.build_chain(locker, days=4, missed=())
    findings = tmp_path / "locker" / ids[2] / "findings.json"
    findings.write_bytes(findings.read_bytes().replace(b'"fail"', b'"pass"'))
    model = _model(locker, START, date(2026, 3, 4), None)
    assert [n.bundle_id for n in model.nights] == [ids[0], ids[1], ids[3]]
    night, why = model.gaps[0]
    assert night == date(2026, 3, 3) and why.startswith(f"bundle {ids[2]} did not verify: changed: findings.json")
    assert all(e.first != date(2026, 3, 3) for e in model.exceptions)


def test_every_control_night_row_cites_bundle_file_sha256_and_pointer(rendered: dict[str, str]) -> None:
    rows = list(csv.DictReader(io.StringIO(rendered["period.csv"])))
    assert len(rows) == 4 * 10
    for row in rows:
        if row["status"] == "no evidence":
            assert row["night"] == chain.MISSED.isoformat() and not row["bundle_id"]
        else:
            assert row["file"] == "findings.json" and len(row["sha256"]) == 64 and row["pointer"].startswith("/controls/")


def test_the_command_writes_every_format(locker: LocalLocker, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out"
    code = main(["period", locker.location, "--from", "2026-03-01", "--to", "2026-03-10", "--output", str(out),
                 "--sample", "1", "--seed", "x"])
    assert code == 1  # CC8.1 failed on nights 3-5: the views are still written
    assert sorted(p.name for p in out.iterdir()) == ["period-changes.csv", "period.csv", "period.html", "period.md"]


@pytest.mark.parametrize("start, end, expected", [
    ("2026-03-01", "2026-03-02", 0),  # every night evidenced; CC6.6 waived, nothing failed
    ("2026-03-06", "2026-03-06", 3),  # CC7.2's source was not read that night
    ("2026-03-07", "2026-03-07", 3),  # the missed night: no verified bundle
    ("2026-03-09", "2026-03-09", 1),  # W-9 expired on the 8th: CC6.6 fails
])
def test_the_exit_code_says_what_the_period_holds(
    locker: LocalLocker, tmp_path: Path, start: str, end: str, expected: int, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["period", locker.location, "--from", start, "--to", end, "--output", str(tmp_path / "out")]) == expected


def test_a_period_without_any_bundle_is_never_a_pass(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    empty = tmp_path / "empty-locker"
    empty.mkdir()
    assert main(["period", str(empty), "--from", "2026-03-01", "--to", "2026-03-31", "--output", str(tmp_path / "out")]) == 3
    assert "| Nights without evidence (gaps) | 31 |" in (tmp_path / "out" / "period.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("argv, message", [
    (["--from", "2026-03-10", "--to", "2026-03-01"], "--to is before --from"),
    (["--from", "March", "--to", "2026-03-01"], "--from: not a date"),
    (["--from", "2026-03-01", "--to", "2026-03-02", "--sample", "0"], "--sample must be a positive number"),
])
def test_bad_arguments_are_one_line_and_exit_2(
    locker: LocalLocker, argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["period", locker.location, *argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_period_csv_cells_from_the_estate_cannot_run_as_formulas(locker: LocalLocker) -> None:
    model = _model(locker)
    planted = dataclasses.replace(model.population[0], registered_by='=HYPERLINK("http://x.invalid","ok")')
    rendered = render_period(dataclasses.replace(model, population=(planted, *model.population[1:])))
    rows = list(csv.DictReader(io.StringIO(rendered["period-changes.csv"])))
    assert rows[0]["registered_by"] == "'" + planted.registered_by
    assert all(not cell.startswith(("=", "+", "@")) for row in rows for cell in row.values())


def test_a_code_finding_is_one_subject_however_its_lines_shift() -> None:
    """A code finding names no resource: it is known by its file and message without line numbers, so
    a line added above the write does not end one exception and open another; another file is another
    subject, and a finding with a resource keeps it."""
    def night(line: int, other: str) -> tuple[str, ...]:
        write = {"rule_id": "reference-write", "status": "fail", "plane": "code", "resource_id": None,
                 "evidence": f"app/restock.ts:{line}", "controls": ["SOC2-CC6.7"],
                 "message": f".insertOne() writes collection stock through the reference handle (app/restock.ts:{line})"}
        findings = {"controls": [], "findings": [write, {**write, "evidence": f"{other}:{line}"},
                                                 {**write, "plane": "terraform", "resource_id": "mongodbatlas_database_user.x"}]}
        files = {"findings.json": json.dumps(findings).encode(), "snapshot.json": b'{"resources": []}'}
        read = read_night(START, "b", "0" * 64, lambda path: "0" * 64, files.__getitem__)
        return tuple(e.subject for e in read.exceptions)

    first, later = night(10, "app/other.ts"), night(14, "app/other.ts")
    assert first == later
    assert first[0] == "app/restock.ts: .insertOne() writes collection stock through the reference handle (app/restock.ts)"
    assert first[1].startswith("app/other.ts: ") and first[2] == "mongodbatlas_database_user.x"
