"""Terraform plane: checkov with our own checks, drift between declared and live state, change records.

    run_terraform_checks(directory, settings) -> findings   checkov (own venv) mapped onto our rules, cached
    load_directory(directory) -> declared resources         python-hcl2, with file:line
    static_findings(declared, config, mapping) -> findings  rules needing the estate's ids (ATL-DB-004/005, SEC-004)
    detect_drift(declared, snapshot, config) -> findings    ATL-DRIFT-001..003 (CC8.1), scoped to what is managed
    match_declared(declared, snapshot, config) -> pairs     (declaration, live resource) it manages
    check_change_log(repo, changed_paths, settings) -> findings   ATL-CHG-001 (CC8.1)
"""
from __future__ import annotations

from attest.policies.terraform.changelog import ChangeLogSettings, check_change_log
from attest.policies.terraform.checkov_run import CheckovSettings, run_terraform_checks
from attest.policies.terraform.drift import detect_drift, match_declared
from attest.policies.terraform.hcl import Declared, load_directory
from attest.policies.terraform.static import static_findings

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
