"""The code plane's join with the Terraform plane: the guard's verdict on a declared user is left out
only when the Terraform plane judged the same rule on the same file and address (the address as a
resource id, never read back out of a message), whatever label a multi-root run gives it."""
from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import pytest

from attest.policies.code_plane import with_code
from attest.policies.findings import Finding, Status
from attest.policies.rollup import static_results
from attest.policies.rule_loader import load_policy_set

APP = Path(__file__).resolve().parents[1] / "attest" / "code_apps" / "reference_user_can_write"
FILE = "tests/attest/code_apps/reference_user_can_write/infra/atlas.tf"
ADDRESS = "mongodbatlas_database_user.catalog_sync"
DAY = dt.date(2026, 11, 26)


def _judged(resource_id: str, file: str) -> Finding:
    """ATL-DB-005 as the Terraform plane reports it."""
    return Finding(rule_id="ATL-DB-005", title="reference user", status=Status.FAIL, severity="critical",
                   controls=("SOC2-CC6.7",), resource_id=resource_id, evidence=f"{file}:7",
                   message="holds readWrite", plane="terraform")


def _db005(terraform: Finding | None) -> list[tuple[str | None, str]]:
    base = static_results(load_policy_set(), DAY)
    if terraform is not None:
        base = replace(base, findings=(terraform,))
    merged = with_code(base, (APP,), live=False, today=DAY)
    return sorted((f.resource_id, f.message) for f in merged.findings if f.rule_id == "ATL-DB-005")


def test_the_guard_names_the_declared_user_as_its_resource() -> None:
    [(resource, message)] = _db005(None)
    assert resource == ADDRESS
    assert message.startswith(f"{ADDRESS} on the reference project")


@pytest.mark.parametrize("resource_id", [ADDRESS, f"infra:{ADDRESS}"], ids=["one root", "labelled root"])
def test_a_user_the_terraform_plane_judged_is_reported_once(resource_id: str) -> None:
    assert _db005(_judged(resource_id, FILE)) == [(resource_id, "holds readWrite")]


@pytest.mark.parametrize("resource_id, file", [
    ("mongodbatlas_database_user.other", FILE),
    (ADDRESS, "elsewhere/atlas.tf"),
    ('mongodbatlas_database_user.x["a:mongodbatlas_database_user.catalog_sync"]', FILE),
], ids=["another user", "another file", "an address holding a colon"])
def test_a_verdict_on_another_declaration_does_not_hide_the_guards(resource_id: str, file: str) -> None:
    found = _db005(_judged(resource_id, file))
    assert (resource_id, "holds readWrite") in found
    assert [m for r, m in found if m.startswith(f"{ADDRESS} on the reference project")] != []
    assert len(found) == 2
