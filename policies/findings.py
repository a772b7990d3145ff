"""Findings: the result of evaluating one rule against one resource (or against nothing).

A finding's evidence pointer is a JSON pointer into the snapshot (`/resources/7`), into a bundle file
(`config/attest.yaml#/vendors/0/baa`), or a source location (`infra/envs/prod/secrets.tf:12`) for
Terraform and code findings; `cites` lists the other inputs of the verdict the same way.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Any, Iterable

SEVERITIES = ("critical", "high", "medium", "low", "info")
_DECLARATION = re.compile(r"(\S+) \((\S+):(\d+)\)")


class Status(str, Enum):
    PASS = "pass"
    FAIL = "fail"
    ERROR = "error"
    WAIVED = "waived"
    MANUAL = "manual"


@dataclass(frozen=True)
class Remediation:
    console: tuple[str, ...] = ()
    terraform: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"console": list(self.console), "terraform": self.terraform}


@dataclass(frozen=True)
class Span:
    """A place in source for a code finding: 1-based line and columns (the end column exclusive);
    columns are 0 when unknown (Terraform, the registry)."""

    file: str
    line: int
    column: int = 0
    end_line: int = 0
    end_column: int = 0

    def where(self) -> str:
        return f"{self.file}:{self.line}"

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {"file": self.file, "line": self.line}
        if self.column:
            out.update(column=self.column, end_line=self.end_line, end_column=self.end_column)
        return out


@dataclass(frozen=True)
class Step:
    """One step of the path a code finding follows (from the source to the write): where, and what."""

    span: Span
    label: str

    def to_dict(self) -> dict[str, Any]:
        return {**self.span.to_dict(), "label": self.label}


@dataclass(frozen=True)
class WaiverRef:
    """The waiver that covered a finding (or that lapsed, for an expired one).

    `status` is `active`, `expiring` (within 30 days), `expired` or `malformed` (then `problem`
    says why); only active and expiring waivers apply.
    """

    id: str
    reason: str
    owner: str
    issue: str
    approved_by: str
    expires: str
    rule_id: str = ""
    resource_pattern: str = ""
    status: str = "active"
    problem: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "reason": self.reason,
            "owner": self.owner,
            "issue": self.issue,
            "approved_by": self.approved_by,
            "expires": self.expires,
            "rule_id": self.rule_id,
            "resource_pattern": self.resource_pattern,
            "status": self.status,
            "problem": self.problem,
        }

    @property
    def source(self) -> str:
        """Where the waiver is written: `inline` (a comment above the code, id `inline:<file>:<line>`),
        `test_policy` (the guard file's policy for test files, id `test_policy:<file>`) or `yaml`."""
        prefix = self.id.partition(":")[0]
        return prefix if prefix in ("inline", "test_policy") else "yaml"


@dataclass(frozen=True)
class Finding:
    rule_id: str
    title: str
    status: Status
    severity: str
    controls: tuple[str, ...]
    resource_id: str | None
    evidence: str
    message: str
    rationale: str = ""
    remediation: Remediation = field(default_factory=Remediation)
    plane: str = "live"
    waiver: WaiverRef | None = None
    # The same resource in the other plane: live ids for a Terraform finding, `address (file:line)` for a live one.
    related: tuple[str, ...] = ()
    # Keys below `evidence` that the verdict looked for and did not find (`comment`, `a/b`): evidence
    # then points at the nearest parent that exists.
    missing: str = ""
    # Every other input of the verdict: resources (`/resources/N`) and config entries
    # (`config/attest.yaml#/pointer`), in the order the rule reads them.
    cites: tuple[str, ...] = ()
    # A code finding's primary location (where it is shown) and the path that leads there, step by step.
    location: Span | None = None
    trace: tuple[Step, ...] = ()

    @classmethod
    def live(cls, rule_id: str, title: str, status: Status, severity: str, controls: tuple[str, ...],
             resource_id: str | None, evidence: str, message: str, rationale: str, remediation: Remediation,
             waiver: WaiverRef | None, missing: str, cites: tuple[str, ...]) -> Finding:
        """`Finding(...)` of the live plane (equal, the same hash and repr), built without the frozen
        `__init__`, which sets each field through `object.__setattr__`: the engine makes a finding per
        node per rule, and for 175,000 of them those calls cost about 0.4 s. The fields go into the new
        instance's dictionary one by one, in their order (so it stays a shared-key dictionary); nothing
        sets them after this, so the instance is as frozen as one `__init__` builds."""
        finding = object.__new__(cls)
        values = finding.__dict__
        values["rule_id"] = rule_id
        values["title"] = title
        values["status"] = status
        values["severity"] = severity
        values["controls"] = controls
        values["resource_id"] = resource_id
        values["evidence"] = evidence
        values["message"] = message
        values["rationale"] = rationale
        values["remediation"] = remediation
        values["plane"] = "live"
        values["waiver"] = waiver
        values["related"] = ()
        values["missing"] = missing
        values["cites"] = cites
        values["location"] = None
        values["trace"] = ()
        return finding

    def sort_key(self) -> tuple[str, str, str, str]:
        return (self.rule_id, self.plane, self.resource_id or "", self.evidence)

    def to_dict(self) -> dict[str, Any]:
        return {
            "rule_id": self.rule_id,
            "title": self.title,
            "status": self.status.value,
            "severity": self.severity,
            "controls": list(self.controls),
            "resource_id": self.resource_id,
            "evidence": self.evidence,
            "message": self.message,
            "rationale": self.rationale,
            "remediation": self.remediation.to_dict(),
            "plane": self.plane,
            "waiver": self.waiver.to_dict() if self.waiver else None,
            "related": sorted(self.related),
            "missing": self.missing,
            "cites": list(self.cites),
            **({"location": self.location.to_dict()} if self.location is not None else {}),
            **({"trace": [step.to_dict() for step in self.trace]} if self.trace else {}),
        }


def declaration(related: str) -> tuple[str, str, int] | None:
    """(address, file, line) of a `Finding.related` entry that names a Terraform declaration; None for a live id."""
    match = _DECLARATION.fullmatch(related)
    return (match.group(1), match.group(2), int(match.group(3))) if match else None


@dataclass(frozen=True)
class Mapping:
    """Why a rule implements a control: the cited reason from policies/controls.yaml."""

    rule_id: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        return {"rule_id": self.rule_id, "reason": self.reason}


@dataclass(frozen=True)
class Attestation:
    """A human attestation for a control that no rule can evaluate."""

    statement: str
    attested_by: str
    attested_on: str
    valid_until: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "statement": self.statement,
            "attested_by": self.attested_by,
            "attested_on": self.attested_on,
            "valid_until": self.valid_until,
        }


