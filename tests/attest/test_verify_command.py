"""`attest verify` exit codes and output: 0 intact, 1 any problem or a stale locker, 2 bad input."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from attest.cli import main
from attest.evidence.bundle import write_bundle
from attest.evidence.lockers import LocalLocker
from attest.evidence.manifest import bundle_id_for

NIGHT = datetime(2026, 11, 20, 2, 0, tzinfo=timezone.utc)


@pytest.fixture
def locker(tmp_path: Path) -> Path:
    """Two small nightly bundles, 24 h apart."""
    store = LocalLocker(tmp_path / "locker")
    for day in range(2):
        moment = NIGHT + timedelta(days=day)
        files = {"snapshot.json": f'{{"night": {day}}}\n'.encode(), "findings.json": b"{}\n"}
        write_bundle(store, bundle_id=bundle_id_for(moment, files["snapshot.json"]), files=files,
                     run_started=moment, run_finished=moment + timedelta(minutes=2), identity={},
                     policy_digest=None, config_digest="sha256:c", signer=None)
    return store.root


def test_intact_locker_exits_0(locker: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(locker), "--as-of", "2026-11-21T12:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "bundles: 2 complete" in out and "EVD-FRESH-001 pass" in out and "verdict: intact" in out


def test_changed_byte_exits_1_naming_the_file(locker: Path, capsys: pytest.CaptureFixture[str]) -> None:
    newest = sorted(p for p in locker.iterdir() if p.is_dir() and p.name != "heads")[-1]
    (newest / "findings.json").write_bytes(b"{}\r\n")
    assert main(["verify", str(locker), "--as-of", "2026-11-21T12:00:00Z"]) == 1
    assert f"PROBLEM {newest.name}/findings.json: changed:" in capsys.readouterr().out


def test_stale_locker_exits_1_with_a_failing_freshness_finding(locker: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(locker), "--as-of", "2026-11-23T12:00:00Z", "--format", "json"]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["problems"] == []
    assert report["freshness"]["rule_id"] == "EVD-FRESH-001" and report["freshness"]["status"] == "fail"
    assert report["freshness"]["controls"] == ["SOC2-CC8.1"]
    assert report["rollback"].startswith("NOT detectable in a plain directory")


def test_a_wider_cadence_accepts_the_same_age(locker: Path) -> None:
    assert main(["verify", str(locker), "--as-of", "2026-11-23T12:00:00Z", "--cadence-hours", "72"]) == 0


@pytest.fixture
def signed_locker(tmp_path: Path) -> Path:
    """One bundle with a signature.json (its content is never read without a key)."""
    store = LocalLocker(tmp_path / "signed")
    files = {"snapshot.json": b"{}\n"}
    write_bundle(store, bundle_id=bundle_id_for(NIGHT, files["snapshot.json"]), files=files,
                 run_started=NIGHT, run_finished=NIGHT + timedelta(minutes=2), identity={},
                 policy_digest=None, config_digest="sha256:c", signer=lambda bundle_id, digest: b"{}")
    return store.root


def test_signed_locker_without_a_key_exits_1(signed_locker: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(signed_locker), "--as-of", "2026-11-20T12:00:00Z"]) == 1
    out = capsys.readouterr().out
    assert "PROBLEM locker: unchecked:" in out and "signatures: not checked (no public key)" in out
    assert "verdict: intact" not in out


def test_no_signatures_skips_them_and_says_so(signed_locker: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["verify", str(signed_locker), "--as-of", "2026-11-20T12:00:00Z", "--no-signatures"]) == 0
    out = capsys.readouterr().out
    assert "signatures: NOT checked (--no-signatures given)" in out and "verdict: intact" in out


def test_no_signatures_is_stated_in_json(signed_locker: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["verify", str(signed_locker), "--as-of", "2026-11-20T12:00:00Z", "--no-signatures", "--format", "json"]
    assert main(args) == 0
    assert json.loads(capsys.readouterr().out)["signatures_skipped"] is True


@pytest.mark.parametrize(
    "args",
    [["verify", "/nonexistent/locker"], ["verify", "LOCKER", "--as-of", "yesterday"], ["verify", "LOCKER", "--public-key", "/nonexistent.pem"],
     ["verify", "LOCKER", "--expect-head", "HEAD~1"], ["verify", "LOCKER", "--since", "last week"],
     ["verify", "LOCKER", "--as-of", "2026-11-20T12:00:00Z"]],
)
def test_bad_input_exits_2_with_one_line(args: list[str], locker: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main([a.replace("LOCKER", str(locker)) for a in args]) == 2
    err = capsys.readouterr().err
    assert err.startswith("attest: ") and len(err.strip().splitlines()) == 1
