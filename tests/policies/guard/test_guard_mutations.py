"""Each mutation of the fixture app fails with the right rule at the right file:line; each read-only
twin (the same edit with a read) passes."""
from __future__ import annotations

from pathlib import Path

import pytest
from guard_cases import CASES as TABLE
from guard_cases import Case, materialise
from guard_cases_forms import FORM_CASES
from guard_cases_gaps import GAP_CASES

from attest.policies.guard.rules import RULES

CASES = TABLE + GAP_CASES + FORM_CASES


def test_enough_mutations() -> None:
    assert len(CASES) >= 25
    assert len({c.name for c in CASES}) == len(CASES)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_mutation_is_flagged_at_its_site(case: Case, tmp_path: Path, guard) -> None:
    where = materialise(case, tmp_path / "app", case.write)
    run = guard(tmp_path / "app")
    assert (case.rule, where) in run.sites(), run.out
    assert run.code == (3 if RULES[case.rule].status == "error" else 1)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_read_only_twin_passes(case: Case, tmp_path: Path, guard) -> None:
    materialise(case, tmp_path / "app", case.read)
    run = guard(tmp_path / "app")
    assert run.code == 0, run.out
    assert run.sites() == []
