from __future__ import annotations

from datetime import datetime, timezone

import pytest

from attest.core.errors import BadInputError
from attest.collector.merge import merge_snapshots
from attest.collector.snapshot import Gap, Identity, Resource, Snapshot


def part(account: str, hour: int, resources: list[Resource], gaps: list[Gap] = []) -> Snapshot:
    return Snapshot.build(
        collected_at=datetime(2026, 11, 26, hour, tzinfo=timezone.utc),
        collector_version="0.1.0",
        identity=Identity(aws_caller_arns=(f"arn:aws:sts::{account}:assumed-role/attest/ci",)),
        scope={"aws_accounts": [{"id": account, "name": account, "regions": ["us-east-1"]}], "atlas_projects": []},
        resources=resources,
        gaps=gaps,
    )


def key(account: str, name: str, value: int = 1) -> Resource:
    return Resource(f"arn:aws:kms:us-east-1:{account}:key/{name}", "aws.kms.key", "aws", account, "us-east-1", ("kms:DescribeKey",), {"v": value})


def test_merge_unions_accounts_resources_and_gaps() -> None:
    gap = Gap("aws", "secretsmanager:ListSecrets", "222222222222", "us-east-1", "access_denied", "denied", ("aws.secretsmanager.secret",))
    merged = merge_snapshots(
        [part("222222222222", 3, [key("222222222222", "b")], [gap]), part("111111111111", 2, [key("111111111111", "a")])],
        ["b.json", "a.json"],
    )
    assert [r.scope for r in merged.resources] == ["111111111111", "222222222222"]
    assert merged.gaps == (gap,)
    assert [a["id"] for a in merged.scope["aws_accounts"]] == ["111111111111", "222222222222"]
    assert merged.collected_at.hour == 2
    assert len(merged.identity.aws_caller_arns) == 2


def test_same_resource_twice_must_agree() -> None:
    one = part("111111111111", 2, [key("111111111111", "a", 1)])
    same = part("111111111111", 2, [key("111111111111", "a", 1)])
    assert len(merge_snapshots([one, same], ["1.json", "2.json"]).resources) == 1
    other = part("111111111111", 2, [key("111111111111", "a", 2)])
    with pytest.raises(BadInputError, match="differs between 1.json"):
        merge_snapshots([one, other], ["1.json", "2.json"])
