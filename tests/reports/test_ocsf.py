"""OCSF 1.3.0 Detection Findings: the vendored subset schema, the status mapping, stable uids, time."""
from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone

import pytest

from attest.collector.snapshot import Snapshot
from attest.policies.findings import Results, Status
from attest.reports.bundle import BundleRef
from attest.reports.model import build_model
from attest.reports.ocsf import epoch_ms, render_ocsf

from exports import ocsf_events, ocsf_problems, ocsf_validator


def _render(results: Results, snapshot: Snapshot, bundle: BundleRef | None) -> str:
    return render_ocsf(build_model(results, snapshot, bundle))


def test_every_finding_is_a_valid_detection_finding(results: Results, snapshot: Snapshot, bundle: BundleRef) -> None:
    text = _render(results, snapshot, bundle)
    assert ocsf_problems(text) == []
    events = ocsf_events(text)
    assert len(events) == len(results.findings) + len(results.gaps)  # passes included, and each gap
    assert results.gaps and [e["unmapped"]["attest"].get("gap") for e in events[-len(results.gaps):]] == [
        f"/gaps/{i}" for i in range(len(results.gaps))]
    assert {e["class_uid"] for e in events} == {2004} and {e["type_uid"] for e in events} == {200401}


@pytest.mark.parametrize("broken", [
    lambda e: e["finding_info"].pop("title"),
    lambda e: e.update(class_uid=2003),
    lambda e: e.update(severity_id=7),
    lambda e: e["metadata"]["product"].pop("vendor_name"),
    lambda e: e.update(time="2026-11-20T03:00:00Z"),
    lambda e: e.update(compliance={}),
    lambda e: e["unmapped"]["compliance"][0].update(status_id=4),
], ids=["no-title", "other-class", "bad-severity", "no-vendor", "time-as-text", "undefined-attribute", "bad-compliance-id"])
def test_the_schema_rejects_what_ocsf_rejects(results: Results, snapshot: Snapshot, broken: object) -> None:
    event = ocsf_events(_render(results, snapshot, None))[0]
    broken(event)  # type: ignore[operator]
    assert list(ocsf_validator().iter_errors(event))


EXPECTED = {
    Status.PASS: (99, "Pass", 1, "Pass"),
    Status.FAIL: (1, "New", 3, "Fail"),
    Status.ERROR: (1, "New", 2, "Warning"),
    Status.WAIVED: (3, "Suppressed", 3, "Fail"),
    Status.MANUAL: (99, "Manual", 99, "Manual"),
}


@pytest.mark.parametrize("status", list(Status))
def test_status_mapping(results: Results, snapshot: Snapshot, status: Status) -> None:
    """An error is an open finding whose compliance status is Warning (no result): never Pass."""
    finding = next(f for f in results.findings if f.controls)
    changed = dataclasses.replace(finding, status=status, waiver=finding.waiver if status is Status.WAIVED else None)
    one = dataclasses.replace(results, findings=(changed,), gaps=())
    [event] = ocsf_events(_render(one, snapshot, None))
    status_id, caption, compliance_id, compliance = EXPECTED[status]
    assert (event["status_id"], event["status"], event["status_code"]) == (status_id, caption, status.value)
    assert {(c["status_id"], c["status"]) for c in event["unmapped"]["compliance"]} == {(compliance_id, compliance)}
    assert ocsf_problems(json.dumps(event) + "\n") == []


def test_a_source_not_read_is_an_open_finding_on_its_controls(results: Results, snapshot: Snapshot) -> None:
    gap = {**results.gaps[0], "controls": ["CC8.1"]}
    limited = dataclasses.replace(results, findings=(), gaps=(gap,))
    [event] = ocsf_events(_render(limited, snapshot, None))
    assert (event["status_id"], event["status_code"], event["severity_id"]) == (1, "error", 0)
    assert event["unmapped"]["compliance"] == [
        {"control": "CC8.1", "standards": ["SOC 2"], "status": "Warning", "status_code": "error", "status_id": 2}]
    assert ocsf_problems(json.dumps(event) + "\n") == []


