"""CloudTrail change records (ATL-CM-008): LookupEvents answers shaped as AWS documents them, parsed
by botocore from the wire and then by the collector; and the local estate's answer, a gap.

moto implements no LookupEvents, so the recorded-shape answers under recorded/ stand for AWS: each
is the JSON body of one page (EventTime as epoch seconds, CloudTrailEvent a JSON string), with a
pipeline deploy, a hand registration whose request carries a credential in the container
environment, and a call AWS refused; and two scalings of a service, one by ECS service auto scaling
through its service-linked role (shaped as AWS's userIdentity documentation and public Application
Auto Scaling records show them: an AssumedRole session of the role, `invokedBy` the service), one
by an on-call engineer through an SSO role.
"""
from __future__ import annotations

import io
import json
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import botocore.session
import pytest
from botocore.parsers import create_parser
from botocore.stub import ANY, Stubber

from attest.collector.aws import cloudtrail_events
from attest.collector.aws.reading import MalformedAnswer, Reading
from attest.collector.aws.session import AwsSettings, ClientFactory, Credentials
from attest.collector.config import load_config
from attest.collector.run import collect
from attest.sandbox.local import local_estate

RECORDED = Path(__file__).parent / "recorded"
CONFIG = Path(__file__).resolve().parents[3] / "sandbox" / "attest.local.yaml"
NOW = datetime(2026, 12, 1, 0, 0, tzinfo=timezone.utc)
PIPELINE = "arn:aws:iam::123456789012:role/github-actions-deploy"


def recorded_answer(name: str) -> dict[str, Any]:
    """A recorded page as boto3 returns it: the wire body through botocore's own JSON parser."""
    model = botocore.session.get_session().get_service_model("cloudtrail")
    parser = create_parser(model.metadata["protocol"])
    body = (RECORDED / name).read_bytes()
    parsed = parser.parse({"body": body, "headers": {}, "status_code": 200}, model.operation_model("LookupEvents").output_shape)
    return dict(parsed)


def _reading() -> tuple[Reading, Stubber]:
    factory = ClientFactory(Credentials("AKIDEXAMPLE", "not-a-secret"), {"AWS_ENDPOINT_URL": "http://127.0.0.1:9"}, AwsSettings())
    stubber = Stubber(factory.client("cloudtrail", "us-east-1"))
    return Reading("123456789012", "us-east-1", factory, "salt"), stubber


