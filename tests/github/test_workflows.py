"""Every workflow file validates against the GitHub workflow schema; the nightly one does its job."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))
CHECKER = Path(sys.executable).parent / "check-jsonschema"


def check(paths: list[Path]) -> subprocess.CompletedProcess[str]:
    if not CHECKER.exists():
        pytest.skip(f"check-jsonschema is not installed beside {sys.executable} (install the test extra)")
    return subprocess.run(
        [str(CHECKER), "--builtin-schema", "vendor.github-workflows", *map(str, paths)],
        capture_output=True, text=True, timeout=120,
    )


def test_every_workflow_matches_the_schema() -> None:
    assert WORKFLOWS, "no workflow files found"
    result = check(WORKFLOWS)
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_schema_check_rejects_a_broken_workflow(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yml"
    broken.write_text("name: x\non: {schedule: [{cron: 1}]}\njobs: {a: {runs-on: ubuntu-latest, steps: oops}}\n")
    assert check([broken]).returncode != 0


def nightly() -> dict[Any, Any]:
    return yaml.safe_load((ROOT / ".github" / "workflows" / "nightly.yml").read_text())


def test_nightly_is_scheduled_and_uses_oidc_not_stored_keys() -> None:
    doc = nightly()
    triggers = doc[True]  # YAML 1.1 reads the bare key `on` as a boolean
    assert triggers["schedule"][0]["cron"]
    assert doc["permissions"]["id-token"] == "write"
    steps = doc["jobs"]["export"]["steps"]
    creds = next(s for s in steps if s.get("uses", "").startswith("aws-actions/configure-aws-credentials@"))
    assert "role-to-assume" in creds["with"]
    text = (ROOT / ".github" / "workflows" / "nightly.yml").read_text()
    assert "AWS_SECRET_ACCESS_KEY" not in text and "aws-secret-access-key" not in text


def test_nightly_exports_uploads_summarises_and_fails_on_bad_exit_codes() -> None:
    steps = nightly()["jobs"]["export"]["steps"]
    export = next(s for s in steps if s.get("id") == "export")
    assert "attest export" in export["run"] and "$GITHUB_STEP_SUMMARY" in export["run"]
    assert export["env"]["MONGODB_ATLAS_PRIVATE_API_KEY"] == "${{ secrets.MONGODB_ATLAS_PRIVATE_API_KEY }}"
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-artifact@"))
    assert upload["with"]["path"].endswith(".html") and upload["if"] == "always()"
    gate = steps[-1]
    assert gate["if"] == "steps.export.outputs.exit_code != '0'" and "exit" in gate["run"]


def test_nightly_config_is_a_documented_variable_checked_before_use(tmp_path: Path) -> None:
    job = nightly()["jobs"]["export"]
    assert job["env"]["ATTEST_CONFIG"] == "${{ inputs.config || vars.ATTEST_CONFIG }}"
    assert "ATTEST_CONFIG" in (ROOT / ".github" / "workflows" / "nightly.yml").read_text().split("name:")[0]
    guard = next(s for s in job["steps"] if s.get("name", "").startswith("Check the estate config"))
    assert job["steps"].index(guard) < next(i for i, s in enumerate(job["steps"]) if s.get("id") == "export")
    (tmp_path / "attest.yaml").write_text("present\n")
    for value, code in (("", 2), ("missing.yaml", 2), ("attest.yaml", 0)):
        ran = subprocess.run(["bash", "-c", guard["run"]], cwd=tmp_path, env={"ATTEST_CONFIG": value, "PATH": "/usr/bin:/bin"},
                             capture_output=True, text=True, timeout=30)
        assert ran.returncode == code, (value, ran.stdout)
        assert code == 0 or "::error::" in ran.stdout


def test_nightly_runs_checkov_from_its_own_pinned_venv() -> None:
    steps = nightly()["jobs"]["export"]["steps"]
    install = next(s for s in steps if s.get("name", "").startswith("Install checkov"))
    assert "-m venv" in install["run"] and "checkov-requirements.txt" in install["run"]
    assert "ATTEST_CHECKOV=" in install["run"] and "$GITHUB_ENV" in install["run"]
    attest = next(s for s in steps if s.get("name", "").startswith("Install attest"))
    assert "--require-hashes" in attest["run"] and "checkov" not in attest["run"]


@pytest.mark.parametrize("terraform, code, planes", [
    ("", "", []),
    ("infra/prod", "", ["--terraform", "infra/prod"]),
    ("infra/prod", "web app", ["--terraform", "infra/prod", "--code", "web app"]),
    ("", ".", ["--code", "."]),
], ids=["live only", "with terraform", "with terraform and code", "with code"])
def test_nightly_judges_the_configured_terraform_and_code_in_the_export(
        tmp_path: Path, terraform: str, code: str, planes: list[str]) -> None:
    """The export step's own script, run with a stand-in `attest` that records its arguments: the
    Terraform and code variables become flags of the one export, so their findings are in its bundle."""
    steps = nightly()["jobs"]["export"]["steps"]
    export = next(s for s in steps if s.get("id") == "export")
    assert export["env"]["ATTEST_TERRAFORM_DIR"] == "${{ vars.ATTEST_TERRAFORM_DIR }}"
    assert export["env"]["ATTEST_CODE_DIR"] == "${{ vars.ATTEST_CODE_DIR }}"
    assert not any(s.get("id") == "terraform" for s in steps)  # no second, unbundled check
    stand_in = tmp_path / "bin" / "attest"
    stand_in.parent.mkdir()
    stand_in.write_text('#!/bin/sh\nfor a in "$@"; do printf \'%s\\n\' "$a"; done > "$ARGS_FILE"\nexit 1\n')
    stand_in.chmod(0o755)
    env = {"PATH": f"{stand_in.parent}:/usr/bin:/bin", "ATTEST_CONFIG": "ops/attest.yaml", "ARGS_FILE": str(tmp_path / "args"),
           "ATTEST_EVIDENCE_LOCKER": "s3://locker/nightly", "GITHUB_STEP_SUMMARY": str(tmp_path / "summary"),
           "GITHUB_OUTPUT": str(tmp_path / "output"), "NEW_CHAIN": "", "ATTEST_TERRAFORM_DIR": terraform,
           "ATTEST_CODE_DIR": code}
    ran = subprocess.run(["bash", "-e", "-c", export["run"]], env=env, capture_output=True, text=True, timeout=30)
    assert ran.returncode == 0, ran.stderr
    args = (tmp_path / "args").read_text().splitlines()
    assert args == ["export", "--config", "ops/attest.yaml", "--locker", "s3://locker/nightly", *planes,
                    "--copy-to", "out", "--summary", str(tmp_path / "summary")]
    assert (tmp_path / "output").read_text() == "exit_code=1\n"
