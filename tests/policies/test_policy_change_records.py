"""ATL-CM-008 judged on change records parsed from recorded-shape LookupEvents answers (the
collector's parser over botocore's), on the seeded snapshot fixture: pass, fail and error, and what
is left out (calls AWS refused, an AWS service's own scaling through its service-linked role)."""
from __future__ import annotations

from typing import Any, Callable

import botocore.session
import pytest
from botocore.parsers import create_parser
from policy_fixtures import ACCOUNT, REGION, ROOT, seeded_doc

from attest.collector.aws.cloudtrail_events import parse_event
from attest.collector.aws.reading import plain
from attest.policies.findings import Results, Status

RECORDED = ROOT / "tests" / "collector" / "aws" / "recorded"


def _records(name: str) -> list[dict[str, Any]]:
    model = botocore.session.get_session().get_service_model("cloudtrail")
    body = {"body": (RECORDED / name).read_bytes(), "headers": {}, "status_code": 200}
    parsed = create_parser(model.metadata["protocol"]).parse(body, model.operation_model("LookupEvents").output_shape)
    out = []
    for event in (parse_event(item) for item in parsed["Events"]):
        if event["errorCode"] is None:
            out.append({"id": f"arn:aws:cloudtrail:{REGION}:{ACCOUNT}:event/{event['eventId']}", "type": "aws.cloudtrail.change_event",
                        "provider": "aws", "scope": ACCOUNT, "region": REGION, "source": ["cloudtrail:LookupEvents"],
                        "attributes": plain(event)})
    return out


def _cm008(results: Results) -> dict[str, str]:
    return {(f.resource_id or "").rsplit("/", 1)[-1][:8]: f.status.value for f in results.findings if f.rule_id == "ATL-CM-008"}


def test_pipeline_changes_pass_and_the_hand_registration_fails_naming_the_event(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    doc["resources"] += _records("lookup_events_register_task_definition.json") + _records("lookup_events_update_service.json")
    results = judge(doc)
    assert _cm008(results) == {"a1b2c3d4": "pass", "7e6d5c4b": "pass", "5c3b7a52": "fail"}
    failing = next(f for f in results.findings if f.rule_id == "ATL-CM-008" and f.status is Status.FAIL)
    index = int(failing.evidence.split("/")[2])
    assert doc["resources"][index]["attributes"]["principal"] == "arn:aws:iam::123456789012:user/jdoe"


def test_only_pipeline_changes_pass(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    doc["resources"] += _records("lookup_events_update_service.json")
    assert _cm008(judge(doc)) == {"7e6d5c4b": "pass"}


def test_unreadable_event_history_is_an_error_never_a_pass(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    doc["resources"] += _records("lookup_events_update_service.json")
    doc.setdefault("gaps", []).append({
        "provider": "aws", "operation": "cloudtrail:LookupEvents", "scope": ACCOUNT, "region": REGION,
        "reason": "access_denied", "detail": "AccessDeniedException", "resource_types": ["aws.cloudtrail.change_event"]})
    results = judge(doc)
    statuses = {f.status for f in results.findings if f.rule_id == "ATL-CM-008"}
    assert statuses == {Status.ERROR}
    cc81 = next(c for c in results.controls if c.control_id == "SOC2-CC8.1")
    assert cc81.status in (Status.FAIL, Status.ERROR)  # the seeded CM-004 fault already fails it


SCALING = "lookup_events_update_service_scaling.json"  # ECS service auto scaling (3b8e0c21), then on-call by hand (9d4f2e6a)


def _scaling(judge: Callable[..., Results], **change: Any) -> tuple[dict[str, str], Results]:
    """CM-008 on the scaling records, the service's own record changed by `change` first."""
    doc = seeded_doc()
    records = _records(SCALING)
    by_service = next(r for r in records if r["attributes"]["eventId"].startswith("3b8e0c21"))
    by_service["attributes"].update(change)
    doc["resources"] += records
    results = judge(doc)
    return _cm008(results), results


def test_a_scaling_by_the_service_through_its_service_linked_role_is_not_judged(judge: Callable[..., Results]) -> None:
    """Application Auto Scaling's UpdateService is no human or pipeline change; the same scaling
    (desiredCount only) by an on-call engineer through SSO still fails."""
    verdicts, _ = _scaling(judge)
    assert verdicts == {"9d4f2e6a": "fail"}


@pytest.mark.parametrize("change", [
    {"invokedBy": None},  # the service-linked role, but CloudTrail names no service that made the call
    {"invokedBy": "AWS Internal"},  # nor a service principal
    {"principal": "arn:aws:iam::123456789012:role/ops/aws-service-role/scaler"},  # the path only inside another
    {"principal": "arn:aws:iam::123456789012:role/cfn-deploy", "invokedBy": "cloudformation.amazonaws.com"},  # a stack's service role
])
def test_only_a_service_linked_role_that_aws_invoked_is_left_out(judge: Callable[..., Results], change: dict[str, Any]) -> None:
    verdicts, _ = _scaling(judge, **change)
    assert verdicts == {"9d4f2e6a": "fail", "3b8e0c21": "fail"}


def test_a_record_that_names_no_caller_fails_saying_so(judge: Callable[..., Results]) -> None:
    verdicts, results = _scaling(judge, principal=None, invokedBy=None, identityType="AWSService")
    assert verdicts["3b8e0c21"] == "fail"
    failing = next(f for f in results.findings if f.rule_id == "ATL-CM-008" and (f.resource_id or "").endswith("3b8e0c21-7a4d-4e5f-9c60-2d1e0f9a8b7c"))
    assert "names no caller ARN" in failing.message
