"""The fixture app mirrors the real one (db.ts, drug-tier-fallback.ts, a route handler, Terraform,
a classification registry) and is clean: every read through the reference handle is allowed."""
from __future__ import annotations

from pathlib import Path

from guard_cases import FIXTURE_APP


def test_fixture_app_passes_clean(guard) -> None:
    run = guard(FIXTURE_APP)
    assert run.code == 0, run.out + run.err
    doc = run.json()
    assert doc["violations"] == []
    assert doc["files_analysed"] == 6
    assert doc["phi_can_reach_reference"] is False


def test_output_is_byte_identical_across_runs(guard) -> None:
    for fmt in ("text", "json", "sarif", "github"):
        assert guard(FIXTURE_APP, fmt=fmt).out == guard(FIXTURE_APP, fmt=fmt).out


def test_text_output_names_the_outcome(guard) -> None:
    run = guard(FIXTURE_APP, fmt="text")
    assert "guard: 0 violation(s), 0 error(s), 0 waived; 6 source file(s) analysed" in run.out


def test_missing_repo_is_bad_input(guard, tmp_path: Path) -> None:
    run = guard(tmp_path / "nope")
    assert run.code == 2
    assert "not a directory" in run.err
