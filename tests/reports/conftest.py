"""Fixtures for the report tests: the fixed estate in fixtures.py, loaded under a unique module name."""
from __future__ import annotations

import importlib.util
import json
import os
import sys
from datetime import datetime, timezone
from pathlib import Path
from types import ModuleType
from typing import Any, Iterator

import jsonschema
import pytest
import regex

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results
from attest.reports.bundle import BundleRef

HERE = Path(__file__).parent
SHARED_SCHEMAS = Path(os.environ.get("ATTEST_SHARED") or HERE.parents[1].parent / "shared") / "schemas"
LOCAL_CONFIG = HERE.parents[1] / "sandbox" / "attest.local.yaml"


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


def _regex_pattern(validator: Any, pattern: str, instance: Any, schema: dict[str, Any]) -> Iterator[jsonschema.ValidationError]:
    if isinstance(instance, str) and not regex.search(pattern, instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@pytest.fixture(scope="session")
def oscal_validator(schemas: Path) -> jsonschema.protocols.Validator:
    """Draft 7 with `pattern` evaluated by the `regex` engine, which knows `\\p{L}` (Python's re does not)."""
    schema = json.loads((schemas / "oscal_assessment-results_schema.json").read_text(encoding="utf-8"))
    cls = jsonschema.validators.extend(jsonschema.Draft7Validator, {"pattern": _regex_pattern})
    return cls(schema, format_checker=jsonschema.FormatChecker())


@pytest.fixture(scope="session")
def sarif_validator(schemas: Path) -> jsonschema.protocols.Validator:
    schema = json.loads((schemas / "sarif-schema-2.1.0.json").read_text(encoding="utf-8"))
    return jsonschema.Draft4Validator(schema, format_checker=jsonschema.FormatChecker())


def walk(node: Any) -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair in a JSON document, depth first."""
    if isinstance(node, dict):
        for key, value in node.items():
            yield key, value
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)


@pytest.fixture(scope="session")
def json_walk() -> Any:
    return walk


@pytest.fixture(scope="session")
def seeded(_default_estate_session: Any) -> dict[str, Any]:
    """The seeded local estate, really collected and checked, then rendered: snapshot, results, files."""
    from attest.collector.config import load_config
    from attest.collector.run import collect
    from attest.policies.engine import evaluate
    from attest.policies.rule_loader import load_policy_set
    from attest.policies.waivers import WAIVERS_FILE, load_waivers
    from attest.reports.render import render_all

    config = load_config(LOCAL_CONFIG)
    now = datetime(2026, 11, 26, 12, 0, tzinfo=timezone.utc)
    with open(os.devnull, "w", encoding="utf-8") as quiet:
        snapshot = collect(config, {**os.environ, **_default_estate_session.env}, now=lambda: now, stream=quiet)
    policy = load_policy_set()
    results = evaluate(snapshot, config, policy, load_waivers(WAIVERS_FILE, [r.id for r in policy.rules], now.date()))
    bundle = BundleRef("20261126T120000Z-seeded", {"snapshot.json": "0" * 64, "findings.json": "1" * 64})
    files = render_all(results, snapshot, config, bundle=bundle)
    return {"snapshot": snapshot, "results": results, "config": config, "files": files}
