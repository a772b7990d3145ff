"""Fixtures: an empty local locker, and one holding three nightly bundles."""
from __future__ import annotations

from pathlib import Path

import pytest
from evidence_helpers import NIGHT, START, export_one

from evidence.bundle import Published
from evidence.lockers import LocalLocker


@pytest.fixture
def locker(tmp_path: Path) -> LocalLocker:
    return LocalLocker(tmp_path / "locker")


@pytest.fixture
def three_nights(locker: LocalLocker) -> list[Published]:
    """A locker holding three nightly bundles, 24 h apart."""
    return [export_one(locker, START + NIGHT * i) for i in range(3)]

