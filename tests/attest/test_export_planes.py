"""`attest export --terraform DIR --code DIR`: the nightly bundle holds the Terraform and code planes
beside the live one, in one findings file and one set of reports, with the revision of each root
judged (`sources.json`), and `attest verify` accepts it. Code the guard cannot analyse is an `error`
finding in the bundle, never a bundle that passes without it.

The inputs are hand-written (tests/attest/code_apps/), each committed to a fresh git repository so
the revision the bundle records is known: the restock app writes through the reference helper; the
second declares a reference-project user that can write."""
from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from attest.policies.code_plane import REASONS

ROOT = Path(__file__).resolve().parents[2]
APPS = Path(__file__).parent / "code_apps"
SNAPSHOT = ROOT / "tests" / "badinput" / "valid" / "snapshot.json"
CONFIG = ROOT / "sandbox" / "attest.local.yaml"
GIT = ("git", "-c", "user.name=attest tests", "-c", "user.email=tests@attest.invalid", "-c", "commit.gpgsign=false")


def _repo(tmp: Path, app: str) -> tuple[Path, str]:
    """A copy of the app as a git repository with one commit; the commit's id."""
    repo = tmp / app
    shutil.copytree(APPS / app, repo)
    for args in (("init", "-q"), ("add", "-A"), ("commit", "-q", "-m", "as judged")):
        subprocess.run([*GIT, "-C", str(repo), *args], check=True, capture_output=True)
    head = subprocess.run(["git", "-C", str(repo), "rev-parse", "HEAD"], check=True, capture_output=True, text=True)
    return repo, head.stdout.strip()


def _export(tmp: Path, *planes: str) -> tuple[subprocess.CompletedProcess[str], Path]:
    locker = tmp / "locker"
    done = subprocess.run(
        [sys.executable, "-m", "attest", "export", "--config", str(CONFIG), "--snapshot", str(SNAPSHOT),
         "--locker", str(locker), "--new-chain", *planes],
        capture_output=True, text=True, timeout=300, cwd=ROOT,
    )
    return done, locker


def _verify(locker: Path) -> str:
    done = subprocess.run([sys.executable, "-m", "attest", "verify", str(locker)], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_the_bundle_holds_every_plane_and_the_revision_each_was_judged_at(tmp_path: Path) -> None:
    restock, restock_head = _repo(tmp_path, "restock_writes_reference")
    users, users_head = _repo(tmp_path, "reference_user_can_write")
    (restock / "NOTES.md").write_text("not committed\n", encoding="utf-8")
    done, locker = _export(tmp_path, "--code", str(restock), "--terraform", str(users / "infra"),
                           "--reference-project", "reference", "--code", str(users))
    assert done.returncode == 1, done.stderr
    bundle = Path(done.stdout.strip())
    findings = json.loads((bundle / "findings.json").read_text(encoding="utf-8"))["findings"]
    planes = {(f["rule_id"], f["plane"], f["status"]) for f in findings if f["plane"] != "live"}
    assert ("reference-write", "code", "fail") in planes
    assert [f["resource_id"] for f in findings if f["rule_id"] == "ATL-DB-005" and f["plane"] == "terraform"] == [
        "mongodbatlas_database_user.catalog_sync"]  # judged by both planes, reported once
    assert any(f["plane"] == "live" for f in findings)
    sources = json.loads((bundle / "sources.json").read_text(encoding="utf-8"))
    assert sources == {"roots": [
        {"plane": "terraform", "path": "infra", "commit": users_head, "uncommitted_changes": False},
        {"plane": "code", "path": ".", "commit": restock_head, "uncommitted_changes": True},
        {"plane": "code", "path": ".", "commit": users_head, "uncommitted_changes": False},
    ]}
    listed = {f["path"] for f in json.loads((bundle / "manifest.json").read_text(encoding="utf-8"))["files"]}
    assert "sources.json" in listed
    markdown = (bundle / "reports" / "findings.md").read_text(encoding="utf-8")
    assert "`app/restock.ts:10`" in markdown and "reference-write" in markdown
    assert "verdict: intact" in _verify(locker)


def test_code_the_guard_cannot_analyse_is_an_error_in_the_bundle(tmp_path: Path) -> None:
    restock, _ = _repo(tmp_path, "restock_writes_reference")
    (restock / "app" / "reprice.ts").write_text("export function reprice() {\n  const price = ;\n}\n", encoding="utf-8")
    done, locker = _export(tmp_path, "--code", str(restock))
    assert done.returncode == 1, done.stderr  # the snapshot's own violations outrank the error (exit 1 before 3)
    findings = json.loads((Path(done.stdout.strip()) / "findings.json").read_text(encoding="utf-8"))["findings"]
    [error] = [f for f in findings if f["plane"] == "code"]
    assert (error["rule_id"], error["status"]) == ("dynamic-use", "error")
    assert error["evidence"].startswith("app/reprice.ts")
    assert "verdict: intact" in _verify(locker)


def test_a_state_file_without_a_root_is_refused_before_collecting(tmp_path: Path) -> None:
    done, locker = _export(tmp_path, "--terraform-state", str(tmp_path / "state.json"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["attest: --terraform-state needs --terraform DIR"]
    assert not locker.exists()


def test_a_root_that_is_not_a_directory_is_refused_before_the_locker_is_touched(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-app"
    done, locker = _export(tmp_path, "--code", str(missing))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"attest: {missing}: not a directory"]
    assert not locker.exists()


def test_bad_input_in_a_root_keeps_the_nights_live_evidence(tmp_path: Path) -> None:
    """A guard file that is not valid YAML stops the code plane, not the export nor the Terraform
    plane: the bundle is written with the live and Terraform findings and one `error` finding naming
    the file, on the code plane's controls (never a pass for what was not judged), and the export
    exits 2 with that one line."""
    restock, _ = _repo(tmp_path, "restock_writes_reference")
    users, _ = _repo(tmp_path, "reference_user_can_write")
    (restock / ".attest-guard.yaml").write_text("reference_helpers: [getReferenceDb\n", encoding="utf-8")
    done, locker = _export(tmp_path, "--code", str(restock), "--terraform", str(users / "infra"),
                           "--reference-project", "reference")
    assert done.returncode == 2
    assert done.stderr.strip().splitlines()[-1].startswith(f"attest: {restock / '.attest-guard.yaml'}")
    results = json.loads((Path(done.stdout.strip()) / "findings.json").read_text(encoding="utf-8"))
    [error] = [f for f in results["findings"] if f["rule_id"] == "static-planes-not-judged"]
    assert error["status"] == "error" and ".attest-guard.yaml" in error["message"]
    assert (error["plane"], error["title"]) == ("code", "The code roots could not be judged")
    assert set(error["controls"]) == set(REASONS)
    assert any(f["plane"] == "live" for f in results["findings"])
    assert ("ATL-DB-005", "fail") in {(f["rule_id"], f["status"]) for f in results["findings"]
                                      if f["plane"] == "terraform"}
    statuses = {c["control_id"]: c["status"] for c in results["controls"]}
    assert {statuses[c] for c in error["controls"]} <= {"error", "fail"} and "SOC2-CC8.1" in error["controls"]
    assert "verdict: intact" in _verify(locker)


def test_a_state_file_that_is_not_there_is_refused_before_collecting(tmp_path: Path) -> None:
    done, locker = _export(tmp_path, "--terraform", str(APPS / "reference_user_can_write" / "infra"),
                           "--terraform-state", str(tmp_path / "state.json"))
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == [f"attest: {tmp_path / 'state.json'}: not a file (`terraform show -json` output)"]
    assert not locker.exists()
