"""One night's facts, read from one verified bundle: control statuses, exceptions, waivers, changes.

Only what the period view states is kept (a year of nights stays small in memory), each fact with
the JSON pointer of the bytes that say it, so every statement can cite bundle + file + sha256 + pointer.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from typing import Any, Callable

from attest.core.errors import BadInputError
from attest.policies.findings import WaiverRef

FINDINGS_FILE = "findings.json"
SNAPSHOT_FILE = "snapshot.json"
TASK_DEFINITION = "aws.ecs.task_definition"
EXCEPTION_STATUSES = ("fail", "error", "waived")
SOURCE_NOT_READ = "(source not read)"
STATIC_PLANES = ("code", "terraform")
_LINE_NUMBER = re.compile(r"(?<=\S):\d+\b")  # `file:12`, as the guard strips them from its identities


@dataclass(frozen=True)
class Cite:
    bundle_id: str
    file: str
    sha256: str
    pointer: str

    @property
    def ref(self) -> str:
        return f"{self.bundle_id}/{self.file}#{self.pointer}"


@dataclass(frozen=True)
class ControlFact:
    control_id: str
    title: str
    framework: str
    status: str
    cite: Cite


@dataclass(frozen=True)
class ExceptionFact:
    rule_id: str
    subject: str
    status: str
    controls: tuple[str, ...]
    message: str
    waiver_id: str | None
    cite: Cite


@dataclass(frozen=True)
class WaiverFact:
    """A waiver as one night's findings file recorded it, and where."""

    waiver: WaiverRef
    cite: Cite


@dataclass(frozen=True)
class ChangeFact:
    arn: str
    family: str
    revision: str
    registered_by: str | None
    registered_at: str | None
    git_sha: str | None
    cite: Cite


@dataclass(frozen=True)
class Night:
    night: date
    bundle_id: str
    manifest_sha256: str
    files: tuple[tuple[str, str], ...]
    controls: tuple[ControlFact, ...]
    exceptions: tuple[ExceptionFact, ...]
    waivers: tuple[WaiverFact, ...]
    changes: tuple[ChangeFact, ...]
    also: tuple[str, ...] = ()


def _load(data: bytes, where: str) -> Any:
    try:
        return json.loads(data)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadInputError(f"not valid JSON: {exc.__class__.__name__}", where=where) from None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def _tag(tags: Any, key: str) -> str | None:
    for tag in tags if isinstance(tags, list) else []:
        if isinstance(tag, dict) and tag.get("key") == key:
            return _text(tag.get("value"))
    return None


def _gap_subjects(findings: dict[str, Any]) -> dict[str, tuple[int, dict[str, Any], str]]:
    """The gap records the policy engine wrote (`gap_records`), by pointer: index, record, and what was not read
    (`operation in scope/region`), which names the same source on every night however the gaps are numbered."""
    out = {}
    for i, g in enumerate(findings.get("gaps") or []):
        if isinstance(g, dict):
            where = _text(g.get("scope")) + (f"/{g['region']}" if g.get("region") else "")
            out[_text(g.get("pointer") or f"/gaps/{i}")] = (i, g, f"{_text(g.get('operation'))} in {where}")
    return out


def _gap_subject(gaps: dict[str, tuple[int, dict[str, Any], str]], evidence: Any) -> str:
    """A finding that cites a gap (`/gaps/N`) is about the source not read; other evidence stands as it is."""
    known = gaps.get(_text(evidence))
    return known[2] if known else _text(evidence)


def _subject(finding: dict[str, Any], gaps: dict[str, tuple[int, dict[str, Any], str]]) -> str:
    """What an exception is about, the same on every night: its resource; for a code or Terraform
    finding that names none, its file and message without line numbers (an edit above it shifts
    them, and would otherwise end one episode and start another); else the source not read, or the
    evidence as it stands."""
    if finding.get("resource_id"):
        return _text(finding["resource_id"])
    evidence = _text(finding.get("evidence"))
    if finding.get("plane") in STATIC_PLANES and evidence:
        return f"{_LINE_NUMBER.sub('', evidence)}: {_LINE_NUMBER.sub('', _text(finding.get('message')))}"
    return _gap_subject(gaps, evidence) or "(no resource)"


