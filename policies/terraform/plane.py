"""`attest check --terraform DIR`: the Terraform plane's findings folded into the live results.

checkov findings land on the same rule ids as the live checks (so a control shows both planes), drift
findings on ATL-DRIFT-*. Waivers cover Terraform findings exactly as they cover live ones, and each
control's status is rolled up again over every finding that names it. A finding on a resource that
drift matched across planes carries the other plane's id (`Finding.related`), so the report links the
Terraform address and file:line to the live ARN or Atlas id.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import replace
from pathlib import Path

from attest.collector.config import load_config
from attest.collector.snapshot import Resource, load_snapshot
from attest.policies.findings import ControlResult, Finding, Results, Status, control_status
from attest.policies.findings import Mapping as ControlMapping
from attest.policies.check import load_check_waivers
from attest.policies.rule_loader import POLICIES_DIR, load_policy_set
from attest.policies.terraform.checkov_run import CheckovSettings, run_terraform_checks
from attest.policies.terraform.drift import detect_drift, match_declared
from attest.policies.terraform.hcl import Declared, load_directory
from attest.policies.terraform.mapping import Mapping, load_mapping
from attest.policies.terraform.state import load_show_json, overlay
from attest.policies.waivers import Waiver, waiver_for


def with_terraform(
    results: Results,
    directory: str | Path,
    snapshot_path: str | Path,
    config_path: str | Path,
    *,
    policies_dir: str | Path = POLICIES_DIR,
    waivers_path: str | Path | None = None,
    today: dt.date | None = None,
    show_json: str | Path | None = None,
    settings: CheckovSettings = CheckovSettings(),
) -> Results:
    """`results` plus checkov and drift findings for `directory`, waived and rolled up."""
    declared = load_directory(directory)
    if show_json:
        declared = overlay(declared, load_show_json(show_json))
    snapshot = load_snapshot(str(snapshot_path))
    config = load_config(config_path)
    mapping = load_mapping(settings.mapping_file)
    policy = load_policy_set(policies_dir)
    day = today or snapshot.collected_at.date()
    waivers = load_check_waivers(waivers_path or Path(policies_dir) / "waivers.yaml", policy, day)
    found = run_terraform_checks(directory, settings) + detect_drift(declared, snapshot, config, mapping)
    return merge(results, tuple(_waived(f, waivers) for f in found), waivers, mapping, settings,
                 match_declared(declared, snapshot, config))


def _waived(finding: Finding, waivers: tuple[Waiver, ...]) -> Finding:
    if finding.status is not Status.FAIL:
        return finding
    waiver = waiver_for(waivers, finding.rule_id, finding.resource_id)
    return replace(finding, status=Status.WAIVED, waiver=waiver.ref) if waiver else finding


def merge(results: Results, found: tuple[Finding, ...], waivers: tuple[Waiver, ...], mapping: Mapping,
          settings: CheckovSettings, matches: tuple[tuple[Declared, Resource], ...] = ()) -> Results:
    """Add findings, linked across planes; map the Terraform-only rules onto their controls; re-roll each control."""
    findings = tuple(sorted(linked(results.findings + found, matches), key=Finding.sort_key))
    controls = tuple(_rerolled(_with_own_rules(c, mapping), findings, results.evaluated_on) for c in results.controls)
    return replace(results, findings=findings, controls=controls, waivers=tuple(w.ref for w in waivers),
                   policy_digest=_digest(results.policy_digest, settings))


def linked(findings: tuple[Finding, ...], matches: tuple[tuple[Declared, Resource], ...]) -> tuple[Finding, ...]:
    """Each finding with the ids of its resource in the other plane (`related`).

    A Terraform finding on a declared address gets the live ids it matched (a drift finding on a
    live id gets the declaration); a live finding gets the declaration only when a Terraform finding
    of the same rule names it, so the link always joins one rule's findings across planes.
    """
    live_of: dict[str, set[str]] = {}
    declared_of: dict[str, dict[str, str]] = {}
    for item, resource in matches:
        live_of.setdefault(item.address, set()).add(resource.id)
        declared_of.setdefault(resource.id, {})[item.address] = f"{item.address} ({item.location})"
    on_terraform = {(f.rule_id, f.resource_id) for f in findings if f.plane == "terraform"}
    out = []
    for f in findings:
        rid = f.resource_id or ""
        declarations = declared_of.get(rid, {})
        if f.plane == "terraform":
            related = live_of.get(rid) or set(declarations.values())
        else:
            related = {label for address, label in declarations.items() if (f.rule_id, address) in on_terraform}
        out.append(replace(f, related=tuple(sorted(related))) if related else f)
    return tuple(out)


def _with_own_rules(control: ControlResult, mapping: Mapping) -> ControlResult:
    """Rules only the Terraform plane evaluates join the controls they name, with their reason."""
    added = tuple(ControlMapping(rule_id, mapping.rule(rule_id).reason) for rule_id in mapping.own
                  if control.control_id in mapping.rule(rule_id).controls and rule_id not in control.rule_ids)
    return replace(control, mappings=control.mappings + added) if added else control


def _rerolled(control: ControlResult, findings: tuple[Finding, ...], today: str) -> ControlResult:
    rules = set(control.rule_ids)
    statuses = [f.status for f in findings if f.rule_id in rules]
    return replace(control, status=control_status(statuses, has_rules=bool(rules), attestations=control.attestations,
                                                  today=today, limited=bool(control.scope_limitations)))


def _digest(policy_digest: str, settings: CheckovSettings) -> str:
    """The policy digest extended with the mapping and our checks, so a report names them too."""
    digest = hashlib.sha256(policy_digest.encode("utf-8") + b"\x00")
    files = [settings.mapping_file, *sorted(Path(settings.checks_dir).glob("*.py"))]
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\x00" + path.read_bytes() + b"\x00")
    return "sha256:" + digest.hexdigest()