@dataclass(frozen=True)
class ControlResult:
    """One control in scope and the roll-up of its findings (always present, even with none)."""

    control_id: str
    framework: str
    title: str
    summary: str
    narrative: str
    status: Status
    mappings: tuple[Mapping, ...]
    attestations: tuple[Attestation, ...] = ()
    # Pointers (`/gaps/N`) of the sources that could not be read and that this control rests on.
    scope_limitations: tuple[str, ...] = ()
    # How the estate is meant to meet the control (controls.yaml); `narrative` is what the findings
    # show it does (policies/narrative.py), so the two can be read side by side.
    design: str = ""

    @property
    def rule_ids(self) -> tuple[str, ...]:
        return tuple(m.rule_id for m in self.mappings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "control_id": self.control_id,
            "framework": self.framework,
            "title": self.title,
            "summary": self.summary,
            "narrative": self.narrative,
            "status": self.status.value,
            "mappings": [m.to_dict() for m in self.mappings],
            "attestations": [a.to_dict() for a in self.attestations],
            "scope_limitations": list(self.scope_limitations),
            "design": self.design,
        }


def rollup(statuses: Iterable[Status]) -> Status:
    """Worst-first: fail > error > waived > pass; no automated findings at all is `manual`."""
    seen = set(statuses)
    for status in (Status.FAIL, Status.ERROR, Status.WAIVED, Status.PASS):
        if status in seen:
            return status
    return Status.MANUAL


