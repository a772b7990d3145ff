"""The example workflow run on a pull request, by a test that executes its steps (`act` is not
installed here): the `paths` filter triggers on the change, the guard step's own shell script runs
against a temporary git repo holding a hand-written app and a PR, and every annotation lands on a
line the PR added; SARIF, JSON and the step summary are written, also when the guard exits 3."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import jsonschema
import yaml
from jsapp import PR_LOCATIONS, added_lines, git, pr_repo

EXAMPLES = Path(__file__).resolve().parents[3] / "examples" / "github"
SCHEMA = Path(__file__).resolve().parents[2] / "vendored" / "schemas" / "sarif-schema-2.1.0.json"
EXPRESSION = re.compile(r"\$\{\{\s*([^}]+?)\s*\}\}")


def _filter_regex(pattern: str) -> re.Pattern[str]:
    """GitHub's path filter pattern (workflow syntax, "Filter pattern cheat sheet"): `**` any
    characters, `*` any but `/`, `?` zero or one character, `[]` a class; the whole path must match."""
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + ".?", i + 1
        elif pattern[i] == "[":
            end = pattern.index("]", i)
            out, i = out + pattern[i:end + 1], end + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out + r"\Z")


def _triggers(workflow: dict[Any, Any], files: list[str]) -> bool:
    paths = (workflow.get("on") or workflow.get(True))["pull_request"]["paths"]
    return any(_filter_regex(p).match(f) for p in paths for f in files)


def _run_guard_step(repo: Path, tmp: Path, inputs: dict[str, str]) -> tuple[int, str, dict[str, str], str]:
    """Run the action's guard step as the runner would: its `env` with the expressions filled in from
    `inputs` and the runner context, its `run` script under bash in the workspace."""
    action = yaml.safe_load((EXAMPLES / "action.yml").read_text(encoding="utf-8"))
    step = next(s for s in action["runs"]["steps"] if s.get("id") == "guard")
    values = {f"inputs.{k}": str(v.get("default", "")) for k, v in action["inputs"].items()}
    values.update({f"inputs.{k}": v for k, v in inputs.items()})
    values["runner.temp"] = str(tmp / "runner-temp")
    (tmp / "runner-temp").mkdir()
    env = {k: EXPRESSION.sub(lambda m: values[m.group(1)], str(v)) for k, v in step["env"].items()}
    output, summary = tmp / "github-output", tmp / "step-summary"
    env.update(GITHUB_OUTPUT=str(output), GITHUB_STEP_SUMMARY=str(summary), HOME=str(tmp),
               PATH=f"{Path(sys.executable).parent}{os.pathsep}/usr/bin{os.pathsep}/bin")
    done = subprocess.run(["bash", "-e", "-o", "pipefail", "-c", step["run"]], cwd=repo, env=env,
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    outputs = dict(line.split("=", 1) for line in output.read_text(encoding="utf-8").splitlines())
    return done.returncode, done.stdout, outputs, summary.read_text(encoding="utf-8")


def _annotations(stdout: str) -> list[tuple[str, str, int]]:
    found = re.findall(r"^::(error|warning|notice) file=([^,]+),line=(\d+)", stdout, flags=re.MULTILINE)
    return [(level, file, int(line)) for level, file, line in found]


def test_workflow_triggers_on_code_wherever_it_lives() -> None:
    workflow = yaml.safe_load((EXAMPLES / "attest-guard.yml").read_text(encoding="utf-8"))
    for changed in (["app/plans/actions.js"], ["lib/plans.mjs"], ["index.ts"], ["packages/web/src/x.tsx"],
                    ["jsconfig.json"], ["apps/web/tsconfig.base.json"], [".attest-guard.yaml"], ["infra/db.tf"],
                    ["data-classification.yaml"]):
        assert _triggers(workflow, changed), changed
    assert not _triggers(workflow, ["README.md", "public/logo.png"])


def test_upload_runs_even_when_the_guard_step_fails() -> None:
    action = yaml.safe_load((EXAMPLES / "action.yml").read_text(encoding="utf-8"))
    upload = next(s for s in action["runs"]["steps"] if s.get("name") == "Upload SARIF")
    assert upload["if"].startswith("${{ always() &&")


def test_annotations_land_on_the_lines_the_pull_request_added(tmp_path: Path) -> None:
    repo = pr_repo(tmp_path)
    base = git(repo, "rev-parse", "main").strip()
    workflow = yaml.safe_load((EXAMPLES / "attest-guard.yml").read_text(encoding="utf-8"))
    changed = git(repo, "diff", "--name-only", f"{base}...HEAD").split()
    assert _triggers(workflow, changed)
    _code, stdout, outputs, summary = _run_guard_step(repo, tmp_path, {"base": base, "path": "."})
    assert outputs["exit_code"] == "1"
    errors = [(file, line) for level, file, line in _annotations(stdout) if level == "error"]
    assert errors == PR_LOCATIONS
    assert set(errors) <= added_lines(repo)
    sarif = json.loads((repo / "attest-guard.sarif").read_text(encoding="utf-8"))
    jsonschema.validate(sarif, json.loads(SCHEMA.read_text(encoding="utf-8")))
    located = [(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
                r["locations"][0]["physicalLocation"]["region"]["startLine"]) for r in sarif["runs"][0]["results"]]
    assert located == PR_LOCATIONS
    # the full path stays available: the untouched write in lib/plans.js is a related location
    related = {(loc["physicalLocation"]["artifactLocation"]["uri"], loc["physicalLocation"]["region"]["startLine"])
               for loc in sarif["runs"][0]["results"][0]["relatedLocations"]}
    assert ("lib/plans.js", 8) in related
    assert json.loads((repo / "attest-guard.json").read_text(encoding="utf-8"))["summary"]["fail"] == 2
    assert "2 violation(s)" in summary


def test_exit_3_still_uploads_sarif_and_writes_the_summary(tmp_path: Path) -> None:
    repo = pr_repo(tmp_path, {"lib/broken.js": "export const f = ( => 1;\n"})
    base = git(repo, "rev-parse", "main").strip()
    _code, stdout, outputs, summary = _run_guard_step(repo, tmp_path, {"base": base, "path": "."})
    assert outputs["exit_code"] == "3"
    assert stdout.startswith("::error file=lib/broken.js,line=1,title=attest guard could not analyse::")
    sarif = json.loads((repo / "attest-guard.sarif").read_text(encoding="utf-8"))
    assert sarif["runs"][0]["invocations"][0]["executionSuccessful"] is False
    assert "NOT ANALYSED lib/broken.js:1" in summary
    assert json.loads((repo / "attest-guard.json").read_text(encoding="utf-8"))["not_analysed"]


def test_the_cache_is_restored_by_prefix_keyed_on_version_and_guard_file() -> None:
    action = yaml.safe_load((EXAMPLES / "action.yml").read_text(encoding="utf-8"))
    steps = action["runs"]["steps"]
    names = [s.get("name") for s in steps]
    assert names.index("Restore the guard cache") < names.index("Run attest guard")
    cache = steps[names.index("Restore the guard cache")]
    assert cache["uses"].startswith("actions/cache@")  # restores now, saves in its post step
    key, prefix = cache["with"]["key"], cache["with"]["restore-keys"].strip()
    assert "steps.cache-key.outputs.version" in prefix and ".attest-guard.yaml" in prefix
    assert key == prefix + "${{ github.sha }}"
    assert cache["with"]["path"] == "${{ inputs.cache-dir }}"
    workflow = yaml.safe_load((EXAMPLES / "attest-guard.yml").read_text(encoding="utf-8"))
    assert (workflow.get("on") or workflow.get(True))["push"]["branches"] == ["main"]  # main fills it


def test_a_restored_cache_gives_the_pull_request_the_same_results(tmp_path: Path) -> None:
    repo = pr_repo(tmp_path)
    base = git(repo, "rev-parse", "main").strip()
    for run in ("plain", "push", "warm"):
        (tmp_path / run).mkdir()
    plain = _run_guard_step(repo, tmp_path / "plain", {"base": base, "path": ".", "cache-dir": ""})
    sarif = (repo / "attest-guard.sarif").read_bytes()
    assert not (repo / ".attest-guard-cache").exists()
    git(repo, "checkout", "-q", base)  # the push to main: a full scan fills the cache
    _run_guard_step(repo, tmp_path / "push", {"base": "", "path": "."})
    assert (repo / ".attest-guard-cache").is_dir()
    git(repo, "checkout", "-q", "-")
    warm = _run_guard_step(repo, tmp_path / "warm", {"base": base, "path": "."})
    assert warm == plain and (repo / "attest-guard.sarif").read_bytes() == sarif
