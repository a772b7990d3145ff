"""The one-way import rule: reports -> evidence -> policies -> collector, never back."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]
ALLOWED = {
    "collector": {"collector"},
    "policies": {"policies", "collector"},
    "evidence": {"evidence", "policies", "collector"},
    "reports": {"reports", "evidence", "policies", "collector"},
    "sandbox": {"sandbox", "collector"},
    "attest": {"attest", "reports", "evidence", "policies", "collector", "sandbox"},
}


def imported_packages(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names & set(ALLOWED)


@pytest.mark.parametrize("package", sorted(ALLOWED))
def test_imports_flow_one_way(package: str) -> None:
    offenders = {
        str(path.relative_to(ROOT)): sorted(imported_packages(path) - ALLOWED[package])
        for path in (ROOT / package).rglob("*.py")
        if "checks" not in path.relative_to(ROOT / package).parts
    }
    assert {k: v for k, v in offenders.items() if v} == {}