def _lapsed(attestation: Attestation, today: str) -> bool:
    """An attestation whose `valid_until` is past, or not a date at all, no longer vouches."""
    until = attestation.valid_until
    return not (len(until) == 10 and until[4] == "-" and until[7] == "-") or until < today


def control_status(
    statuses: Iterable[Status], *, has_rules: bool, attestations: Iterable[Attestation], today: str,
    limited: bool = False,
) -> Status:
    """A control's verdict: its findings rolled up, then fail-closed on what nobody vouches for.

    A control with rules but no finding at all could not be evaluated (`error`), and so could the
    manual part of a control whose attestation has lapsed as of `today` (YYYY-MM-DD), and a control
    `limited` by a source it rests on that could not be read.
    """
    status = rollup(statuses)
    if status is Status.MANUAL and has_rules:
        return Status.ERROR
    if limited and status is not Status.FAIL:
        return Status.ERROR
    if status is not Status.FAIL and any(_lapsed(a, today) for a in attestations):
        return Status.ERROR
    return status


@dataclass(frozen=True)
class Results:
    """Everything `attest check` concludes; serialised deterministically."""

    snapshot_collected_at: str
    snapshot_digest: str
    policy_digest: str
    controls: tuple[ControlResult, ...]
    findings: tuple[Finding, ...]
    waivers: tuple[WaiverRef, ...]
    gaps: tuple[dict[str, Any], ...] = ()
    evaluated_on: str = ""
    # sha256 of the estate config the findings were computed with ("" in files that predate it).
    config_digest: str = ""
    # False: verdicts only, for a form that shows no evidence (`attest check`'s text). Passes cite
    # their node alone and the snapshot digest is "", so these results are never written as a record.
    evidence: bool = True

    def exit_code(self) -> int:
        """0 all satisfied, 1 any violation, 3 nothing failed but something could not be evaluated
        (a source that could not be read counts, even one no control in scope rests on)."""
        statuses = {f.status for f in self.findings} | {c.status for c in self.controls}
        if Status.FAIL in statuses:
            return 1
        if Status.ERROR in statuses or self.gaps:
            return 3
        return 0

    def to_dict(self) -> dict[str, Any]:
        if not self.evidence:
            raise ValueError("verdict-only results (evaluated with evidence=False) lack citations and the snapshot digest")
        return {
            "schema_version": "1",
            "snapshot": {"collected_at": self.snapshot_collected_at, "digest": self.snapshot_digest},
            "policy_digest": self.policy_digest,
            "controls": [c.to_dict() for c in self.controls],
            "findings": [f.to_dict() for f in sorted(self.findings, key=Finding.sort_key)],
            "waivers": [w.to_dict() for w in sorted(self.waivers, key=lambda w: w.id)],
            "gaps": list(self.gaps),
            "evaluated_on": self.evaluated_on,
            **({"config_digest": self.config_digest} if self.config_digest else {}),
        }

    def to_json(self) -> str:
        """Canonical JSON (`to_json_bytes`, decoded)."""
        return self.to_json_bytes().decode("utf-8")

    def to_json_bytes(self) -> bytes:
        """Canonical JSON, UTF-8. Results hold no float (strings, enums, integers and tuples of them;
        gap records of the snapshot's strings), so neither NaN nor small floats are searched for in
        175,000 findings and their 200 MB of JSON (tests hold the field types to it)."""
        from attest.core.canonical import canonical_json  # lazy: orjson (and uuid) cost `attest guard` a start

        return canonical_json(self.to_dict(), floats=False)
