"""CloudTrail trails that record the account, each once, with its logging status, and the region's
ECS change records (CC8.1 change evidence; cloudtrail_events.py).

`includeShadowTrails=True`: without it, an organisation trail (created in the management account)
is invisible in a member account, whose only trail it often is. With it, every region also lists
the replicas of multi-region trails homed elsewhere, so a trail is kept only in its home region:
the account's own trails by their ARN, an organisation trail of another account as
`<TrailARN>#<reading account>`, since its ARN is the same in every member account and a snapshot
holds each id once. Its status is asked by full ARN, as a member account must. A trail homed in a
region the account's config does not read is kept in the first region it does read (a trail seen
outside its home region is multi-region), so such a trail is judged, not taken for no trail.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from attest.collector.aws import cloudtrail_events
from attest.collector.aws.reading import MalformedAnswer, Reading, need

ACTIONS = ("cloudtrail:DescribeTrails", "cloudtrail:GetTrailStatus", cloudtrail_events.OPERATION)
RESOURCE_TYPES = ("aws.cloudtrail.trail", cloudtrail_events.RESOURCE_TYPE)
SOURCE = ACTIONS[:2]
_TRAIL = ("aws.cloudtrail.trail",)
_STATUS_KEYS = ("IsLogging", "LatestDeliveryError")  # not the moving delivery times


def read(r: Reading) -> None:
    trails_client = r.client("cloudtrail")
    trails = r.attempt("cloudtrail:DescribeTrails", _TRAIL, lambda: _trails(trails_client, r))
    for trail_id, trail in trails or ():
        status = r.attempt("cloudtrail:GetTrailStatus", _TRAIL, lambda: _status(trails_client, trail["TrailARN"]))
        if status is None:
            continue
        r.add(trail_id, "aws.cloudtrail.trail", SOURCE, {**trail, "Status": status})
    cloudtrail_events.read_events(r, datetime.now(timezone.utc), r.clients.settings.change_window_days)


def _trails(client: Any, r: Reading) -> list[tuple[str, dict[str, Any]]]:
    """(resource id, item) of each trail that records the account and is kept in this region."""
    trails = need(client.describe_trails(includeShadowTrails=True), "trailList", "DescribeTrails")
    kept: list[tuple[str, dict[str, Any]]] = []
    for trail in trails:
        arn, home = need(trail, "TrailARN", "DescribeTrails"), need(trail, "HomeRegion", "DescribeTrails")
        owner = _account_of(arn)
        if r.home_or_first(home) != r.region:
            continue  # a replica: the trail is kept where it is homed
        if owner == r.account:
            kept.append((arn, dict(trail)))
        elif trail.get("IsOrganizationTrail") is True:
            kept.append((f"{arn}#{r.account}", dict(trail)))
    return kept


def _account_of(arn: Any) -> str:
    parts = arn.split(":") if isinstance(arn, str) else []
    if len(parts) < 6 or parts[0] != "arn":
        raise MalformedAnswer("DescribeTrails TrailARN is not an ARN")
    return parts[4]


def _status(client: Any, arn: str) -> dict[str, Any]:
    answer = client.get_trail_status(Name=arn)
    need(answer, "IsLogging", "GetTrailStatus")
    return {k: answer[k] for k in _STATUS_KEYS if k in answer}
