"""The one-way import rule: reports -> evidence -> policies -> collector -> core, never back."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
# Each layer (by its folder) and the attest.* layers it may import.
ALLOWED = {
    "attest/core": {"core"},
    "collector": {"collector", "core"},
    "policies": {"policies", "collector", "core"},
    "evidence": {"evidence", "policies", "collector", "core"},
    "reports": {"reports", "evidence", "policies", "collector", "core"},
    "sandbox": {"sandbox", "collector", "core"},
    "attest": {"cli", "commands", "pipeline", "period_demo", "output", "core", "reports", "evidence", "policies", "collector", "sandbox"},
}
STAGES = ("collector", "policies", "evidence", "reports", "sandbox")


def imported_layers(path: Path) -> set[str]:
    """The attest.* layers a module imports; a bare stage name (the old top-level form) counts as itself."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    modules: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            modules.add(node.module)
    layers: set[str] = set()
    for module in modules:
        parts = module.split(".")
        if parts[0] == "attest" and len(parts) > 1:
            layers.add(parts[1])
        elif parts[0] in STAGES:
            layers.add(f"top-level {parts[0]} (import attest.{parts[0]} instead)")
    return layers


def _files(layer: str) -> list[Path]:
    files = [p for p in (ROOT / layer).rglob("*.py") if "checks" not in p.relative_to(ROOT / layer).parts]
    if layer == "attest":
        files = [p for p in files if "core" not in p.relative_to(ROOT / layer).parts]
    return files


@pytest.mark.parametrize("layer", sorted(ALLOWED))
def test_imports_flow_one_way(layer: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_layers(path) - ALLOWED[layer]) for path in _files(layer)
    }
    assert {k: v for k, v in offenders.items() if v} == {}


def test_the_rule_catches_a_backward_import(tmp_path: Path) -> None:
    module = tmp_path / "m.py"
    module.write_text("from attest.reports.render import render\nimport policies.engine\n")
    assert imported_layers(module) == {"reports", "top-level policies (import attest.policies instead)"}
