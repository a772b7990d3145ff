"""Engine: determinism, evidence completeness (gaps), and the Results shape."""
from __future__ import annotations

import copy
import json
from typing import Any, Callable

import yaml
from policy_fixtures import ACCOUNT, LOCAL_CONFIG, PROD, REF, resolves, seeded_doc

from attest.collector.snapshot import snapshot_from_dict
from attest.policies.findings import Results, Status


def _gap(types: list[str], scope: str, operation: str, region: str | None = None) -> dict[str, Any]:
    return {"provider": "aws" if scope == ACCOUNT else "atlas", "operation": operation, "scope": scope, "region": region,
            "reason": "access_denied", "detail": "denied", "resource_types": types}


def test_same_snapshot_gives_byte_identical_json(judge: Callable[..., Results]) -> None:
    first = judge(seeded_doc()).to_json()
    second = judge(seeded_doc()).to_json()
    assert first == second and json.loads(first)["findings"]


def test_results_shape(judge: Callable[..., Results]) -> None:
    doc = json.loads(judge(seeded_doc()).to_json())
    assert set(doc) == {"schema_version", "snapshot", "policy_digest", "controls", "findings", "waivers", "gaps", "evaluated_on", "config_digest"}
    assert doc["evaluated_on"] == "2026-11-26"
    finding = doc["findings"][0]
    assert set(finding) == {"rule_id", "title", "status", "severity", "controls", "resource_id", "evidence", "message",
                            "rationale", "remediation", "plane", "waiver", "related", "missing", "cites"}
    keys = [(f["rule_id"], f["plane"], f["resource_id"] or "", f["evidence"]) for f in doc["findings"]]
    assert keys == sorted(keys)


def test_gap_in_a_rule_input_makes_it_error_in_that_scope(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    doc["gaps"] = [_gap(["atlas.access_list_entry"], REF, "atlas:listGroupAccessListEntries")]
    results = judge(doc)
    for rule_id in ("ATL-DB-002", "ATL-DB-003", "ATL-CM-003"):
        findings = [f for f in results.findings if f.rule_id == rule_id]
        reference = [f for f in findings if f.resource_id is None or f.resource_id.startswith(f"atlas:{REF}/")]
        assert reference and {f.status for f in reference} == {Status.ERROR}, rule_id
        assert any(f.resource_id is None and f.evidence == "/gaps/0" for f in reference)
        prod = [f for f in findings if f.resource_id and f.resource_id.startswith(f"atlas:{PROD}/")]
        assert {f.status for f in prod} == {Status.PASS}
    assert results.gaps[0]["pointer"] == "/gaps/0"


def test_gap_in_a_related_type_reaches_every_scope(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    doc["resources"] = [r for r in doc["resources"] if r["type"] != "aws.kms.key"]
    doc["gaps"] = [_gap(["aws.kms.key"], ACCOUNT, "kms:ListKeys", "us-east-1")]
    results = judge(doc)
    statuses = {f.status for f in results.findings if f.rule_id == "ATL-SEC-001"}
    assert Status.PASS not in statuses and Status.ERROR in statuses


def test_gap_never_turns_a_fail_into_a_pass(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    doc["gaps"] = [_gap(["aws.ecs.service", "aws.ecs.task_definition"], ACCOUNT, "ecs:DescribeServices", "us-east-1")]
    results = judge(doc)
    cm4 = {f.status for f in results.findings if f.rule_id == "ATL-CM-004"}
    assert cm4 == {Status.FAIL, Status.ERROR}
    assert results.exit_code() == 1


def test_malformed_attribute_never_passes(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    endpoint = next(r for r in doc["resources"] if r["type"] == "aws.ec2.vpc_endpoint")
    broken = copy.deepcopy(endpoint)
    doc["resources"].remove(endpoint)
    broken["attributes"]["SubnetIds"] = "subnet-a"
    doc["resources"].append(broken)
    statuses = {f.status for f in judge(doc).findings if f.rule_id == "ATL-PL-004"}
    assert Status.PASS not in statuses


def test_no_canary_in_results(judge: Callable[..., Results]) -> None:
    assert "CANARY-" not in judge(seeded_doc()).to_json()


def test_every_evidence_pointer_resolves_in_the_snapshot(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    doc["resources"] = [r for r in doc["resources"] if r["type"] != "aws.ec2.subnet"]
    doc["gaps"] = [_gap(["aws.ec2.subnet"], ACCOUNT, "ec2:DescribeSubnets", "us-east-1")]
    for r in doc["resources"]:
        if r["type"] == "atlas.cluster":
            r["attributes"]["processArgs"]["minimumEnabledTlsProtocol"] = "TLS1_1"
    results = judge(doc)
    serialised = snapshot_from_dict(doc, "fixture").to_dict()
    pointers = {f.evidence for f in results.findings}
    assert "/resources" in pointers or any(p.startswith("/gaps/") for p in pointers)
    assert any(p.endswith("/attributes/processArgs/minimumEnabledTlsProtocol") for p in pointers)
    config_doc = yaml.safe_load(LOCAL_CONFIG.read_text())
    for pointer in pointers | {c for f in results.findings for c in f.cites}:
        assert resolves(serialised, config_doc, pointer), pointer



def test_control_status_fails_closed_on_what_nobody_vouches_for() -> None:
    from attest.policies.findings import Attestation, Status, control_status

    current = Attestation("s", "a", "2026-10-01", "2027-04-01")
    lapsed = Attestation("s", "a", "2025-10-01", "2026-04-01")
    garbled = Attestation("s", "a", "2025-10-01", "next spring")
    today = "2026-11-26"
    assert control_status([Status.PASS], has_rules=True, attestations=[current], today=today) is Status.PASS
    assert control_status([], has_rules=False, attestations=[current], today=today) is Status.MANUAL
    assert control_status([], has_rules=True, attestations=[], today=today) is Status.ERROR
    assert control_status([Status.PASS], has_rules=True, attestations=[lapsed], today=today) is Status.ERROR
    assert control_status([], has_rules=False, attestations=[garbled], today=today) is Status.ERROR
    assert control_status([Status.FAIL], has_rules=True, attestations=[lapsed], today=today) is Status.FAIL


def test_a_lapsed_attestation_makes_its_control_error(judge) -> None:
    import datetime as dt

    from policy_fixtures import seeded_doc

    from attest.policies.findings import Status

    doc = seeded_doc()
    doc["resources"] = [r for r in doc["resources"] if "legacy/" not in r["id"]]  # no failing secret
    results = judge(doc, today=dt.date(2027, 1, 20))
    lapsed = [c for c in results.controls if any(a.valid_until < "2027-01-20" for a in c.attestations)]
    assert lapsed
    for control in lapsed:
        failing = any(f.status is Status.FAIL for f in results.findings if f.rule_id in control.rule_ids)
        assert control.status is (Status.FAIL if failing else Status.ERROR), control.control_id
    assert any(c.status is Status.ERROR for c in lapsed)
