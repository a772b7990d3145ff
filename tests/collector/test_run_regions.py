"""Every region in scope is read on its own, and each resource carries the region it came from."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone
from pathlib import Path

import pytest

from attest.collector.config import load_config
from attest.collector.run import collect
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
