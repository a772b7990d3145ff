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


def test_terraform_roots_alone_give_sarif_located_in_the_repository(capsys: pytest.CaptureFixture[str],
                                                                   sarif_validator: Any) -> None:
    """No snapshot: every result sits at its .tf file and line, so code scanning annotates the pull request."""
    root = Path(__file__).parents[1] / "policies" / "terraform" / "fixtures" / "roots" / "catalog"
    log = _log(["check", "--terraform", str(root), "--format", "sarif"], capsys)
    assert not list(sarif_validator.iter_errors(log))
    results = log["runs"][0]["results"]
    assert results and "pass" not in {r["kind"] for r in results}
    loader = next(r for r in results if r["ruleId"] == "ATL-DB-005")
    place = loader["locations"][0]["physicalLocation"]
    assert place["artifactLocation"]["uri"].endswith("roots/catalog/main.tf") and place["region"]["startLine"] == 23
    assert loader["locations"][0]["logicalLocations"][0]["fullyQualifiedName"] == "mongodbatlas_database_user.loader"
