"""The example workflow and composite action for the app repo are valid GitHub YAML."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "github"
CHECKER = Path(sys.executable).parent / "check-jsonschema"


def _check(schema: str, path: Path) -> None:
    if not CHECKER.exists():
        pytest.skip(f"check-jsonschema is not installed beside {sys.executable} (install the test extra)")
    done = subprocess.run([str(CHECKER), "--builtin-schema", schema, str(path)], capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def test_workflow_matches_the_schema() -> None:
    _check("vendor.github-workflows", EXAMPLES / "attest-guard.yml")


def test_action_matches_the_schema() -> None:
    _check("vendor.github-actions", EXAMPLES / "action.yml")


def test_action_runs_the_guard_against_the_base_and_fails_on_nonzero() -> None:
    action = yaml.safe_load((EXAMPLES / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    guard = next(s for s in steps if s.get("id") == "guard")
    assert "--format github" in guard["run"] and "--base" in guard["run"]
    assert steps[-1]["if"] == "${{ steps.guard.outputs.exit_code != '0' }}"


def test_action_installs_attest_from_its_own_checkout_never_from_pypi_by_name() -> None:
    """`attest` on PyPI is an unrelated library: the default must be the action's own source tree."""
    action = yaml.safe_load((EXAMPLES / "action.yml").read_text(encoding="utf-8"))
    assert all(spec.get("default", "") in ("", None) for name, spec in action["inputs"].items()
               if "attest" in name), action["inputs"]
    install = next(s for s in action["runs"]["steps"] if s.get("name") == "Install attest")
    assert "${{ github.action_path }}" in install["env"].values()
    assert '"$ACTION_PATH/../.."' in install["run"]
    assert (EXAMPLES.parents[1] / "pyproject.toml").is_file()
