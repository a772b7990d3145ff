"""Which checkov runs: ATTEST_CHECKOV, then .venv-checkov beside the source tree, then PATH."""
from __future__ import annotations

from pathlib import Path

import pytest

from attest.core.errors import EvaluationError
from attest.policies.terraform.checkov_locate import checkov_version, locate_checkov


def _executable(path: Path, version: str = "9.9.9") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"#!/bin/sh\necho 'a banner line'\necho {version}\n")
    path.chmod(0o755)
    return path


def test_attest_checkov_wins_over_the_other_places(tmp_path: Path) -> None:
    named = _executable(tmp_path / "elsewhere" / "checkov")
    _executable(tmp_path / "src" / ".venv-checkov" / "bin" / "checkov")
    on_path = _executable(tmp_path / "bin" / "checkov")
    found = locate_checkov({"ATTEST_CHECKOV": str(named), "PATH": str(on_path.parent)}, tmp_path / "src")
    assert (found.path, found.source) == (named, "ATTEST_CHECKOV")


def test_an_attest_checkov_naming_nothing_is_an_error_not_a_fallback(tmp_path: Path) -> None:
    on_path = _executable(tmp_path / "bin" / "checkov")
    not_executable = tmp_path / "checkov.txt"
    not_executable.write_text("no")
    for named in (tmp_path / "absent", not_executable):
        with pytest.raises(EvaluationError, match="ATTEST_CHECKOV names .* not an executable file"):
            locate_checkov({"ATTEST_CHECKOV": str(named), "PATH": str(on_path.parent)}, tmp_path)


def test_the_venv_beside_the_source_comes_before_path(tmp_path: Path) -> None:
    beside = _executable(tmp_path / "src" / ".venv-checkov" / "bin" / "checkov")
    on_path = _executable(tmp_path / "bin" / "checkov")
    found = locate_checkov({"PATH": str(on_path.parent)}, tmp_path / "src")
    assert (found.path, found.source) == (beside, ".venv-checkov")


def test_path_is_the_last_place(tmp_path: Path) -> None:
    on_path = _executable(tmp_path / "bin" / "checkov")
    found = locate_checkov({"PATH": f"{tmp_path / 'empty'}:{on_path.parent}"}, tmp_path / "src")
    assert (found.path, found.source) == (on_path, "PATH")


def test_no_checkov_anywhere_is_an_error_naming_every_place(tmp_path: Path) -> None:
    found = locate_checkov({"PATH": str(tmp_path / "empty")}, tmp_path / "src")
    assert found.path is None
    with pytest.raises(EvaluationError) as caught:
        found.require()
    assert caught.value.exit_code == 3
    assert "ATTEST_CHECKOV unset" in caught.value.diagnostic() and "make setup" in caught.value.diagnostic()


def test_the_version_is_the_last_line_checkov_prints(tmp_path: Path) -> None:
    assert checkov_version(_executable(tmp_path / "checkov", "3.2.1")) == "3.2.1"


def test_a_checkov_that_cannot_say_its_version_is_an_error(tmp_path: Path) -> None:
    broken = tmp_path / "checkov"
    broken.write_text("#!/bin/sh\necho 'Traceback' >&2\nexit 1\n")
    broken.chmod(0o755)
    with pytest.raises(EvaluationError, match="did not say its version"):
        checkov_version(broken)
