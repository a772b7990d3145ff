"""An organisation trail seen from member accounts: collected once per member, in its home region.

In a member account DescribeTrails lists the organisation's trail only with `includeShadowTrails`
(the API's default, which attest used to turn off), and GetTrailStatus answers only to its full
ARN. moto cannot make one account see another's trail, so the answers come from a loopback endpoint
(json_endpoint.py), to real boto3 readers. The trail's ARN is the same in every member account;
each member's copy has an id of its own, so a multi-account snapshot still loads.
"""
from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from attest.collector.aws.collect import AccountAccess, Part, read_service
from attest.collector.config import EstateConfig, load_config
from attest.collector.config_values import AwsAccount
from attest.collector.snapshot import Resource, load_snapshot
from attest.policies.engine import evaluate
from attest.policies.findings import Status
from attest.policies.rule_loader import load_policy_set
from tests.collector.aws.json_endpoint import Endpoint, serving
from tests.policies.policy_fixtures import ACCOUNT, config_with_account, seeded_doc

MEMBER = "210987654321"
MANAGEMENT = "999988887777"
ORG_ARN = f"arn:aws:cloudtrail:us-east-1:{MANAGEMENT}:trail/org-audit"
OWN_ARN = f"arn:aws:cloudtrail:us-east-1:{ACCOUNT}:trail/prod-audit"
_TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."


def _trail(arn: str, name: str, **extra: Any) -> dict[str, Any]:
    return {"Name": name, "TrailARN": arn, "HomeRegion": "us-east-1", "IsMultiRegionTrail": True,
            "LogFileValidationEnabled": True, "S3BucketName": "org-trail-logs", **extra}


ORG_TRAIL = _trail(ORG_ARN, "org-audit", IsOrganizationTrail=True)


def _answers(*trails: dict[str, Any]) -> dict[str, Any]:
    return {_TARGET + "DescribeTrails": {"trailList": list(trails)},
            _TARGET + "GetTrailStatus": {"IsLogging": True, "LatestDeliveryAttemptTime": "moving"},
            _TARGET + "LookupEvents": {"Events": []}}


def _read(answers: dict[str, Any], accounts: list[tuple[str, tuple[str, ...]]]) -> tuple[list[Resource], Endpoint]:
    """The trails the collector's CloudTrail jobs read in each account's regions, in order; no gap."""
    with serving(answers) as (factory, server):
        resources: list[Resource] = []
        for account, regions in accounts:
            access = AccountAccess(AwsAccount(account, account, regions), factory, Part())
            for region in regions:
                part = read_service(access, region, "cloudtrail", "salt")
                assert not part.gaps
                resources.extend(x for x in part.resources if x.type == "aws.cloudtrail.trail")
    return resources, server


def _sent(server: Endpoint, operation: str) -> list[Any]:
    return [params for target, params in server.requests if target == _TARGET + operation]


@pytest.fixture(scope="module")
def members(tmp_path_factory: pytest.TempPathFactory) -> EstateConfig:
    """The local estate's account and a second member account that also reads eu-west-1."""
    return load_config(config_with_account(tmp_path_factory.mktemp("members"), MEMBER, "member", "[us-east-1, eu-west-1]"))


def test_a_member_s_only_trail_is_the_organisation_s_collected_once_in_its_home_region() -> None:
    resources, server = _read(_answers(ORG_TRAIL), [(MEMBER, ("us-east-1", "eu-west-1"))])
    [trail] = resources  # eu-west-1 lists the same trail as a replica: not a second resource
    assert (trail.id, trail.scope, trail.region) == (f"{ORG_ARN}#{MEMBER}", MEMBER, "us-east-1")
    assert trail.attributes == {**ORG_TRAIL, "Status": {"IsLogging": True}}
    assert _sent(server, "DescribeTrails") == [{"includeShadowTrails": True}] * 2
    assert _sent(server, "GetTrailStatus") == [{"Name": ORG_ARN}]  # the full ARN, as a member must


def test_the_account_s_own_trail_keeps_its_arn_and_its_replicas_are_not_resources() -> None:
    resources, server = _read(_answers(_trail(OWN_ARN, "prod-audit")), [(ACCOUNT, ("us-east-1", "eu-west-1"))])
    assert [(t.id, t.scope, t.region) for t in resources] == [(OWN_ARN, ACCOUNT, "us-east-1")]
    assert _sent(server, "GetTrailStatus") == [{"Name": OWN_ARN}]


def test_two_members_see_the_organisation_trail_without_an_id_clash_and_both_pass_cc8(
        members: EstateConfig, tmp_path: Path) -> None:
    resources, _ = _read(_answers(ORG_TRAIL), [(ACCOUNT, ("us-east-1",)), (MEMBER, ("us-east-1", "eu-west-1"))])
    assert sorted(t.id for t in resources) == sorted([f"{ORG_ARN}#{ACCOUNT}", f"{ORG_ARN}#{MEMBER}"])
    doc = seeded_doc()
    doc["resources"] = [r for r in doc["resources"] if r["type"] != "aws.cloudtrail.trail"] + [t.to_dict() for t in resources]
    path = tmp_path / "snapshot.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    snapshot = load_snapshot(str(path))  # refuses a snapshot holding one id twice
    results = evaluate(snapshot, members, load_policy_set(), (), today=dt.date(2026, 11, 26))
    verdicts = {f.resource_id: f.status for f in results.findings if f.rule_id == "ATL-CM-006"}
    assert verdicts == {f"account:aws/{ACCOUNT}": Status.PASS, f"account:aws/{MEMBER}": Status.PASS}


@pytest.mark.parametrize("own", [False, True], ids=["organisation", "own"])
def test_a_trail_homed_outside_the_account_s_regions_is_kept_in_the_first_it_reads(own: bool) -> None:
    """Otherwise no region read would keep it, and the account would fail CC8.1 with its trail on."""
    trail = _trail(OWN_ARN, "prod-audit") if own else ORG_TRAIL
    resources, server = _read(_answers(trail), [(ACCOUNT, ("eu-west-1", "eu-central-1"))])
    [kept] = resources
    expected_id = OWN_ARN if own else f"{ORG_ARN}#{ACCOUNT}"
    assert (kept.id, kept.region, kept.attributes["HomeRegion"]) == (expected_id, "eu-west-1", "us-east-1")
    assert _sent(server, "GetTrailStatus") == [{"Name": trail["TrailARN"]}]
