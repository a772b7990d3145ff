"""Terraform plane: checkov with our own checks, drift between declared and live state, change records.

    run_terraform_checks(directory, settings) -> findings   checkov (own venv) mapped onto our rules, cached
    load_directory(directory) -> declared resources         python-hcl2, with file:line
    static_findings(declared, config, mapping) -> findings  rules needing the estate's ids (ATL-DB-004/005, SEC-004)
    detect_drift(declared, snapshot, config) -> findings    ATL-DRIFT-001..003 (CC8.1), scoped to what is managed
    match_declared(declared, snapshot, config) -> pairs     (declaration, live resource) it manages
    check_change_log(repo, changed_paths, settings) -> findings   ATL-CHG-001 (CC8.1)
"""
from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from attest.policies.terraform.changelog import ChangeLogSettings, check_change_log
    from attest.policies.terraform.checkov_run import CheckovSettings, run_terraform_checks
    from attest.policies.terraform.drift import detect_drift, match_declared
    from attest.policies.terraform.hcl import Declared, load_directory
    from attest.policies.terraform.static import static_findings

# Loaded on first use (PEP 562): `attest guard` needs only `hcl`, not drift's collector and botocore.
_HOME = {"ChangeLogSettings": "changelog", "check_change_log": "changelog", "CheckovSettings": "checkov_run",
         "run_terraform_checks": "checkov_run", "detect_drift": "drift", "match_declared": "drift",
         "Declared": "hcl", "load_directory": "hcl", "static_findings": "static"}


def __getattr__(name: str) -> Any:
    if name not in _HOME:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    return getattr(importlib.import_module(f"{__name__}.{_HOME[name]}"), name)


__all__ = [
    "ChangeLogSettings",
    "CheckovSettings",
    "Declared",
    "check_change_log",
    "detect_drift",
    "load_directory",
    "match_declared",
    "run_terraform_checks",
    "static_findings",
]
