"""`attest collect`: a snapshot to stdout or a file, exit 0 even with gaps, one-line errors."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from attest.cli import main
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate

ROOT = Path(__file__).resolve().parents[2]


def _use(estate: LocalEstate, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in estate.env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("ATTEST_REDACTION_SALT", "cli-test")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")


@pytest.mark.integration
def test_collect_writes_the_snapshot_and_counts_gaps_on_stderr(
    default_estate: LocalEstate, local_config_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _use(default_estate, monkeypatch)
    default_estate.aws_faults.set([FaultRule(service="ecs", kind="access_denied")])
    assert main(["collect", "--config", str(local_config_path)]) == 0
    captured = capsys.readouterr()
    snapshot = json.loads(captured.out)
    aws_gaps = [g for g in snapshot["gaps"] if g["provider"] == "aws" and g["operation"] != "cloudtrail:LookupEvents"]
    assert [g["operation"] for g in aws_gaps] == ["ecs:ListClusters"]
    assert f"{len(snapshot['gaps'])} gaps" in captured.err.splitlines()[-1]


COLLECTED_AT = re.compile(rb'"collected_at": "[^"]*"')


@pytest.mark.integration
def test_collect_output_file_is_byte_stable_across_hash_seeds(
    default_estate: LocalEstate, local_config_path: Path, tmp_path: Path
) -> None:
    """Two collections in separate interpreters with different hash seeds give the same bytes.

    Set and dict-of-set ordering differs between seeds, which two runs in one process cannot catch.
    Only the collection time (wall clock) is masked.
    """
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"seed-{seed}.json"
        env = {**os.environ, **default_estate.env, "ATTEST_REDACTION_SALT": "cli-test", "AWS_MAX_ATTEMPTS": "1",
               "PYTHONHASHSEED": seed}
        done = subprocess.run([sys.executable, "-m", "attest", "collect", "--config", str(local_config_path),
                               "--output", str(out)], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
        assert done.returncode == 0, done.stderr
        outputs.append(out.read_bytes())
    first, second = (COLLECTED_AT.sub(b'"collected_at": "-"', data) for data in outputs)
    assert COLLECTED_AT.search(outputs[0]) and first == second


def test_bad_config_is_exit_2_with_one_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    config = tmp_path / "attest.yaml"
    config.write_text("version: 1\naws:\n  accounts:\n    - id: '12'\n      regions: [us-east-1]\n")
    assert main(["collect", "--config", str(config)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and f"{config}:4" in err


def test_missing_atlas_credentials_is_exit_2(
    local_config_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    for name in ("MONGODB_ATLAS_PUBLIC_API_KEY", "MONGODB_ATLAS_PRIVATE_API_KEY", "MONGODB_ATLAS_CLIENT_ID", "MONGODB_ATLAS_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)
    assert main(["collect", "--config", str(local_config_path)]) == 2
    assert "no Atlas credentials" in capsys.readouterr().err


def test_bad_aws_tunable_is_exit_2(local_config_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "lots")
    monkeypatch.setenv("MONGODB_ATLAS_PUBLIC_API_KEY", "public")
    monkeypatch.setenv("MONGODB_ATLAS_PRIVATE_API_KEY", "private")
    assert main(["collect", "--config", str(local_config_path)]) == 2
    assert "AWS_MAX_ATTEMPTS" in capsys.readouterr().err
