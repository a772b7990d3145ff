"""The network reads behind internet exposure: network ACLs and the managed prefix lists that
security groups name, read over the wire from moto through the counting proxy."""
from __future__ import annotations

import io
from datetime import datetime, timezone
from pathlib import Path

import pytest

from attest.collector.aws import acm, awsconfig, cloudfront, cloudtrail, ec2, elbv2
from attest.collector.aws.permissions import all_actions
from attest.collector.config import load_config
from attest.collector.run import collect
from attest.sandbox.local import local_estate

pytestmark = pytest.mark.integration
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
CONFIG = Path(__file__).resolve().parents[3] / "sandbox" / "attest.local.yaml"


def test_new_readers_call_exactly_their_declared_actions_and_prefix_lists_resolve() -> None:
    """Call recording: each reader issue 17 added or grew makes exactly the calls `attest
    iam-policy` grants for it (the proxy names them as IAM actions), no more and no fewer."""
    with local_estate("sg-internet-admin") as running:
        snapshot = collect(load_config(CONFIG), dict(running.env), now=lambda: NOW, stream=io.StringIO())
        calls = set(running.aws_faults.calls)
    for module, prefix in ((ec2, "ec2:"), (cloudtrail, "cloudtrail:"), (awsconfig, "config:"),
                           (elbv2, "elasticloadbalancing:"), (acm, "acm:"), (cloudfront, "cloudfront:")):
        assert {c for c in calls if c.startswith(prefix)} == set(module.ACTIONS), prefix
        assert set(module.ACTIONS) <= set(all_actions())
    (listed,) = [r for r in snapshot.resources if r.type == "aws.ec2.prefix_list"]
    assert listed.attributes["PrefixListName"] == "vendor-support"
    assert listed.attributes["Entries"] == [{"Cidr": "0.0.0.0/0"}]
    assert listed.source == ("ec2:DescribeManagedPrefixLists", "ec2:GetManagedPrefixListEntries")
    acls = [r for r in snapshot.resources if r.type == "aws.ec2.network_acl"]
    assert acls and all(r.source == ("ec2:DescribeNetworkAcls",) for r in acls)


def test_no_prefix_list_is_read_when_no_group_names_one() -> None:
    with local_estate("default") as running:
        snapshot = collect(load_config(CONFIG), dict(running.env), now=lambda: NOW, stream=io.StringIO())
        calls = set(running.aws_faults.calls)
    assert "ec2:DescribeManagedPrefixLists" not in calls and "ec2:GetManagedPrefixListEntries" not in calls
    assert not [r for r in snapshot.resources if r.type == "aws.ec2.prefix_list"]
    assert not [r for r in snapshot.resources if r.type == "aws.ec2.vpc" and r.attributes.get("IsDefault")]
