"""Golden files for every report format, and byte-for-byte determinism.

Regenerate after an intended change (then review the diff):
    ATTEST_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/reports/test_golden.py
"""
from __future__ import annotations

import dataclasses
import os
from pathlib import Path

import pytest

from collector.config import EstateConfig
from collector.snapshot import Snapshot
from policies.findings import Results
from reports.bundle import BundleRef
from reports.documents import DOCUMENTS
from reports.render import JUNIT_FILE, OSCAL_FILE, SARIF_FILE, SUMMARY_FILE, render_all

GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ATTEST_UPDATE_GOLDEN") == "1"
NAMES = sorted(
    [f"{d.name}.{ext}" for d in DOCUMENTS for ext in ("md", "html")]
    + [OSCAL_FILE, SARIF_FILE, JUNIT_FILE, SUMMARY_FILE]
)


@pytest.fixture(scope="module")
def rendered(results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef) -> dict[str, str | bytes]:
    return render_all(results, snapshot, config, bundle=bundle)


def test_render_all_writes_every_format(rendered: dict[str, str | bytes]) -> None:
    assert sorted(rendered) == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_matches_golden(rendered: dict[str, str | bytes], name: str) -> None:
    path = GOLDEN / name
    content = rendered[name]
    data = content.encode("utf-8") if isinstance(content, str) else content
    if UPDATE:
        GOLDEN.mkdir(exist_ok=True)
        path.write_bytes(data)
    assert path.exists(), f"no golden file {path}; run ATTEST_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/reports"
    assert data == path.read_bytes(), f"{name} differs from its golden file; review, then regenerate with ATTEST_UPDATE_GOLDEN=1"


def test_no_stale_golden_files() -> None:
    assert sorted(p.name for p in GOLDEN.iterdir()) == NAMES


def test_rendering_twice_gives_identical_bytes(
    results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef
) -> None:
    first = render_all(results, snapshot, config, bundle=bundle)
    second = render_all(results, snapshot, config, bundle=bundle)
    assert first == second


def test_input_order_does_not_change_output(
    results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef
) -> None:
    shuffled = dataclasses.replace(
        results, findings=tuple(reversed(results.findings)), waivers=tuple(reversed(results.waivers))
    )
    assert render_all(shuffled, snapshot, config, bundle=bundle) == render_all(results, snapshot, config, bundle=bundle)
