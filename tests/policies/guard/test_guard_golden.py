"""The guard's four outputs on a hand-written service (tests/policies/guard/ledger.py), byte for byte:
a full scan, a pull request scan (`--base`), and a scan that could not be completed. The SARIF's
`partialFingerprints` are what code scanning de-duplicates alerts by, so they must not move when the
writer changes. Regenerate (and review the diff) with

    ATTEST_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/policies/guard/test_guard_golden.py
"""
from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any, Callable

import pytest
from jsapp import pr_repo, write
from ledger import LEDGER, PR, ledger

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ATTEST_UPDATE_GOLDEN") == "1"
SUFFIX = {"text": "txt", "json": "json", "github": "github.txt", "sarif": "sarif"}
BROKEN = {"server/broken.ts": "export function f() {\n  const x = ;\n}\n"}


def _full(tmp: Path) -> tuple[Path, tuple[str, ...]]:
    return ledger(tmp / "ledger"), ()


def _pull_request(tmp: Path) -> tuple[Path, tuple[str, ...]]:
    repo = pr_repo(tmp, PR, base=LEDGER, name="ledger")
    return repo, ("--base", "main")


def _not_analysed(tmp: Path) -> tuple[Path, tuple[str, ...]]:
    repo = ledger(tmp / "ledger")
    write(repo, BROKEN)
    return repo, ()


CASES: dict[str, Callable[[Path], tuple[Path, tuple[str, ...]]]] = {
    "full": _full, "pull-request": _pull_request, "not-analysed": _not_analysed}


@pytest.mark.parametrize("case", sorted(CASES))
def test_outputs_match_golden(case: str, tmp_path: Path, guard: Callable[..., Any]) -> None:
    repo, args = CASES[case](tmp_path)
    for fmt, suffix in SUFFIX.items():
        run = guard(repo, *args, fmt=fmt)
        assert run.code == (3 if case == "not-analysed" else 1)
        path = GOLDEN / f"ledger-{case}.{suffix}"
        if UPDATE:
            path.write_text(run.out, encoding="utf-8")
        assert path.exists(), f"no golden file {path}; run ATTEST_UPDATE_GOLDEN=1"
        assert run.out == path.read_text(encoding="utf-8"), f"{path.name} differs from its golden file"


def test_golden_sarif_carries_every_kind_of_result() -> None:
    """The golden files show what they are meant to: blocking and test results, both waiver sources,
    columns, paths, and (on a pull request) a location on the changed line apart from the site."""
    doc = json.loads((GOLDEN / "ledger-full.sarif").read_text(encoding="utf-8"))
    results = doc["runs"][0]["results"]
    assert {r["properties"]["status"] for r in results} == {"fail", "error", "waived", "test"}
    assert {r["properties"]["plane"] for r in results} == {"code", "terraform"}
    assert any(r.get("suppressions", [{}])[0].get("kind") == "inSource" for r in results)
    assert all("startColumn" in r["locations"][0]["physicalLocation"]["region"]
               for r in results if r["properties"]["plane"] == "code")
    helper = next(r for r in results if r["properties"]["site"] == "server/admin.ts:8")
    assert helper["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] == "server/stamp.ts"
    pr = json.loads((GOLDEN / "ledger-pull-request.sarif").read_text(encoding="utf-8"))["runs"][0]["results"]
    assert [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"], r["properties"]["site"]) for r in pr] == [
        ("server/routes.ts", "server/routes.ts:10")]
    stopped = json.loads((GOLDEN / "ledger-not-analysed.sarif").read_text(encoding="utf-8"))["runs"][0]
    assert stopped["invocations"][0]["executionSuccessful"] is False