def test_the_fixture_error_finding_is_not_a_pass(results: Results, snapshot: Snapshot) -> None:
    errors = [e for e in ocsf_events(_render(results, snapshot, None)) if e["status_code"] == "error"]
    assert errors and all(e["status_id"] == 1 for e in errors)
    assert all(c["status_id"] == 2 for e in errors for c in e["unmapped"]["compliance"])


def test_time_is_the_collection_time(results: Results, snapshot: Snapshot) -> None:
    events = ocsf_events(_render(results, snapshot, None))
    expected = int(datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc).timestamp()) * 1000
    assert {e["time"] for e in events} == {expected}
    assert epoch_ms("2026-11-20T03:00:00.123456+00:00") == expected + 123


def test_finding_uid_is_stable_and_names_rule_and_resource(results: Results, snapshot: Snapshot) -> None:
    first = ocsf_events(_render(results, snapshot, None))
    reworded = dataclasses.replace(results, findings=tuple(dataclasses.replace(f, message="other words") for f in results.findings))
    second = ocsf_events(_render(reworded, snapshot, None))
    assert [e["finding_info"]["uid"] for e in first] == [e["finding_info"]["uid"] for e in second]
    uids = [e["finding_info"]["uid"] for e in first]
    assert len(set(uids)) == len(uids)


def test_evidence_and_controls_are_carried(results: Results, snapshot: Snapshot, bundle: BundleRef) -> None:
    events = ocsf_events(_render(results, snapshot, bundle))
    cited = [e for e in events if "evidences" in e]
    evidence = [ev["data"] for e in cited for ev in e["evidences"]]
    assert evidence and all(d["href"] and d["role"] in ("evidence", "cites") for d in evidence)
    assert {d.get("bundle_id") for d in evidence} >= {bundle.id}
    frameworks = {c.control_id: c.framework for c in results.controls}
    for event in events:
        assert {(c["control"], c["standards"][0]) for c in event["unmapped"]["compliance"]} <= set(frameworks.items())


def test_findings_on_collected_resources_carry_the_cloud_profile(results: Results, snapshot: Snapshot) -> None:
    """Provider, AWS account or Atlas project, and region (what Security Lake partitions by); a finding
    on no collected resource claims no profile."""
    live = {r.id: r for r in snapshot.resources}
    events = ocsf_events(_render(results, snapshot, None))
    seen = set()
    for event in events:
        resource = live.get(event.get("resources", [{}])[0].get("uid", ""))
        if resource is None or event["unmapped"]["attest"].get("plane", "live") != "live":
            assert "cloud" not in event and "profiles" not in event["metadata"]
            continue
        seen.add(resource.provider)
        assert event["metadata"]["profiles"] == ["cloud"]
        cloud = event["cloud"]
        if resource.provider == "aws":
            assert cloud["provider"] == "AWS" and cloud["account"] == {"uid": resource.scope}
        else:
            assert cloud["provider"] == "MongoDB Atlas" and cloud["project_uid"] == resource.scope
        assert cloud.get("region") == (resource.region or None)
    assert seen == {"aws", "atlas"}


@pytest.mark.parametrize("broken", [
    lambda e: e.pop("cloud"),
    lambda e: e["cloud"].pop("provider"),
    lambda e: e["cloud"].update(account={}),
    lambda e: e["cloud"].update(vpc="vpc-1"),
], ids=["profile-without-cloud", "no-provider", "account-without-uid-or-name", "undefined-attribute"])
def test_the_schema_holds_the_cloud_profile(results: Results, snapshot: Snapshot, broken: object) -> None:
    event = next(e for e in ocsf_events(_render(results, snapshot, None)) if "cloud" in e)
    assert not list(ocsf_validator().iter_errors(event))
    broken(event)  # type: ignore[operator]
    assert list(ocsf_validator().iter_errors(event))
