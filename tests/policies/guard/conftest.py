"""Fixtures for the guard tests: a private copy of the fixture app, and a runner of `attest guard`."""
from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest

from attest.cli import main

from guard_cases import FIXTURE_APP


@dataclass(frozen=True)
class GuardRun:
    code: int
    out: str
    err: str

    def json(self) -> dict[str, Any]:
        return json.loads(self.out)

    def sites(self, status: str | None = None) -> list[tuple[str, str]]:
        """(rule, file:line) of each violation, optionally only those with `status`."""
        return [(v["rule_id"], f"{v['file']}:{v['line']}") for v in self.json()["violations"]
                if status is None or v["status"] == status]


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
