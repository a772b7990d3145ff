"""Issue 19 point 6: a control's narrative is written from its findings and never contradicts them."""
from __future__ import annotations

import re
import sys
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
import northwind  # noqa: E402

from attest.collector.config import load_config
from attest.collector.snapshot import snapshot_from_dict
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status, rollup
from attest.policies.rule_loader import load_policy_set

HEADINGS = {Status.FAIL: "Does not hold", Status.ERROR: "Could not be evaluated", Status.WAIVED: "Waived",
            Status.PASS: "Holds", Status.MANUAL: "No finding"}


def _sections(narrative: str) -> dict[str, str]:
    """Heading -> the text under it, up to the next heading."""
    names = "|".join(re.escape(h) for h in HEADINGS.values())
    parts = re.split(rf"(?:^| )({names})[^:]*: ", narrative)
    return {parts[i]: parts[i + 1] for i in range(1, len(parts) - 1, 2)}


def assert_agrees(results: Results) -> None:
    for control in results.controls:
        sections = _sections(control.narrative)
        for rule_id in control.rule_ids:
            status = rollup(f.status for f in results.findings if f.rule_id == rule_id)
            where = [h for h, text in sections.items() if f"({rule_id})" in text]
            assert where == [HEADINGS[status]], (control.control_id, rule_id, status, control.narrative)


def _northwind(tmp_path: Path, doc: dict | None = None) -> Results:
    config = load_config(northwind.write_config(tmp_path))
    return evaluate(snapshot_from_dict(doc or northwind.snapshot_doc(), "northwind"), config, load_policy_set(), ())


def test_narratives_agree_with_the_findings(tmp_path: Path) -> None:
    results = _northwind(tmp_path)
    assert_agrees(results)
    cc66 = next(c for c in results.controls if c.control_id == "SOC2-CC6.6")
    assert "Does not hold: Every IP access-list entry carries a comment (ATL-DB-003)" in cc66.narrative
    assert "192.0.2.16/29" in cc66.narrative and cc66.design  # the intended design is kept beside it


def test_a_failing_customer_managed_key_is_never_claimed(tmp_path: Path) -> None:
    doc = northwind.snapshot_doc()
    key = next(r for r in doc["resources"] if r["type"] == "aws.kms.key")
    key["attributes"]["KeyManager"] = "AWS"
    results = _northwind(tmp_path, doc)
    assert_agrees(results)
    hipaa = next(c for c in results.controls if c.control_id == "HIPAA-164.312(e)(1)")
    assert hipaa.status is Status.FAIL
    held = _sections(hipaa.narrative).get("Holds", "")
    assert "(ATL-SEC-001)" not in held
    assert "(ATL-SEC-001)" in _sections(hipaa.narrative)["Does not hold"]


def test_a_lapsed_attestation_is_named_as_lapsed(tmp_path: Path) -> None:
    policy = load_policy_set()
    stale = replace(policy, controls=tuple(
        replace(c, attestations=tuple(replace(a, valid_until="2026-01-01", attested_on="2025-06-01") for a in c.attestations))
        for c in policy.controls))
    config = load_config(northwind.write_config(tmp_path))
    results = evaluate(snapshot_from_dict(northwind.snapshot_doc(), "northwind"), config, stale, ())
    attested = [c for c in results.controls if c.attestations]
    assert attested and all("LAPSED" in c.narrative for c in attested)


def test_a_control_resting_on_an_unread_source_says_so_in_its_narrative(tmp_path: Path) -> None:
    """A gap a control rests on is named in its narrative, beside the verdicts that still hold."""
    doc = northwind.snapshot_doc()
    doc["gaps"] = [{"provider": "atlas", "operation": "atlas:getAuditLog", "scope": northwind.RECORDS, "region": None,
                    "reason": "access_denied", "detail": "403", "resource_types": ["atlas.audit_log"]}]
    doc["resources"] = [r for r in doc["resources"] if r["type"] != "atlas.audit_log"]  # refused: not read
    results = _northwind(tmp_path, doc)
    assert_agrees(results)
    # audit controls rest on the audit log alone (CC8.1 rests on it too, but fails on the data account's
    # missing trail, and a fail outranks the gap's error)
    audit = next(c for c in results.controls if c.control_id == "HIPAA-164.312(b)")
    assert audit.status is Status.ERROR and audit.scope_limitations == ("/gaps/0",)
    assert f"Scope limited: could not read atlas:getAuditLog in {northwind.RECORDS} (access denied)" in audit.narrative
    cc81 = next(c for c in results.controls if c.control_id == "SOC2-CC8.1")
    assert cc81.status is Status.FAIL and cc81.scope_limitations == ("/gaps/0",)
    assert "Scope limited: could not read atlas:getAuditLog" in cc81.narrative
    untouched = [c for c in results.controls if not c.scope_limitations]
    assert untouched and all("Scope limited" not in c.narrative for c in untouched)
