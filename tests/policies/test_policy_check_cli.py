"""`attest check`: exit codes, text and JSON output, and one-line bad-input errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from policy_fixtures import LOCAL_CONFIG, seeded_doc

from attest.cli import main


@pytest.fixture
def snapshot_file(tmp_path: Path) -> Path:
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(seeded_doc()))
    return path


def _check(*extra: str, snapshot: Path) -> list[str]:
    return ["check", "--snapshot", str(snapshot), "--config", str(LOCAL_CONFIG), *extra]


def test_text_lists_non_passing_findings_and_every_control(snapshot_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_check(snapshot=snapshot_file)) == 1
    out = capsys.readouterr().out
    assert out.count("FAIL    ") == 2 and out.count("WAIVED  ") == 1
    for control in ("HIPAA-164.312(e)(1)", "SOC2-CC6.6", "SOC2-CC6.7", "SOC2-CC8.1"):
        assert f"\n{control}: " in out


def test_json_is_byte_identical_across_runs(snapshot_file: Path, tmp_path: Path) -> None:
    first, second = tmp_path / "a.json", tmp_path / "b.json"
    assert main(_check("--format", "json", "--output", str(first), snapshot=snapshot_file)) == 1
    assert main(_check("--format", "json", "--output", str(second), snapshot=snapshot_file)) == 1
    assert first.read_bytes() == second.read_bytes()
    assert json.loads(first.read_text())["evaluated_on"] == "2026-11-26"


def test_exit_zero_when_everything_is_satisfied(tmp_path: Path) -> None:
    doc = seeded_doc()
    doc["resources"] = [r for r in doc["resources"] if "legacy/mongodb" not in r["id"]]
    for r in doc["resources"]:
        if r["type"] == "aws.ecs.task_definition" and r["attributes"]["revision"] == 2:
            r["attributes"]["tags"] = [{"key": "git_sha", "value": "abc"}]
    path = tmp_path / "clean.json"
    path.write_text(json.dumps(doc))
    assert main(_check(snapshot=path)) == 0


def test_today_after_expiry_unwaives(snapshot_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_check("--today", "2027-02-01", snapshot=snapshot_file)) == 1
    out = capsys.readouterr().out
    assert "WAIVED" not in out and "waiver WVR-001 expired" in out


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--today", "tomorrow"], "--today: not a date"),
        (["--policies", "/nonexistent"], "/nonexistent/controls.yaml: file not found"),
        (["--waivers", "/nonexistent.yaml"], "/nonexistent.yaml: file not found"),
    ],
)
def test_bad_input_is_one_line_exit_2(snapshot_file: Path, args: list[str], words: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(_check(*args, snapshot=snapshot_file)) == 2
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1


def test_truncated_snapshot_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"schema_version": "1", "resources": [')
    assert main(_check(snapshot=path)) == 2
    assert f"{path}:1:" in capsys.readouterr().err


def test_config_is_required(snapshot_file: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--snapshot", str(snapshot_file)]) == 2
    assert "--snapshot needs --config" in capsys.readouterr().err
