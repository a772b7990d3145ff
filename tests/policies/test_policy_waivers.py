"""Waivers: active ones turn a fail into waived; expired or malformed ones do not, and are reported."""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Callable

import pytest
from policy_fixtures import seeded_doc

from attest.core.errors import BadInputError
from attest.collector.snapshot import snapshot_from_dict
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.rule_loader import PolicySet
from attest.policies.waivers import WAIVERS_FILE, load_waivers

RULES = ["ATL-DB-004", "ATL-SEC-001"]
LAPTOP = "atlas:6a7000000000000000000002/access_list_entry/203.0.113.45/32"


def _laptop(results: Results) -> Status:
    return next(f.status for f in results.findings if f.rule_id == "ATL-DB-004" and f.resource_id == LAPTOP)


@pytest.mark.parametrize(
    ("today", "status", "applies"),
    [
        (dt.date(2026, 11, 26), "active", True),
        (dt.date(2027, 1, 1), "expiring", True),
        (dt.date(2027, 1, 31), "expiring", True),
        (dt.date(2027, 2, 1), "expired", False),
    ],
)
def test_seed_waiver_status_by_date(today: dt.date, status: str, applies: bool, judge: Callable[..., Results]) -> None:
    (waiver,) = load_waivers(WAIVERS_FILE, RULES, today)
    assert (waiver.ref.status, waiver.applies) == (status, applies)
    assert (waiver.ref.issue, waiver.ref.expires) == ("ENG-412", "2027-01-31")
    results = judge(seeded_doc(), today=today)
    assert _laptop(results) is (Status.WAIVED if applies else Status.FAIL)
    assert [w.status for w in results.waivers] == [status]


@pytest.mark.parametrize(
    ("entry", "problem", "line"),
    [
        ("rule: ATL-DB-004\n    resource: '*'\n    reason: r\n    owner: o\n    issue: I-1\n    approved_by: a\n", "missing or empty: expires", 2),
        ("rule: ATL-DB-004\n    resource: '*'\n    reason: r\n    owner: o\n    issue: I-1\n    approved_by: a\n    expires: soon\n", "not a date", 9),
        ("rule: ATL-XX-999\n    resource: '*'\n    reason: r\n    owner: o\n    issue: I-1\n    approved_by: a\n    expires: '2030-01-01'\n", "unknown rule", 3),
        ("rule: ATL-DB-004\n    resource: '*'\n    reason: r\n    owner: o\n    issue: I-1\n    approved_by: a\n    expires: '2030-01-01'\n    colour: red\n", "unknown key", 10),
    ],
)
def test_malformed_waiver_does_not_apply_and_is_reported(tmp_path: Path, entry: str, problem: str, line: int, policy: PolicySet, local_config: object) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text(f"waivers:\n  - id: W-1\n    {entry}")
    waivers = load_waivers(path, [r.id for r in policy.rules], dt.date(2026, 11, 26))
    assert waivers[0].ref.status == "malformed" and problem in waivers[0].ref.problem
    assert f"{path}:{line}:" in waivers[0].ref.problem
    results = evaluate(snapshot_from_dict(seeded_doc(), "fixture"), local_config, policy, waivers)  # type: ignore[arg-type]
    assert _laptop(results) is Status.FAIL
    assert results.waivers[0].status == "malformed"


def test_waiver_pattern_must_match_the_resource(tmp_path: Path, policy: PolicySet, local_config: object) -> None:
    path = tmp_path / "waivers.yaml"
    text = WAIVERS_FILE.read_text().replace("203.0.113.45*", "203.0.113.46*")
    path.write_text(text)
    waivers = load_waivers(path, [r.id for r in policy.rules], dt.date(2026, 11, 26))
    results = evaluate(snapshot_from_dict(seeded_doc(), "fixture"), local_config, policy, waivers)  # type: ignore[arg-type]
    assert _laptop(results) is Status.FAIL


def test_not_a_waiver_file_is_bad_input(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    path.write_text("- just a list\n")
    with pytest.raises(BadInputError, match="waivers file"):
        load_waivers(path, RULES, dt.date(2026, 11, 26))


def test_duplicate_waiver_id_is_malformed(tmp_path: Path) -> None:
    path = tmp_path / "waivers.yaml"
    body = WAIVERS_FILE.read_text().split("waivers:\n", 1)[1]
    path.write_text("waivers:\n" + body + body)
    statuses = [w.ref.status for w in load_waivers(path, RULES, dt.date(2026, 11, 26))]
    assert statuses == ["active", "malformed"]


def test_a_drift_waiver_is_valid_without_the_terraform_plane(tmp_path: Path, policy: PolicySet) -> None:
    from attest.policies.check import load_check_waivers

    path = tmp_path / "waivers.yaml"
    path.write_text(
        "waivers:\n  - id: W-2\n    rule: ATL-DRIFT-001\n    resource: '*task-definition/shopping-app:2'\n"
        "    reason: registered by hand until the next deploy\n    owner: o\n    issue: ENG-500\n"
        "    approved_by: a\n    expires: '2027-01-15'\n"
    )
    (waiver,) = load_check_waivers(path, policy, dt.date(2026, 11, 26))
    assert waiver.ref.status == "active" and waiver.applies
