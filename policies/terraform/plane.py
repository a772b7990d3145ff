"""`attest check --terraform DIR...`: the Terraform plane's findings, alone or folded into the live results.

checkov findings land on the same rule ids as the live checks (so a control shows both planes), the
estate-aware static rules (static.py) likewise, drift findings on ATL-DRIFT-*. Each root is parsed
once; checkov's report comes from the cache when the tree is unchanged. Without a snapshot only the
static plane runs, and each control is rolled up over the rules that judged something. Waivers cover
Terraform findings exactly as they cover live ones. A finding on a resource that drift matched
across planes carries the other plane's id (`Finding.related`), so the report links the Terraform
address and file:line to the live ARN or Atlas id.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
from dataclasses import dataclass, replace
from pathlib import Path

from attest.collector.config import EstateConfig
from attest.collector.snapshot import Resource, Snapshot
from attest.core.errors import UsageError
from attest.policies.check import load_check_waivers
from attest.policies.findings import ControlResult, Finding, Results, Status
from attest.policies.findings import Mapping as ControlMapping
from attest.policies.rollup import rerolled, static_results, static_rollup
from attest.policies.rule_loader import POLICIES_DIR, load_policy_set
from attest.policies.terraform import checkov_cache
from attest.policies.terraform.checkov_run import CheckovSettings, run_terraform_checks
from attest.policies.terraform.drift import detect_drift, match_declared, out_of_scope
from attest.policies.terraform.drift_scope import summary
from attest.policies.terraform.hcl import Declared, evidence_path, evidence_root, load_directory
from attest.policies.terraform.mapping import TerraformRules, load_mapping
from attest.policies.terraform.parse_cache import load_directory_cached
from attest.policies.terraform.state import load_show_json, overlay
from attest.policies.terraform.static import static_findings
from attest.policies.waivers import Waiver, waiver_for

log = logging.getLogger("attest.terraform")


@dataclass(frozen=True)
class TerraformInputs:
    """The roots to judge and what resolves them: recorded state, and reference projects by flag."""

    roots: tuple[Path, ...]
    show_json: Path | None = None
    reference_projects: tuple[str, ...] = ()
    settings: CheckovSettings = CheckovSettings()


def with_terraform(
    results: Results | None,
    inputs: TerraformInputs,
    snapshot: Snapshot | None,
    config: EstateConfig | None,
    *,
    policies_dir: str | Path = POLICIES_DIR,
    waivers_path: str | Path | None = None,
    today: dt.date | None = None,
) -> Results:
    """`results` (None: a static-only run) plus checkov, static and drift findings, waived and rolled up."""
    if inputs.show_json is not None and len(inputs.roots) != 1:
        raise UsageError("--terraform-state belongs to one root: give exactly one --terraform DIR with it")
    mapping = load_mapping(inputs.settings.mapping_file)
    policy = load_policy_set(policies_dir)
    day = today or (snapshot.collected_at.date() if snapshot else dt.datetime.now(dt.timezone.utc).date())
    waivers = load_check_waivers(waivers_path or Path(policies_dir) / "waivers.yaml", policy, day)
    declared: list[Declared] = []
    found: list[Finding] = []
    for root in inputs.roots:
        parsed = _parse(root, inputs.settings)
        label = _label(root) if len(inputs.roots) > 1 else ""
        checked = run_terraform_checks(root, inputs.settings, declared=parsed)
        found.extend(replace(f, resource_id=label + (f.resource_id or "")) if label else f for f in checked)
        if inputs.show_json is not None:
            parsed = overlay(parsed, load_show_json(inputs.show_json))
        declared.extend(replace(d, address=label + d.address) if label else d for d in parsed)
    everything = tuple(declared)
    found.extend(static_findings(everything, config, mapping, inputs.reference_projects))
    matches: tuple[tuple[Declared, Resource], ...] = ()
    if snapshot is not None and config is not None:
        found.extend(detect_drift(everything, snapshot, config, mapping))
        matches = match_declared(everything, snapshot, config)
        outside = out_of_scope(everything, snapshot, config)
        if outside:
            log.warning("drift left out %d live resource(s) the Terraform roots do not manage (terraform.manages in "
                        "the config widens this): %s", len(outside), summary(outside))
    base = results if results is not None else static_results(policy, day)
    merged = merge(base, tuple(found), waivers, mapping, inputs.settings, matches)
    return merged if results is not None else static_rollup(merged)


def _parse(root: Path, settings: CheckovSettings) -> tuple[Declared, ...]:
    """The root's declarations, parsed once (and not again while the tree is unchanged)."""
    if not settings.cache:
        return load_directory(root)
    return load_directory_cached(root, settings.cache_dir or checkov_cache.cache_dir(os.environ))


def _label(root: Path) -> str:
    """A root's name in findings when several are judged at once: its repository-relative path."""
    return evidence_path(root, evidence_root(root)) + ":"


def _waived(finding: Finding, waivers: tuple[Waiver, ...]) -> Finding:
    """A Terraform finding is waived by a waiver on its address, or on the live resource it declares."""
    if finding.status is not Status.FAIL or finding.plane != "terraform":
        return finding
    for resource_id in (finding.resource_id, *finding.related):
        waiver = waiver_for(waivers, finding.rule_id, resource_id)
        if waiver is not None:
            return replace(finding, status=Status.WAIVED, waiver=waiver.ref)
    return finding


def merge(results: Results, found: tuple[Finding, ...], waivers: tuple[Waiver, ...], mapping: TerraformRules,
          settings: CheckovSettings, matches: tuple[tuple[Declared, Resource], ...] = ()) -> Results:
    """Add findings, linked across planes; map the Terraform-only rules onto their controls; re-roll each control."""
    findings = tuple(sorted((_waived(f, waivers) for f in linked(results.findings + found, matches)),
                            key=Finding.sort_key))
    controls = tuple(rerolled(_with_own_rules(c, mapping), findings, results.evaluated_on) for c in results.controls)
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


def _with_own_rules(control: ControlResult, mapping: TerraformRules) -> ControlResult:
    """Rules only the Terraform plane evaluates join the controls they name, with their reason."""
    added = tuple(ControlMapping(rule_id, mapping.rule(rule_id).reason) for rule_id in mapping.own
                  if control.control_id in mapping.rule(rule_id).controls and rule_id not in control.rule_ids)
    return replace(control, mappings=control.mappings + added) if added else control


def _digest(policy_digest: str, settings: CheckovSettings) -> str:
    """The policy digest extended with the mapping and our checks, so a report names them too."""
    digest = hashlib.sha256(policy_digest.encode("utf-8") + b"\x00")
    files = [settings.mapping_file, *sorted(Path(settings.checks_dir).glob("*.py"))]
    for path in files:
        digest.update(path.name.encode("utf-8") + b"\x00" + path.read_bytes() + b"\x00")
    return "sha256:" + digest.hexdigest()