def _gap_exceptions(gaps: dict[str, tuple[int, dict[str, Any], str]], cite: Callable[[str], Cite]) -> list[ExceptionFact]:
    """Each source not read is an exception of the controls resting on it, as the nightly reports list it."""
    return [
        ExceptionFact(
            rule_id=SOURCE_NOT_READ, subject=subject, status="error",
            controls=tuple(_text(c) for c in g.get("controls") or ()),
            message=f"{_text(g.get('label') or g.get('reason'))}: {_text(g.get('detail'))}",
            waiver_id=None, cite=cite(f"/gaps/{i}"),
        )
        for i, g, subject in gaps.values()
    ]


def read_night(
    night: date, bundle_id: str, manifest_sha256: str, sha256: Callable[[str], str], read: Callable[[str], bytes]
) -> Night:
    """The facts of one bundle; `read(path)` returns a file's verified bytes, `sha256(path)` its digest."""
    where = f"{bundle_id}/{FINDINGS_FILE}"
    findings = _load(read(FINDINGS_FILE), where)
    if not isinstance(findings, dict):
        raise BadInputError("not a findings document", where=where)
    f_sha = sha256(FINDINGS_FILE)

    def cite(file: str, digest: str, pointer: str) -> Cite:
        return Cite(bundle_id, file, digest, pointer)

    controls = tuple(
        ControlFact(_text(c.get("control_id")), _text(c.get("title")), _text(c.get("framework")), _text(c.get("status")),
                    cite(FINDINGS_FILE, f_sha, f"/controls/{i}/status"))
        for i, c in enumerate(findings.get("controls") or []) if isinstance(c, dict)
    )
    gaps = _gap_subjects(findings)
    exceptions = tuple(
        ExceptionFact(
            rule_id=_text(f.get("rule_id")),
            subject=_subject(f, gaps),
            status=_text(f.get("status")),
            controls=tuple(_text(c) for c in f.get("controls") or ()),
            message=_text(f.get("message")),
            waiver_id=_text(f["waiver"].get("id")) if isinstance(f.get("waiver"), dict) else None,
            cite=cite(FINDINGS_FILE, f_sha, f"/findings/{i}"),
        )
        for i, f in enumerate(findings.get("findings") or [])
        if isinstance(f, dict) and f.get("status") in EXCEPTION_STATUSES
    ) + tuple(_gap_exceptions(gaps, lambda pointer: cite(FINDINGS_FILE, f_sha, pointer)))
    waivers = tuple(
        WaiverFact(WaiverRef(*(_text(w.get(k)) for k in ("id", "reason", "owner", "issue", "approved_by", "expires"))),
                   cite(FINDINGS_FILE, f_sha, f"/waivers/{i}"))
        for i, w in enumerate(findings.get("waivers") or []) if isinstance(w, dict)
    )
    snapshot = _load(read(SNAPSHOT_FILE), f"{bundle_id}/{SNAPSHOT_FILE}")
    s_sha = sha256(SNAPSHOT_FILE)
    changes = []
    for i, r in enumerate(snapshot.get("resources") or [] if isinstance(snapshot, dict) else []):
        if not isinstance(r, dict) or r.get("type") != TASK_DEFINITION:
            continue
        raw_attrs = r.get("attributes")
        attrs: dict[str, Any] = raw_attrs if isinstance(raw_attrs, dict) else {}
        changes.append(ChangeFact(
            arn=_text(r.get("id")), family=_text(attrs.get("family")), revision=_text(attrs.get("revision")),
            registered_by=_text(attrs["registeredBy"]) if attrs.get("registeredBy") else None,
            registered_at=_text(attrs["registeredAt"]) if attrs.get("registeredAt") else None,
            git_sha=_tag(attrs.get("tags"), "git_sha"),
            cite=cite(SNAPSHOT_FILE, s_sha, f"/resources/{i}"),
        ))
    files = ((FINDINGS_FILE, f_sha), (SNAPSHOT_FILE, s_sha))
    return Night(night, bundle_id, manifest_sha256, files, controls, exceptions, waivers, tuple(changes))
