"""No secret value reaches a snapshot, stderr or the logs: the estate's canaries are hunted for."""
from __future__ import annotations

import json
import logging
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

import pytest

from attest.cli import main
from attest.collector.config import load_config
from attest.collector.redact import is_marker
from attest.collector.run import collect
from attest.sandbox.local import local_estate

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def _canaries(value: Any) -> Iterator[str]:
    if isinstance(value, dict):
        for item in value.values():
            yield from _canaries(item)
    elif isinstance(value, list):
        for item in value:
            yield from _canaries(item)
    elif isinstance(value, str) and "CANARY-" in value:
        yield value[value.index("CANARY-"):].split("@")[0]


def test_secret_values_and_env_connection_strings_never_leave(
    local_config_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str],
    caplog: pytest.LogCaptureFixture,
) -> None:
    with local_estate("ecs-env-secret") as estate:
        caplog.set_level(logging.DEBUG)
        for name, value in estate.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setenv("ATTEST_REDACTION_SALT", "canary-test")
        out = tmp_path / "snapshot.json"
        assert main(["-vv", "collect", "--config", str(local_config_path), "--output", str(out)]) == 0
        canaries = sorted(set(_canaries(dict(estate.estate))))
        caplog.set_level(logging.DEBUG, logger="botocore")
        wire = collect(load_config(local_config_path), {**estate.env, "ATTEST_REDACTION_SALT": "x"}, now=lambda: NOW)
    captured = capfd.readouterr()
    text = out.read_text()
    assert len(canaries) >= 8
    assert "CANARY-ENV-DB-9a1c44" in canaries
    assert "botocore" in caplog.text and "ListSecrets" in caplog.text
    for where in (text, wire.to_json(), captured.out, captured.err, caplog.text):
        assert "CANARY-" not in where
    snapshot = json.loads(text)
    (task,) = [r for r in snapshot["resources"] if r["type"] == "aws.ecs.task_definition"]
    env = {e["name"]: e["value"] for e in task["attributes"]["containerDefinitions"][0]["environment"]}
    assert is_marker(env["LEGACY_DB_URL"]) and env["NODE_ENV"] == "production"
    assert f"redacted environment variable LEGACY_DB_URL of container web in {task['id']}" in snapshot["notes"]
