"""Reading a findings file (`Results.to_json()`) back into `Results`, for reports and re-renders.

An auditor may re-render a year-old bundle, so the file is validated field by field: every problem
is a BadInputError naming the file and the JSON pointer of the offending value.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from attest.core.errors import BadInputError
from attest.core.jsonfile import load_json
from attest.policies.findings import (
    SEVERITIES,
    Attestation,
    ControlResult,
    Finding,
    Mapping,
    Remediation,
    Results,
    Span,
    Status,
    Step,
    WaiverRef,
)

SCHEMA_VERSION = "1"
T = TypeVar("T")


class _Doc:
    """Typed access to one decoded document, turning every mismatch into a located error."""

    def __init__(self, source: str) -> None:
        self.source = source

    def error(self, pointer: str, message: str) -> BadInputError:
        return BadInputError(message, where=f"{self.source}#{pointer}")

    def obj(self, value: Any, pointer: str, required: tuple[str, ...]) -> dict[str, Any]:
        if not isinstance(value, dict):
            raise self.error(pointer, "must be a JSON object")
        for key in required:
            if key not in value:
                raise self.error(pointer, f"missing field {key!r}")
        return value

    def text(self, value: Any, pointer: str, *, nullable: bool = False) -> Any:
        if value is None and nullable:
            return None
        if not isinstance(value, str):
            raise self.error(pointer, "must be a string")
        return value

    def choice(self, value: Any, pointer: str, choices: tuple[str, ...]) -> str:
        text: str = self.text(value, pointer)
        if text not in choices:
            raise self.error(pointer, f"must be one of {', '.join(choices)} (got {text!r})")
        return text

    def number(self, value: Any, pointer: str) -> int:
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise self.error(pointer, "must be a whole number, 0 or more")
        return value

    def texts(self, value: Any, pointer: str) -> tuple[str, ...]:
        return tuple(self.text(v, f"{pointer}/{i}") for i, v in enumerate(self.array(value, pointer)))

    def array(self, value: Any, pointer: str) -> list[Any]:
        if not isinstance(value, list):
            raise self.error(pointer, "must be a JSON array")
        return value

    def each(self, value: Any, pointer: str, build: Callable[[Any, str], T]) -> tuple[T, ...]:
        return tuple(build(v, f"{pointer}/{i}") for i, v in enumerate(self.array(value, pointer)))


_STATUSES = tuple(s.value for s in Status)


_WAIVER_KEYS = ("id", "reason", "owner", "issue", "approved_by", "expires")
_WAIVER_OPTIONAL = ("rule_id", "resource_pattern", "status", "problem")
_WAIVER_STATUSES = ("active", "expiring", "expired", "malformed")


def _waiver(d: _Doc, raw: Any, p: str) -> WaiverRef:
    m = d.obj(raw, p, _WAIVER_KEYS)
    fields = {k: d.text(m[k], f"{p}/{k}") for k in (*_WAIVER_KEYS, *_WAIVER_OPTIONAL) if k in m}
    if "status" in fields:
        d.choice(fields["status"], f"{p}/status", _WAIVER_STATUSES)
    return WaiverRef(**fields)


def _span(d: _Doc, raw: Any, p: str) -> Span:
    m = d.obj(raw, p, ("file", "line"))
    numbers = {k: d.number(m[k], f"{p}/{k}") for k in ("line", "column", "end_line", "end_column") if k in m}
    return Span(file=d.text(m["file"], f"{p}/file"), **numbers)


def _step(d: _Doc, raw: Any, p: str) -> Step:
    m = d.obj(raw, p, ("file", "line", "label"))
    return Step(_span(d, m, p), d.text(m["label"], f"{p}/label"))


def _finding(d: _Doc, raw: Any, p: str) -> Finding:
    keys = ("rule_id", "title", "status", "severity", "controls", "resource_id", "evidence", "message")
    m = d.obj(raw, p, keys)
    remediation = d.obj(m.get("remediation", {"console": [], "terraform": ""}), f"{p}/remediation", ())
    waiver = m.get("waiver")
    return Finding(
        rule_id=d.text(m["rule_id"], f"{p}/rule_id"),
        title=d.text(m["title"], f"{p}/title"),
        status=Status(d.choice(m["status"], f"{p}/status", _STATUSES)),
        severity=d.choice(m["severity"], f"{p}/severity", SEVERITIES),
        controls=d.texts(m["controls"], f"{p}/controls"),
        resource_id=d.text(m["resource_id"], f"{p}/resource_id", nullable=True),
        evidence=d.text(m["evidence"], f"{p}/evidence"),
        message=d.text(m["message"], f"{p}/message"),
        rationale=d.text(m.get("rationale", ""), f"{p}/rationale"),
        remediation=Remediation(
            console=d.texts(remediation.get("console", []), f"{p}/remediation/console"),
            terraform=d.text(remediation.get("terraform", ""), f"{p}/remediation/terraform"),
        ),
        plane=d.text(m.get("plane", "live"), f"{p}/plane"),
        waiver=_waiver(d, waiver, f"{p}/waiver") if waiver is not None else None,
        related=d.texts(m.get("related", []), f"{p}/related"),
        missing=d.text(m.get("missing", ""), f"{p}/missing"),
        cites=d.texts(m.get("cites", []), f"{p}/cites"),
        location=_span(d, m["location"], f"{p}/location") if "location" in m else None,
        trace=d.each(m.get("trace", []), f"{p}/trace", lambda v, q: _step(d, v, q)),
    )


def _mapping(d: _Doc, raw: Any, p: str) -> Mapping:
    m = d.obj(raw, p, ("rule_id", "reason"))
    return Mapping(d.text(m["rule_id"], f"{p}/rule_id"), d.text(m["reason"], f"{p}/reason"))


def _attestation(d: _Doc, raw: Any, p: str) -> Attestation:
    keys = ("statement", "attested_by", "attested_on", "valid_until")
    m = d.obj(raw, p, keys)
    return Attestation(*(d.text(m[k], f"{p}/{k}") for k in keys))


def _control(d: _Doc, raw: Any, p: str) -> ControlResult:
    keys = ("control_id", "framework", "title", "summary", "narrative", "status", "mappings")
    m = d.obj(raw, p, keys)
    return ControlResult(
        control_id=d.text(m["control_id"], f"{p}/control_id"),
        framework=d.text(m["framework"], f"{p}/framework"),
        title=d.text(m["title"], f"{p}/title"),
        summary=d.text(m["summary"], f"{p}/summary"),
        narrative=d.text(m["narrative"], f"{p}/narrative"),
        status=Status(d.choice(m["status"], f"{p}/status", _STATUSES)),
        mappings=d.each(m["mappings"], f"{p}/mappings", lambda v, q: _mapping(d, v, q)),
        attestations=d.each(m.get("attestations", []), f"{p}/attestations", lambda v, q: _attestation(d, v, q)),
        scope_limitations=d.texts(m.get("scope_limitations", []), f"{p}/scope_limitations"),
        design=d.text(m.get("design", ""), f"{p}/design"),
    )


def results_from_dict(raw: Any, source: str) -> Results:
    """Validate a decoded findings document and build `Results` from it."""
    d = _Doc(source)
    top = d.obj(raw, "", ("schema_version", "snapshot", "policy_digest", "controls", "findings", "waivers"))
    if top["schema_version"] != SCHEMA_VERSION:
        raise d.error(
            "/schema_version",
            f"unsupported schema_version {top['schema_version']!r} (this attest reads {SCHEMA_VERSION!r})",
        )
    snap = d.obj(top["snapshot"], "/snapshot", ("collected_at", "digest"))
    gaps = d.array(top.get("gaps", []), "/gaps")
    for i, gap in enumerate(gaps):
        d.obj(gap, f"/gaps/{i}", ())
    controls = d.each(top["controls"], "/controls", lambda v, q: _control(d, v, q))
    seen: set[str] = set()
    for i, control in enumerate(controls):
        if control.control_id in seen:
            raise d.error(f"/controls/{i}/control_id", f"duplicate control {control.control_id!r}")
        seen.add(control.control_id)
    findings = d.each(top["findings"], "/findings", lambda v, q: _finding(d, v, q))
    for i, finding in enumerate(findings):
        for j, control_id in enumerate(finding.controls):
            if control_id not in seen:
                raise d.error(f"/findings/{i}/controls/{j}", f"cites control {control_id!r}, which is not in /controls")
    return Results(
        snapshot_collected_at=d.text(snap["collected_at"], "/snapshot/collected_at"),
        snapshot_digest=d.text(snap["digest"], "/snapshot/digest"),
        policy_digest=d.text(top["policy_digest"], "/policy_digest"),
        controls=controls,
        findings=findings,
        waivers=d.each(top["waivers"], "/waivers", lambda v, q: _waiver(d, v, q)),
        gaps=tuple(gaps),
        **({"evaluated_on": d.text(top["evaluated_on"], "/evaluated_on")} if "evaluated_on" in top else {}),
        **({"config_digest": d.text(top["config_digest"], "/config_digest")} if "config_digest" in top else {}),
    )


def load_results(path: str) -> Results:
    """Read a findings file; malformed JSON names the file, line and column."""
    raw = load_json(path)
    return results_from_dict(raw, path)
