"""CloudTrail change records for ECS (CC8.1): who registered task definitions and updated services.

Read with `LookupEvents`, one event name per call (the API takes one lookup attribute), over the
window that ends at the collection: `ATTEST_CHANGE_WINDOW_DAYS` (default and most 90, all the event
history CloudTrail keeps). Each event becomes one resource holding only what decides the rule (who,
what, when); the raw `CloudTrailEvent` is never stored, since a RegisterTaskDefinition request
carries the container environment, values included. A call that failed at AWS (`errorCode`)
changed nothing and is left out.
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta
from typing import Any

from attest.collector.aws.reading import MalformedAnswer, Reading, need, plain

EVENT_NAMES = ("RegisterTaskDefinition", "UpdateService")
RESOURCE_TYPE = "aws.cloudtrail.change_event"
OPERATION = "cloudtrail:LookupEvents"
MAX_WINDOW_DAYS = 90


def read_events(r: Reading, now: datetime, window_days: int) -> None:
    """Every successful ECS change event of the window, as `aws.cloudtrail.change_event` resources.

    The first refused call stands for both event names: the second would be refused the same way.
    """
    client = r.client("cloudtrail")
    start = now - timedelta(days=min(window_days, MAX_WINDOW_DAYS))
    for name in EVENT_NAMES:
        events = r.attempt(OPERATION, (RESOURCE_TYPE,), lambda: _lookup(r, client, name, start, now))
        if events is None:
            return
        for event in events:
            if event["errorCode"] is None:
                r.add(f"arn:aws:cloudtrail:{r.region}:{r.account}:event/{event['eventId']}", RESOURCE_TYPE, (OPERATION,), event)


def _lookup(r: Reading, client: Any, name: str, start: datetime, end: datetime) -> list[dict[str, Any]]:
    raw = r.paginate(
        client, "lookup_events", "Events", "LookupEvents",
        LookupAttributes=[{"AttributeKey": "EventName", "AttributeValue": name}], StartTime=start, EndTime=end,
    )
    return [parse_event(item) for item in raw]


def parse_event(item: Any) -> dict[str, Any]:
    """One `Events[]` item of a LookupEvents answer, reduced to the change record attest keeps.

    `principal` is the role behind an assumed-role session (its session issuer), else the caller's
    own ARN: the deploy principals of the estate config are role or user ARNs. `invokedBy` is the
    AWS service that made the call, when one did (Application Auto Scaling through its
    service-linked role, say): ATL-CM-008 leaves such a service's own changes out.
    """
    if not isinstance(item, dict):
        raise MalformedAnswer("LookupEvents event is not an object")
    detail = _detail(need(item, "CloudTrailEvent", "LookupEvents"))
    identity = _object(detail, "userIdentity")
    issuer = _object(_object(identity, "sessionContext"), "sessionIssuer")
    request = _object(detail, "requestParameters")
    registered = _object(_object(detail, "responseElements"), "taskDefinition").get("taskDefinitionArn")
    return {
        "eventId": str(need(item, "EventId", "LookupEvents")),
        "eventName": str(need(item, "EventName", "LookupEvents")),
        "eventTime": plain(need(item, "EventTime", "LookupEvents")),
        "eventSource": item.get("EventSource"),
        "identityType": identity.get("type"),
        "principal": issuer.get("arn") or identity.get("arn"),
        "invokedBy": identity.get("invokedBy"),
        "cluster": request.get("cluster"),
        "target": request.get("family") or request.get("service"),
        "taskDefinition": registered or request.get("taskDefinition"),
        "errorCode": detail.get("errorCode"),
    }


def _object(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """`doc[key]` when it is an object, else an empty one (CloudTrail leaves out what a call lacks)."""
    value = doc.get(key)
    return value if isinstance(value, dict) else {}


def _detail(text: Any) -> dict[str, Any]:
    try:
        detail = json.loads(text)
    except (TypeError, ValueError) as exc:
        raise MalformedAnswer("LookupEvents CloudTrailEvent is not JSON") from exc
    if not isinstance(detail, dict):
        raise MalformedAnswer("LookupEvents CloudTrailEvent is not an object")
    return detail
