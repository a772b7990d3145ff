"""Fixtures for the guard tests: a private copy of the fixture app, and a runner of `attest guard`."""
from __future__ import annotations

import shutil
from pathlib import Path
from typing import Callable

import pytest

from attest.cli import main

from guard_cases import FIXTURE_APP
from guard_run import GuardRun


@pytest.fixture
def app(tmp_path: Path) -> Path:
    """A fresh copy of the fixture app that a test may edit."""
    target = tmp_path / "app"
    shutil.copytree(FIXTURE_APP, target)
    return target


@pytest.fixture
def guard(capsys: pytest.CaptureFixture[str]) -> Callable[..., GuardRun]:
    """Run `attest guard <repo> --format json ...` in process and capture what it printed."""

    def run(repo: Path, *args: str, fmt: str = "json") -> GuardRun:
        capsys.readouterr()
        code = main(["guard", str(repo), "--format", fmt, "--today", "2026-06-01", *args])
        captured = capsys.readouterr()
        return GuardRun(code, captured.out, captured.err)

    return run
