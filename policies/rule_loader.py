"""Loading the policy set: controls, then the rules that implement them, then the lint.

A policy directory holds `controls.yaml` and `rules/*.yaml`. Its digest (sha256 over each file's
relative path and bytes, in name order) goes into every result, so a report names the exact
policies it was judged by.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

from attest.core.errors import BadInputError
from attest.core.yamlfile import load_yaml
from attest.policies.controls import Control, lint_mappings, parse_controls
from attest.policies.rule_schema import Rule, parse_rule

POLICIES_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class PolicySet:
    controls: tuple[Control, ...]
    rules: tuple[Rule, ...]
    digest: str

    def rule(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def load_rules(rules_dir: Path, known_controls: frozenset[str]) -> tuple[Rule, ...]:
    """Every rule of every `*.yaml` file in `rules_dir`, ids unique across files, sorted by id."""
    files = sorted(rules_dir.glob("*.yaml"))
    if not files:
        raise BadInputError("no rule files (*.yaml)", where=str(rules_dir))
    rules: dict[str, Rule] = {}
    for path in files:
        data, loc = load_yaml(path)
        if not isinstance(data, dict) or set(data) != {"rules"} or not isinstance(data["rules"], list):
            raise loc.error((), "a rule file is {rules: [rule, ...]}")
        for i, raw in enumerate(data["rules"]):
            rule = parse_rule(raw, loc, ("rules", i), known_controls)
            if rule.id in rules:
                raise loc.error(("rules", i, "id"), f"rule {rule.id} is already defined at {rules[rule.id].source}")
            rules[rule.id] = rule
    return tuple(rules[k] for k in sorted(rules))


def policy_digest(files: list[Path], root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(files):
        name = path.relative_to(root).as_posix() if path.is_relative_to(root) else path.name
        digest.update(name.encode() + b"\x00" + path.read_bytes() + b"\x00")
    return "sha256:" + digest.hexdigest()


def load_policy_set(policies_dir: Path | str = POLICIES_DIR) -> PolicySet:
    root = Path(policies_dir)
    controls_path = root / "controls.yaml"
    data, loc = load_yaml(controls_path)
    controls = parse_controls(data, loc)
    rules = load_rules(root / "rules", frozenset(c.id for c in controls))
    lint_mappings(controls, {r.id: r.controls for r in rules}, loc)
    files = [controls_path, *sorted((root / "rules").glob("*.yaml"))]
    return PolicySet(controls=controls, rules=rules, digest=policy_digest(files, root))
