"""`attest doctor` names the Python, attest and checkov this install runs with."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from attest.cli import main
from attest.core import __version__


def test_doctor_names_the_checkov_it_found_and_its_version(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    checkov = tmp_path / "checkov"
    checkov.write_text("#!/bin/sh\necho 3.0.0-handwritten\n")
    checkov.chmod(0o755)
    monkeypatch.setenv("ATTEST_CHECKOV", str(checkov))
    assert main(["doctor"]) == 0
    out = capsys.readouterr().out
    assert f"checkov: 3.0.0-handwritten ({checkov}, from ATTEST_CHECKOV)" in out
    assert f"attest-compliance {__version__}" in out and sys.executable in out
    assert "sandbox: installed" in out


def test_doctor_without_checkov_says_where_it_looked_and_exits_3(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("ATTEST_CHECKOV", str(tmp_path / "missing"))
    assert main(["doctor"]) == 3
    line = next(line for line in capsys.readouterr().out.splitlines() if line.startswith("checkov:"))
    assert "ATTEST_CHECKOV names" in line and "not an executable file" in line
