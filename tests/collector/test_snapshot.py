from __future__ import annotations

import dataclasses
import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from attest.core.errors import BadInputError
from attest.collector.snapshot import Gap, Identity, Resource, Snapshot, load_snapshot


def sample() -> Snapshot:
    return Snapshot.build(
        collected_at=datetime(2026, 11, 26, 2, 0, tzinfo=timezone.utc),
        collector_version="0.1.0",
        identity=Identity(aws_caller_arns=("arn:aws:iam::123456789012:user/ci",), atlas_principal="attestro"),
        scope={"aws_accounts": []},
        resources=[
            Resource("b", "aws.kms.key", "aws", "123456789012", "us-east-1", ("kms:DescribeKey",), {"K": 1}),
            Resource("a", "atlas.project", "atlas", "p1", None, ("atlas:getGroup",), {"name": "x"}),
        ],
        gaps=[Gap("atlas", "atlas:getGroupAuditLog", "p1", None, "access_denied", "403", ("atlas.audit_log",))],
    )


def test_round_trip_is_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "s.json"
    path.write_text(sample().to_json(), encoding="utf-8")
    again = load_snapshot(str(path))
    assert again.to_json() == sample().to_json()
    assert [r.id for r in again.resources] == ["a", "b"]
    assert again.pointer("b") == "/resources/1"


def test_naive_time_is_refused() -> None:
    with pytest.raises(ValueError):
        Snapshot.build(
            collected_at=datetime(2026, 1, 1), collector_version="x", identity=Identity(),
            scope={}, resources=[], gaps=[],
        )


@pytest.mark.parametrize(
    ("mutate", "needle"),
    [
        (lambda d: d.update(schema_version="0"), "#/schema_version: unsupported schema_version"),
        (lambda d: d["resources"][0].pop("type"), "#/resources/0: missing field 'type'"),
        (lambda d: d["resources"][1].update(provider="gcp"), "#/resources/1: unknown provider"),
        (lambda d: d["gaps"][0].update(reason="meh"), "#/gaps/0: unknown gap reason"),
        (lambda d: d.update(collected_at="2026-11-26T02:00:00"), "time has no timezone"),
        (lambda d: d.update(resources={}), "field 'resources' has the wrong type"),
    ],
)
def test_bad_snapshot_names_the_place(tmp_path: Path, mutate, needle: str) -> None:
    doc = json.loads(sample().to_json())
    mutate(doc)
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        load_snapshot(str(path))
    assert needle in caught.value.diagnostic()
    assert str(path) in caught.value.diagnostic()


def test_truncated_json_names_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "cut.json"
    path.write_text(sample().to_json()[:200], encoding="utf-8")
    with pytest.raises(BadInputError) as caught:
        load_snapshot(str(path))
    assert caught.value.diagnostic().startswith(f"{path}:")
    assert "not valid JSON" in caught.value.diagnostic()


def test_gaps_sort_on_every_field() -> None:
    base = dict(provider="atlas", operation="atlas:getGroupAuditLog", scope="p1", region=None, resource_types=("atlas.audit_log",))
    one = Gap(reason="access_denied", detail="b", **base)
    two = Gap(reason="access_denied", detail="a", **base)
    three = Gap(reason="throttled", detail="a", **base)
    orders = {
        Snapshot.build(collected_at=datetime(2026, 1, 1, tzinfo=timezone.utc), collector_version="x",
                       identity=Identity(), scope={}, resources=[], gaps=gaps).gaps
        for gaps in ([one, two, three], [three, two, one], [two, three, one, one])
    }
    assert orders == {(two, one, three)}


def test_nan_and_infinity_from_an_api_are_kept_as_strings_and_read_back(tmp_path: Path) -> None:
    """Collected answers may carry NaN/Infinity; the snapshot stays JSON that load_snapshot reads."""
    resource = Resource("arn:x", "aws.kms.key", "aws", "123456789012", "us-east-1", ("kms:DescribeKey",),
                        {"a": float("nan"), "b": [1.5, float("-inf")], "c": {"d": float("inf")}})
    snapshot = Snapshot.build(collected_at=datetime(2026, 1, 1, tzinfo=timezone.utc), collector_version="x",
                              identity=Identity(), scope={}, resources=[resource], gaps=[])
    assert snapshot.resources[0].attributes == {"a": "NaN", "b": [1.5, "-Infinity"], "c": {"d": "Infinity"}}
    assert snapshot.notes == tuple(sorted(f"arn:x: attributes.{p} was not a finite number; kept as a string"
                                          for p in ("a", "b[1]", "c.d")))
    path = tmp_path / "snapshot.json"
    path.write_text(snapshot.to_json(), encoding="utf-8")
    assert load_snapshot(str(path)).to_json() == snapshot.to_json()


def test_a_read_resource_is_the_dataclass_init_s() -> None:
    """`Resource.read` skips the frozen `__init__`: the same value (attributes are a dict: no hash), every
    field set in order, still frozen."""
    args = ("arn:aws:x", "aws.ec2.vpc", "aws", "210000000000", None, ("ec2:DescribeVpcs",), {"VpcId": "vpc-1"})
    fast, slow = Resource.read(*args), Resource(*args)
    assert fast == slow and repr(fast) == repr(slow) and fast.to_dict() == slow.to_dict()
    assert list(vars(fast)) == [f.name for f in dataclasses.fields(Resource)]
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.id = "other"  # type: ignore[misc]
