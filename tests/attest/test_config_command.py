"""`attest config check`: the estate config linted offline, exactly as collect and check load it."""
from __future__ import annotations

from pathlib import Path

import pytest

from attest.cli import main

ROOT = Path(__file__).resolve().parents[2]
CLINIC = ROOT / "tests" / "estates" / "clinic.yaml"   # hand-written, not derived from sandbox/
LOCAL = ROOT / "sandbox" / "attest.local.yaml"
BAD = sorted((ROOT / "tests" / "badinput" / "corpus" / "config").iterdir())


def test_valid_configs_exit_0_with_a_summary_and_digest(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config", "check", str(CLINIC), str(LOCAL)]) == 0
    out, err = capsys.readouterr()
    assert err == ""
    assert f"{CLINIC}: valid (2 AWS account(s) in 2 region(s), 2 Atlas project(s), 1 access range(s)" in out
    assert out.count("; sha256:") == 2


@pytest.mark.parametrize("bad", BAD, ids=[p.name for p in BAD])
def test_every_bad_config_gives_the_line_collect_gives(bad: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["collect", "--config", str(bad)]) == 2
    collect_err = capsys.readouterr().err
    assert main(["config", "check", str(bad)]) == 2
    out, err = capsys.readouterr()
    assert out == "" and err == collect_err and err.count("\n") == 1


def test_one_bad_file_among_good_ones_exits_2_and_names_only_it(capsys: pytest.CaptureFixture[str]) -> None:
    typo = ROOT / "tests" / "badinput" / "corpus" / "config" / "region-typo.yaml"
    assert main(["config", "check", str(CLINIC), str(typo)]) == 2
    out, err = capsys.readouterr()
    assert out.startswith(f"{CLINIC}: valid") and err.startswith(f"attest: {typo}:8: ") and "did you mean 'us-east-1'?" in err


def test_a_hand_written_estate_with_an_unknown_reference_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = CLINIC.read_text(encoding="utf-8") + (
        "secrets:\n  - {name: clinic/claims-uri, points_to: claims/claims-replica, env_var: CLAIMS_URI}\n")
    (tmp_path / "attest.yaml").write_text(text, encoding="utf-8")
    assert main(["config", "check", str(tmp_path / "attest.yaml")]) == 2
    line = len(text.splitlines())
    assert f"attest.yaml:{line}: secrets[0].points_to: no cluster 'claims/claims-replica'" in capsys.readouterr().err


def test_duplicate_project_names_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    text = CLINIC.read_text(encoding="utf-8").replace("name: formulary\n", "name: claims\n")
    (tmp_path / "attest.yaml").write_text(text, encoding="utf-8")
    assert main(["config", "check", str(tmp_path / "attest.yaml")]) == 2
    assert "atlas.projects[1].name: 'claims' is already declared at atlas.projects[0]" in capsys.readouterr().err


def test_config_without_a_subcommand_is_usage(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["config"]) == 2
    assert "check" in capsys.readouterr().err
