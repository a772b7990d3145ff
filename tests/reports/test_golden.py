"""Golden files for every report format, and byte-for-byte determinism.

Regenerate after an intended change (then review the diff):
    ATTEST_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/reports/test_golden.py
"""
from __future__ import annotations

import dataclasses
import os
import subprocess
import sys
from pathlib import Path

import pytest

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef
from attest.reports.documents import DOCUMENTS
from attest.reports.render import JUNIT_FILE, OCSF_FILE, OSCAL_FILE, SARIF_FILE, SUMMARY_FILE, render_all

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).parent / "golden"
UPDATE = os.environ.get("ATTEST_UPDATE_GOLDEN") == "1"
NAMES = sorted(
    [f"{d.name}.{ext}" for d in DOCUMENTS for ext in ("md", "html")]
    + [OSCAL_FILE, SARIF_FILE, JUNIT_FILE, SUMMARY_FILE, OCSF_FILE, "compliance-hipaa.csv", "compliance-soc-2.csv"]
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


RENDER = """
import importlib.util, pathlib, sys
spec = importlib.util.spec_from_file_location("attest_report_fixtures", sys.argv[1])
fx = importlib.util.module_from_spec(spec)
sys.modules[spec.name] = fx
spec.loader.exec_module(fx)
from attest.reports.render import render_all
snapshot = fx.snapshot()
results = fx.results(snapshot)
for name, content in render_all(results, snapshot, fx.config(), bundle=fx.bundle(snapshot, results)).items():
    target = pathlib.Path(sys.argv[2]) / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(content.encode("utf-8") if isinstance(content, str) else content)
"""


def _render_in_subprocess(out: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-c", RENDER, str(Path(__file__).with_name("fixtures.py")), str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT, env=env)
    assert done.returncode == 0, done.stderr
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


def test_rendering_under_different_hash_seeds_gives_identical_bytes(tmp_path: Path) -> None:
    """Each render in its own interpreter, with its own hash seed: set ordering cannot hide here."""
    first = _render_in_subprocess(tmp_path / "seed-1", "1")
    second = _render_in_subprocess(tmp_path / "seed-2", "2")
    assert sorted(first) == NAMES and first == second
    if not UPDATE:
        assert first == {name: (GOLDEN / name).read_bytes() for name in NAMES}


def test_input_order_does_not_change_output(
    results: Results, snapshot: Snapshot, config: EstateConfig, bundle: BundleRef
) -> None:
    shuffled = dataclasses.replace(
        results, findings=tuple(reversed(results.findings)), waivers=tuple(reversed(results.waivers))
    )
    assert render_all(shuffled, snapshot, config, bundle=bundle) == render_all(results, snapshot, config, bundle=bundle)
