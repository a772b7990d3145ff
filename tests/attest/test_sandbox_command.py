"""`attest sandbox up|down|seed`: a background local estate that outlives the command."""
from __future__ import annotations

import json
import os
from pathlib import Path

import boto3
import pytest

from attest.cli import main

pytestmark = pytest.mark.integration


def _exports(text: str) -> dict[str, str]:
    pairs = (line.removeprefix("export ").split("=", 1) for line in text.splitlines() if line.startswith("export "))
    return {name: value.strip("'") for name, value in pairs}


def _sourced(text: str) -> Path:
    (line,) = [line for line in text.splitlines() if line.startswith("source ")]
    return Path(line.removeprefix("source ").strip("'"))


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def test_up_prints_exports_then_down_stops_it(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    state = tmp_path / "sandbox.json"
    try:
        assert main(["sandbox", "up", "--state", str(state)]) == 0
        out = capsys.readouterr().out
        env_file = _sourced(out)
        env = _exports(env_file.read_text())
        recorded = json.loads(state.read_text())
        assert env_file.parent == state.parent and oct(env_file.stat().st_mode & 0o777) == "0o600"
        assert env == recorded["env"] and env["AWS_ENDPOINT_URL"] == recorded["aws_endpoint_url"]
        assert oct(state.stat().st_mode & 0o777) == "0o600"
        printed = _exports(out)
        assert printed["AWS_ENDPOINT_URL"] == env["AWS_ENDPOINT_URL"] and "MONGODB_ATLAS_BASE_URL" in printed
        assert "MONGODB_ATLAS_PRIVATE_API_KEY" not in out and env["MONGODB_ATLAS_PRIVATE_API_KEY"] not in out
        assert "AWS_SECRET_ACCESS_KEY" not in out
        ecs = boto3.client(
            "ecs",
            endpoint_url=env["AWS_ENDPOINT_URL"],
            region_name=env["AWS_DEFAULT_REGION"],
            aws_access_key_id=env["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=env["AWS_SECRET_ACCESS_KEY"],
        )
        assert ecs.list_clusters()["clusterArns"] == ["arn:aws:ecs:us-east-1:123456789012:cluster/prod"]
        assert main(["sandbox", "up", "--state", str(state)]) == 2
        assert "already running" in capsys.readouterr().err
    finally:
        assert main(["sandbox", "down", "--state", str(state)]) == 0
    assert not state.exists() and not env_file.exists()
    assert not _alive(recorded["pid"]) and not _alive(recorded["moto_pid"])
    assert main(["sandbox", "down", "--state", str(state)]) == 0
    assert "no sandbox is running" in capsys.readouterr().err


def test_unknown_estate_is_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["sandbox", "up", "--estate", "no-such-estate", "--state", str(tmp_path / "s.json")]) == 2
    assert "no such estate" in capsys.readouterr().err
