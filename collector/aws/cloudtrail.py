"""CloudTrail trails homed in the region, each with its logging status, and the region's ECS change
records (CC8.1 change evidence; cloudtrail_events.py).

`includeShadowTrails=False`: a multi-region trail is listed once, in its home region, so its ARN
is one resource.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from attest.collector.aws import cloudtrail_events
from attest.collector.aws.reading import Reading, need

ACTIONS = ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", cloudtrail_events.OPERATION)
RESOURCE_TYPES = ("aws.cloudtrail.trail", cloudtrail_events.RESOURCE_TYPE)
SOURCE = ACTIONS[:2]
_TRAIL = ("aws.cloudtrail.trail",)
_STATUS_KEYS = ("IsLogging", "LatestDeliveryError")  # not the moving delivery times


def read(r: Reading) -> None:
    trails_client = r.client("cloudtrail")
    trails = r.attempt("cloudtrail:DescribeTrails", _TRAIL, lambda: _trails(trails_client))
    for trail in trails or ():
        status = r.attempt("cloudtrail:GetTrailStatus", _TRAIL, lambda: _status(trails_client, trail["TrailARN"]))
        if status is None:
            continue
        r.add(trail["TrailARN"], "aws.cloudtrail.trail", SOURCE, {**trail, "Status": status})
    cloudtrail_events.read_events(r, datetime.now(timezone.utc), r.clients.settings.change_window_days)


def _trails(client: Any) -> list[dict[str, Any]]:
    trails = need(client.describe_trails(includeShadowTrails=False), "trailList", "DescribeTrails")
    for trail in trails:
        need(trail, "TrailARN", "DescribeTrails")
    return [dict(t) for t in trails]


def _status(client: Any, arn: str) -> dict[str, Any]:
    answer = client.get_trail_status(Name=arn)
    need(answer, "IsLogging", "GetTrailStatus")
    return {k: answer[k] for k in _STATUS_KEYS if k in answer}
