"""`attest check --format sarif`: a code-scanning log straight from the check, passes only on request."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from attest.cli import main
from attest.collector.snapshot import Snapshot


@pytest.fixture()
def inputs(tmp_path: Path, snapshot: Snapshot, fx: Any) -> tuple[str, str]:
    snap = tmp_path / "snapshot.json"
    snap.write_text(snapshot.to_json(), encoding="utf-8")
    config = tmp_path / "attest.yaml"
    config.write_text(fx.CONFIG_YAML, encoding="utf-8")
    return str(snap), str(config)


def _log(argv: list[str], capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    main(argv)
    return dict(json.loads(capsys.readouterr().out))


def test_check_writes_sarif_without_passes_unless_asked(inputs: tuple[str, str], capsys: pytest.CaptureFixture[str],
                                                        sarif_validator: Any) -> None:
    snap, config = inputs
    base = ["check", "--snapshot", snap, "--config", config, "--format", "sarif"]
    default = _log(base, capsys)
    kept = _log([*base, "--sarif-passes"], capsys)
    assert not list(sarif_validator.iter_errors(default))
    assert "pass" not in {r["kind"] for r in default["runs"][0]["results"]}
    assert "pass" in {r["kind"] for r in kept["runs"][0]["results"]}
    assert len(kept["runs"][0]["results"]) > len(default["runs"][0]["results"])
    assert all("partialFingerprints" in r for r in default["runs"][0]["results"])


def test_sarif_passes_without_sarif_is_a_usage_error(inputs: tuple[str, str], capsys: pytest.CaptureFixture[str]) -> None:
    snap, config = inputs
    assert main(["check", "--snapshot", snap, "--config", config, "--sarif-passes"]) == 2
    assert "--sarif-passes needs --format sarif" in capsys.readouterr().err
