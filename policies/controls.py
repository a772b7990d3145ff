"""Controls in scope (`policies/controls.yaml`) and the lint that keeps them honest.

The lint runs at every load: a control must map at least one rule or carry a manual attestation;
a rule may be mapped once per control; every mapped rule must exist, and must list that control
itself (the rule's `controls` and the control's `rules` say the same thing from both sides).
"""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Iterable

from attest.core.yamlfile import KeyPath, Locator
from attest.policies.findings import Attestation, Mapping
from attest.policies.graph import LIVE_TYPES

CONTROL_KEYS = {"id", "framework", "title", "summary", "narrative", "rules", "attestations", "depends_on"}
ATTESTATION_KEYS = {"statement", "attested_by", "attested_on", "valid_until"}


@dataclass(frozen=True)
class Control:
    id: str
    framework: str
    title: str
    summary: str
    narrative: str
    mappings: tuple[Mapping, ...]
    attestations: tuple[Attestation, ...]
    where: str
    # Collected resource types the control's evidence rests on beyond what its rules read: a gap in
    # one is a scope limitation of the control and makes it `error`, like a gap a rule reads.
    depends_on: tuple[Mapping, ...] = ()


def _text(raw: Any, loc: Locator, path: KeyPath) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise loc.error(path, "must be a non-empty string")
    return " ".join(raw.split())


def _date(raw: Any, loc: Locator, path: KeyPath) -> dt.date:
    if isinstance(raw, dt.date):
        return raw
    try:
        return dt.date.fromisoformat(str(raw))
    except ValueError:
        raise loc.error(path, f"not a date (YYYY-MM-DD): {raw!r}") from None


def _mapping(raw: Any, loc: Locator, path: KeyPath) -> Mapping:
    if not isinstance(raw, dict) or set(raw) != {"rule", "reason"}:
        raise loc.error(path, "a mapping is {rule: <rule id>, reason: <why it implements the control>}")
    return Mapping(rule_id=_text(raw["rule"], loc, (*path, "rule")), reason=_text(raw["reason"], loc, (*path, "reason")))


def _dependency(raw: Any, loc: Locator, path: KeyPath) -> Mapping:
    """{source: <collected resource type>, reason: ...}, kept as a Mapping of type and reason."""
    if not isinstance(raw, dict) or set(raw) != {"source", "reason"}:
        raise loc.error(path, "a dependency is {source: <resource type>, reason: <why the control rests on it>}")
    source = _text(raw["source"], loc, (*path, "source"))
    if source not in LIVE_TYPES:
        raise loc.error((*path, "source"), f"unknown resource type {source!r} (one of {', '.join(LIVE_TYPES)})")
    return Mapping(rule_id=source, reason=_text(raw["reason"], loc, (*path, "reason")))


def _attestation(raw: Any, loc: Locator, path: KeyPath) -> Attestation:
    if not isinstance(raw, dict):
        raise loc.error(path, "an attestation must be a mapping")
    for key in raw:
        if key not in ATTESTATION_KEYS:
            raise loc.error((*path, key), f"unknown key (allowed: {', '.join(sorted(ATTESTATION_KEYS))})")
    for key in sorted(ATTESTATION_KEYS - set(raw)):
        raise loc.error(path, f"missing required key {key!r}")
    start = _date(raw["attested_on"], loc, (*path, "attested_on"))
    end = _date(raw["valid_until"], loc, (*path, "valid_until"))
    if end < start:
        raise loc.error((*path, "valid_until"), "ends before it was attested")
    return Attestation(
        statement=_text(raw["statement"], loc, (*path, "statement")),
        attested_by=_text(raw["attested_by"], loc, (*path, "attested_by")),
        attested_on=start.isoformat(),
        valid_until=end.isoformat(),
    )


def _control(raw: Any, loc: Locator, path: KeyPath) -> Control:
    if not isinstance(raw, dict):
        raise loc.error(path, "a control must be a mapping")
    for key in raw:
        if key not in CONTROL_KEYS:
            raise loc.error((*path, key), f"unknown key (allowed: {', '.join(sorted(CONTROL_KEYS))})")
    for key in ("id", "framework", "title", "summary", "narrative"):
        if key not in raw:
            raise loc.error(path, f"missing required key {key!r}")
    mappings, attestations = raw.get("rules") or [], raw.get("attestations") or []
    dependencies = raw.get("depends_on") or []
    if not isinstance(mappings, list) or not isinstance(attestations, list) or not isinstance(dependencies, list):
        raise loc.error(path, "rules, attestations and depends_on must be lists")
    return Control(
        id=_text(raw["id"], loc, (*path, "id")),
        framework=_text(raw["framework"], loc, (*path, "framework")),
        title=_text(raw["title"], loc, (*path, "title")),
        summary=_text(raw["summary"], loc, (*path, "summary")),
        narrative=_text(raw["narrative"], loc, (*path, "narrative")),
        mappings=tuple(_mapping(m, loc, (*path, "rules", i)) for i, m in enumerate(mappings)),
        attestations=tuple(_attestation(a, loc, (*path, "attestations", i)) for i, a in enumerate(attestations)),
        where=loc.where(path),
        depends_on=tuple(_dependency(d, loc, (*path, "depends_on", i)) for i, d in enumerate(dependencies)),
    )


def parse_controls(data: Any, loc: Locator) -> tuple[Control, ...]:
    """The controls as declared; ids unique, each with rules or an attestation."""
    if not isinstance(data, dict) or set(data) != {"controls"} or not isinstance(data["controls"], list):
        raise loc.error((), "a controls file is {controls: [control, ...]}")
    controls = tuple(_control(c, loc, ("controls", i)) for i, c in enumerate(data["controls"]))
    seen: set[str] = set()
    for i, control in enumerate(controls):
        path: KeyPath = ("controls", i)
        if control.id in seen:
            raise loc.error((*path, "id"), f"control {control.id!r} is declared twice")
        seen.add(control.id)
        if not control.mappings and not control.attestations:
            raise loc.error(path, f"control {control.id!r} has neither rules nor a manual attestation")
        rule_ids = [m.rule_id for m in control.mappings]
        for j, rule_id in enumerate(rule_ids):
            if rule_id in rule_ids[:j]:
                raise loc.error((*path, "rules", j), f"rule {rule_id} is mapped to {control.id} twice")
    return controls


def lint_mappings(controls: Iterable[Control], rule_controls: dict[str, tuple[str, ...]], loc: Locator) -> None:
    """Every mapped rule exists and lists the control; every rule's control maps it back."""
    controls = tuple(controls)
    for i, control in enumerate(controls):
        for j, mapping in enumerate(control.mappings):
            path: KeyPath = ("controls", i, "rules", j, "rule")
            if mapping.rule_id not in rule_controls:
                raise loc.error(path, f"unknown rule id {mapping.rule_id!r}")
            if control.id not in rule_controls[mapping.rule_id]:
                raise loc.error(path, f"rule {mapping.rule_id} does not list {control.id} in its controls")
    mapped = {(c.id, m.rule_id) for c in controls for m in c.mappings}
    for rule_id, ids in sorted(rule_controls.items()):
        for control_id in ids:
            if (control_id, rule_id) not in mapped:
                raise loc.error((), f"rule {rule_id} lists {control_id}, but that control does not map it (add it with a reason)")