def _expect(stubber: Stubber, name: str, answer: dict[str, Any]) -> None:
    params = {"LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}], "StartTime": ANY, "EndTime": ANY}
    stubber.add_response("lookup_events", answer, params)


def test_recorded_events_become_change_records_naming_who_made_each_change() -> None:
    r, stubber = _reading()
    _expect(stubber, "RegisterTaskDefinition", recorded_answer("lookup_events_register_task_definition.json"))
    _expect(stubber, "UpdateService", recorded_answer("lookup_events_update_service.json"))
    with stubber:
        cloudtrail_events.read_events(r, NOW, 30)
    stubber.assert_no_pending_responses()
    assert not r.gaps
    records = {res.attributes["eventId"][:8]: res.attributes for res in r.resources}
    assert sorted(records) == ["5c3b7a52", "7e6d5c4b", "a1b2c3d4"]  # the refused call changed nothing
    assert records["a1b2c3d4"]["principal"] == PIPELINE  # the role behind the pipeline's session
    assert records["5c3b7a52"]["principal"] == "arn:aws:iam::123456789012:user/jdoe"
    assert records["5c3b7a52"]["taskDefinition"].endswith("task-definition/shopping-app:2")
    assert records["7e6d5c4b"]["target"] == "shopping-app" and records["7e6d5c4b"]["cluster"] == "prod"
    assert records["5c3b7a52"]["eventTime"] == "2026-11-28T16:42:07Z"
    assert all(res.id.startswith("arn:aws:cloudtrail:us-east-1:123456789012:event/") for res in r.resources)
    assert all(res.type == "aws.cloudtrail.change_event" and res.source == ("cloudtrail:LookupEvents",) for res in r.resources)


def test_a_scaling_keeps_the_role_behind_the_session_and_the_service_that_made_the_call() -> None:
    events = recorded_answer("lookup_events_update_service_scaling.json")["Events"]
    records = {r["eventId"][:8]: r for r in (cloudtrail_events.parse_event(e) for e in events)}
    by_service, by_hand = records["3b8e0c21"], records["9d4f2e6a"]
    assert by_service["principal"] == ("arn:aws:iam::123456789012:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
                                       "AWSServiceRoleForApplicationAutoScaling_ECSService")
    assert by_service["invokedBy"] == "ecs.application-autoscaling.amazonaws.com"
    assert by_hand["principal"].endswith(":role/aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_5c2e1a9b3d7f4e60")
    assert by_hand["invokedBy"] is None
    assert all(r["target"] == "shopping-app" and r["cluster"] == "prod" for r in records.values())


def test_the_request_environment_of_a_registration_is_never_kept() -> None:
    r, stubber = _reading()
    _expect(stubber, "RegisterTaskDefinition", recorded_answer("lookup_events_register_task_definition.json"))
    _expect(stubber, "UpdateService", {"Events": []})
    with stubber:
        cloudtrail_events.read_events(r, NOW, 30)
    kept = json.dumps([res.attributes for res in r.resources])
    assert "CANARY-" not in kept and "containerDefinitions" not in kept


def test_the_window_ends_at_the_collection_and_never_reaches_past_90_days() -> None:
    r, stubber = _reading()
    for name in cloudtrail_events.EVENT_NAMES:
        stubber.add_response("lookup_events", {"Events": []}, {
            "LookupAttributes": [{"AttributeKey": "EventName", "AttributeValue": name}],
            "StartTime": datetime(2026, 9, 2, tzinfo=timezone.utc), "EndTime": NOW,
        })
    with stubber:
        cloudtrail_events.read_events(r, NOW, 365)
    stubber.assert_no_pending_responses()


@pytest.mark.parametrize("broken", [
    {"EventId": "e1", "EventName": "UpdateService", "EventTime": NOW, "CloudTrailEvent": "{not json"},
    {"EventId": "e1", "EventName": "UpdateService", "EventTime": NOW},
    {"EventId": "e1", "EventName": "UpdateService", "EventTime": NOW, "CloudTrailEvent": "[1, 2]"},
])
def test_an_event_without_its_documented_record_is_malformed(broken: dict[str, Any]) -> None:
    with pytest.raises(MalformedAnswer):
        cloudtrail_events.parse_event(broken)


def test_a_malformed_page_is_a_gap_not_a_partial_record() -> None:
    r, stubber = _reading()
    _expect(stubber, "RegisterTaskDefinition", {"Events": [{"EventId": "e1", "EventName": "RegisterTaskDefinition",
                                                            "EventTime": NOW, "CloudTrailEvent": "{not json"}]})
    with stubber:
        cloudtrail_events.read_events(r, NOW, 30)
    assert not r.resources
    assert [(g.operation, g.reason, g.resource_types) for g in r.gaps] == [
        ("cloudtrail:LookupEvents", "malformed", ("aws.cloudtrail.change_event",))]


@pytest.mark.integration
def test_the_local_estate_has_no_event_history_and_says_so_as_a_gap() -> None:
    """moto implements no LookupEvents: the collection records a gap for the change records, one
    per account and region, and keeps everything else it read."""
    with local_estate("default") as running:
        snapshot = collect(load_config(CONFIG), dict(running.env), now=lambda: NOW, stream=io.StringIO())
        calls = running.aws_faults.calls["cloudtrail:LookupEvents"]
    (gap,) = [g for g in snapshot.gaps if g.operation == "cloudtrail:LookupEvents"]
    assert gap.resource_types == ("aws.cloudtrail.change_event",)
    assert gap.reason == "server_error" and gap.detail.startswith("UnsupportedOperationException")
    assert calls == 1  # the refusal stands for both event names
    assert not [r for r in snapshot.resources if r.type == "aws.cloudtrail.change_event"]
    assert [r for r in snapshot.resources if r.type == "aws.cloudtrail.trail"]
