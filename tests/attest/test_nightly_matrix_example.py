"""examples/github/nightly-matrix.yml: a valid workflow whose jobs each write a partial snapshot and
whose final job checks them all together (docs/scaling.md)."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "github" / "nightly-matrix.yml"
CHECKER = Path(sys.executable).parent / "check-jsonschema"


def _doc() -> dict[Any, Any]:
    return yaml.safe_load(EXAMPLE.read_text())


def test_the_example_matches_the_github_workflow_schema() -> None:
    if not CHECKER.exists():
        pytest.skip(f"check-jsonschema is not installed beside {sys.executable} (install the test extra)")
    result = subprocess.run(
        [str(CHECKER), "--builtin-schema", "vendor.github-workflows", str(EXAMPLE)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_each_group_uploads_a_partial_and_the_check_waits_for_all() -> None:
    jobs = _doc()["jobs"]
    collect, check = jobs["collect"], jobs["check"]
    assert collect["strategy"]["matrix"]["group"] and collect["strategy"]["fail-fast"] is False
    run = next(s["run"] for s in collect["steps"] if "attest collect" in s.get("run", ""))
    assert "${{ matrix.group }}" in run and "--output" in run
    upload = next(s for s in collect["steps"] if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["if-no-files-found"] == "error"
    assert check["needs"] == "collect"
    download = next(s for s in check["steps"] if s.get("uses", "").startswith("actions/download-artifact@"))
    assert download["with"]["pattern"] == "partial-*"
    script = next(s["run"] for s in check["steps"] if s.get("id") == "check")
    assert '--snapshot "$file"' in script and "attest check" in script
    assert "AWS_SECRET_ACCESS_KEY" not in EXAMPLE.read_text()
