"""Every region in scope is read on its own, and each resource carries the region it came from."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from attest.collector.aws.collect import ALL_TYPES
from attest.collector.config import load_config
from attest.collector.run import collect
from attest.collector.snapshot import Snapshot
from attest.policies.engine import evaluate
from attest.policies.rule_loader import load_policy_set
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.local import LocalEstate

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 1, tzinfo=timezone.utc)


def test_a_second_region_is_read_and_its_failures_are_its_own(
    default_estate: LocalEstate, local_config_path: Path, tmp_path: Path
) -> None:
    config = tmp_path / "attest.yaml"
    config.write_text(local_config_path.read_text().replace("regions: [us-east-1]", "regions: [us-east-1, us-west-2]", 1))
    default_estate.aws_faults.set([FaultRule(service="ec2", operation="DescribeSubnets", kind="access_denied", rate=1.0)])
    snapshot = collect(load_config(config), {**default_estate.env, "ATTEST_REDACTION_SALT": "s"}, now=lambda: NOW)
    regions = Counter(r.region for r in snapshot.resources if r.provider == "aws")
    assert set(regions) == {"us-east-1", "us-west-2"}
    west = {r.type for r in snapshot.resources if r.region == "us-west-2"}
    assert "aws.ec2.vpc" in west and "aws.ecs.cluster" not in west
    assert all(":us-west-2:" in r.id for r in snapshot.resources if r.region == "us-west-2")
    gaps = sorted((g.region, g.operation) for g in snapshot.gaps if g.provider == "aws" and g.operation != "cloudtrail:LookupEvents")
    assert gaps == [("us-east-1", "ec2:DescribeSubnets"), ("us-west-2", "ec2:DescribeSubnets")]


ACCOUNT = "123456789012"
ROLE = f"arn:aws:iam::{ACCOUNT}:role/attest-read"
DISTRIBUTION = "aws.cloudfront.distribution"


def _outside_us_east_1(tmp_path: Path, role: str | None = None) -> Path:
    """The estate's account configured in eu-west-1 only (its CloudFront distribution is global)."""
    extra = f", role_arn: {role!r}" if role else ""
    path = tmp_path / "attest.yaml"
    path.write_text(f'version: 1\naws:\n  accounts:\n    - {{id: "{ACCOUNT}", name: prod, regions: [eu-west-1]{extra}}}\n')
    return path


def _collect(estate: LocalEstate, config: Path) -> Snapshot:
    env = {**estate.env, "ATTEST_REDACTION_SALT": "s", "AWS_MAX_ATTEMPTS": "1"}
    return collect(load_config(config), env, now=lambda: NOW)


def _cloudfront_verdicts(snapshot: Snapshot, config: Path) -> list[tuple[str, str]]:
    results = evaluate(snapshot, load_config(config), load_policy_set(), ())
    return [(f.status.value, f.resource_id or f.evidence) for f in results.findings if f.rule_id == "ATL-TLS-003"]


def _aws_gaps(snapshot: Snapshot) -> list[tuple[str, str | None, str, str, tuple[str, ...]]]:
    return [(g.scope, g.region, g.operation, g.reason, g.resource_types) for g in snapshot.gaps
            if g.provider == "aws" and g.operation != "cloudtrail:LookupEvents"]


def test_cloudfront_is_read_in_us_east_1_when_the_account_s_regions_omit_it(default_estate: LocalEstate, tmp_path: Path) -> None:
    config = _outside_us_east_1(tmp_path)
    snapshot = _collect(default_estate, config)
    [distribution] = [r for r in snapshot.resources if r.type == DISTRIBUTION]
    assert (distribution.scope, distribution.region) == (ACCOUNT, "us-east-1")
    assert {r.type for r in snapshot.resources if r.region == "us-east-1"} == {DISTRIBUTION}
    assert default_estate.aws_faults.calls["cloudfront:ListDistributions"] == 1
    assert not _aws_gaps(snapshot)
    assert _cloudfront_verdicts(snapshot, config) == [("pass", distribution.id)]


def test_a_refused_listing_outside_the_account_s_regions_is_a_gap(default_estate: LocalEstate, tmp_path: Path) -> None:
    config = _outside_us_east_1(tmp_path)
    default_estate.aws_faults.set([FaultRule(service="cloudfront", operation="ListDistributions", kind="access_denied")])
    snapshot = _collect(default_estate, config)
    assert _aws_gaps(snapshot) == [(ACCOUNT, "us-east-1", "cloudfront:ListDistributions", "access_denied", (DISTRIBUTION,))]
    assert [status for status, _ in _cloudfront_verdicts(snapshot, config)] == ["error"]


def test_a_refused_role_leaves_cloudfront_unknown_where_it_would_have_been_read(default_estate: LocalEstate, tmp_path: Path) -> None:
    config = _outside_us_east_1(tmp_path, ROLE)
    default_estate.aws_faults.set([FaultRule(service="sts", operation="AssumeRole", kind="access_denied")])
    snapshot = _collect(default_estate, config)
    regional = tuple(t for t in ALL_TYPES if t != DISTRIBUTION)
    assert _aws_gaps(snapshot) == [
        (ACCOUNT, "eu-west-1", "sts:AssumeRole", "access_denied", regional),
        (ACCOUNT, "us-east-1", "sts:AssumeRole", "access_denied", (DISTRIBUTION,)),
    ]
    assert [status for status, _ in _cloudfront_verdicts(snapshot, config)] == ["error"]
