"""One clean local estate per module (moto behind the fault proxy, and the Atlas emulator).

The clean estate (`sandbox/estates/clean.yaml`) passes every rule, so any finding that is not
`pass` (or the waived laptop entry) is the fault a test injected. Faults are cleared around each
test; no test changes the estate's resources.
"""
from __future__ import annotations

from typing import Iterator

import pytest

from attest.sandbox.local import LocalEstate, local_estate


@pytest.fixture(scope="module")
def _clean_estate_module() -> Iterator[LocalEstate]:
    with local_estate("clean") as running:
        yield running


@pytest.fixture
def clean_estate(_clean_estate_module: LocalEstate) -> Iterator[LocalEstate]:
    running = _clean_estate_module
    running.aws_faults.clear()
    running.atlas.faults.clear()
    yield running
    running.aws_faults.clear()
    running.atlas.faults.clear()
