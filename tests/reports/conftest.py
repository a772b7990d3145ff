"""Fixtures for the report tests: the fixed estate in fixtures.py, loaded under a unique module name."""
from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from collector.config import EstateConfig
from collector.snapshot import Snapshot
from policies.findings import Results
from reports.bundle import BundleRef

HERE = Path(__file__).parent
SHARED_SCHEMAS = HERE.parents[1].parent / "shared" / "schemas"


def _load_fixtures() -> ModuleType:
    name = "attest_report_fixtures"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, HERE / "fixtures.py")
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


@pytest.fixture(scope="session")
def fx() -> ModuleType:
    return _load_fixtures()


@pytest.fixture(scope="session")
def snapshot(fx: ModuleType) -> Snapshot:
    return fx.snapshot()


@pytest.fixture(scope="session")
def results(fx: ModuleType, snapshot: Snapshot) -> Results:
    return fx.results(snapshot)


@pytest.fixture(scope="session")
def config(fx: ModuleType) -> EstateConfig:
    return fx.config()


@pytest.fixture(scope="session")
def bundle(fx: ModuleType, snapshot: Snapshot, results: Results) -> BundleRef:
    return fx.bundle(snapshot, results)


@pytest.fixture(scope="session")
def schemas() -> Path:
    if not SHARED_SCHEMAS.is_dir():
        pytest.skip(f"needs the shared schemas at {SHARED_SCHEMAS} (../shared from the project root); not present")
    return SHARED_SCHEMAS
