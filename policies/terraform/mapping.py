"""Which rule each checkov check implements, and what those rules say (title, severity, controls).

The rules themselves live in `policies/rules/*.yaml` (shared with the live plane) and, for the few
that only the Terraform plane evaluates, in `mapping.yaml` beside this module. Mapping a check onto
a rule id that neither defines is bad input: a result must never land on an unknown rule.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attest.core.errors import BadInputError
from attest.core.yamlfile import Locator, load_yaml
from attest.policies.findings import SEVERITIES, Finding, Remediation, Status

MAPPING_FILE = Path(__file__).with_name("mapping.yaml")
RULES_DIR = Path(__file__).resolve().parent.parent / "rules"


@dataclass(frozen=True)
class RuleInfo:
    """The parts of a rule a Terraform finding carries."""

    id: str
    title: str
    severity: str
    controls: tuple[str, ...]
    rationale: str
    remediation: Remediation
    reason: str = ""

    def finding(self, status: Status, resource_id: str, evidence: str, message: str) -> Finding:
        """A Terraform-plane finding of this rule."""
        return Finding(rule_id=self.id, title=self.title, status=status, severity=self.severity,
                       controls=self.controls, resource_id=resource_id, evidence=evidence, message=message,
                       rationale=self.rationale, remediation=self.remediation, plane="terraform")


@dataclass(frozen=True)
class TerraformRules:
    """checkov check id -> rule, plus every rule the Terraform plane may report."""

    checks: dict[str, RuleInfo]
    rules: dict[str, RuleInfo]
    own: tuple[str, ...] = ()

    def rule(self, rule_id: str) -> RuleInfo:
        return self.rules[rule_id]


_LOADED: dict[tuple[tuple[str, int, int], ...], TerraformRules] = {}


def load_mapping(mapping_file: Path = MAPPING_FILE, rules_dir: Path = RULES_DIR) -> TerraformRules:
    """Read the shared rules and the Terraform mapping; unknown rule ids are errors with file:line.

    One check reads it several times (waivers, checkov, drift): files unchanged since the last
    read (same paths, sizes and modification times) give the same TerraformRules without parsing again.
    """
    try:
        files = [Path(mapping_file), *sorted(Path(rules_dir).glob("*.yaml"))]
        stamp = tuple((str(p.resolve()), p.stat().st_mtime_ns, p.stat().st_size) for p in files)
    except OSError:
        return _load_mapping(mapping_file, rules_dir)
    if stamp not in _LOADED:
        _LOADED[stamp] = _load_mapping(mapping_file, rules_dir)
    return _LOADED[stamp]


def _load_mapping(mapping_file: Path, rules_dir: Path) -> TerraformRules:
    rules: dict[str, RuleInfo] = {}
    for path in sorted(rules_dir.glob("*.yaml")) if rules_dir.is_dir() else ():
        _add_rules(rules, path)
    shared = set(rules)
    raw, where = _add_rules(rules, mapping_file)
    checks_raw = raw.get("checks")
    if not isinstance(checks_raw, dict) or not checks_raw:
        raise where.error(("checks",), "`checks` must map checkov check ids to rule ids")
    checks: dict[str, RuleInfo] = {}
    for check_id, rule_id in checks_raw.items():
        if not isinstance(rule_id, str) or rule_id not in rules:
            raise where.error(("checks", check_id), f"check {check_id} maps onto unknown rule {rule_id!r}")
        checks[str(check_id)] = rules[rule_id]
    own = tuple(sorted(set(rules) - shared))
    for rule_id in own:
        if not rules[rule_id].reason:
            raise BadInputError(f"rule {rule_id} needs a `reason` (why it implements its controls)",
                                where=str(mapping_file))
    return TerraformRules(checks=checks, rules=rules, own=own)


def _add_rules(rules: dict[str, RuleInfo], path: Path) -> tuple[dict[str, Any], Locator]:
    raw, where = load_yaml(path)
    if not isinstance(raw, dict):
        raise BadInputError("expected a mapping at the top level", where=where.where())
    entries = raw.get("rules", [])
    if not isinstance(entries, list):
        raise where.error(("rules",), "`rules` must be a list")
    for index, entry in enumerate(entries):
        info = _rule(entry, where, ("rules", index))
        if info.id in rules:
            raise where.error(("rules", index, "id"), f"rule {info.id} is defined twice")
        rules[info.id] = info
    return raw, where


def _rule(entry: Any, where: Locator, path: tuple[str | int, ...]) -> RuleInfo:
    if not isinstance(entry, dict):
        raise where.error(path, "a rule must be a mapping")
    for key in ("id", "title", "severity"):
        if not isinstance(entry.get(key), str) or not entry[key]:
            raise where.error(path + (key,), f"rule needs a string `{key}`")
    if entry["severity"] not in SEVERITIES:
        raise where.error(path + ("severity",), f"unknown severity {entry['severity']!r}")
    controls = entry.get("controls")
    if not isinstance(controls, list) or not controls or not all(isinstance(c, str) for c in controls):
        raise where.error(path + ("controls",), "rule needs a list of control ids")
    remediation = entry.get("remediation") or {}
    if not isinstance(remediation, dict):
        raise where.error(path + ("remediation",), "remediation must be a mapping")
    return RuleInfo(
        id=entry["id"],
        title=entry["title"],
        severity=entry["severity"],
        controls=tuple(controls),
        rationale=" ".join(str(entry.get("rationale", "")).split()),
        remediation=Remediation(
            console=tuple(str(step) for step in remediation.get("console") or ()),
            terraform=str(remediation.get("terraform") or ""),
        ),
        reason=" ".join(str(entry.get("reason", "")).split()),
    )
