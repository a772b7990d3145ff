"""`Results.to_json` skips the NaN/Infinity search (`finite=True`) because Results hold no float.

That holds only while no field can hold one: every field type of Results and of the values inside it
is walked here, so a float (or an untyped `Any`) added to any of them fails this test, and the gap
records (the one `Any`, made of the snapshot's strings) are checked on a snapshot with gaps.
"""
from __future__ import annotations

import dataclasses
import typing
from typing import Any

from attest.collector.snapshot import Gap
from attest.policies.findings import Results
from attest.policies.gaps import gap_records
from attest.policies.rule_loader import load_policy_set

_ALLOWED_ANY = {("Results", "gaps")}  # gap records: checked by value below


def _float_fields(cls: type, seen: set[type]) -> list[str]:
    if cls in seen:
        return []
    seen.add(cls)
    found = []
    for name, hint in typing.get_type_hints(cls).items():
        for leaf in _leaves(hint):
            if leaf is float or (leaf is Any and (cls.__name__, name) not in _ALLOWED_ANY):
                found.append(f"{cls.__name__}.{name}")
            elif dataclasses.is_dataclass(leaf) and isinstance(leaf, type):
                found += _float_fields(leaf, seen)
    return found


def _leaves(hint: Any) -> list[Any]:
    args = typing.get_args(hint)
    if not args:
        return [hint]
    return [leaf for arg in args if arg is not Ellipsis for leaf in _leaves(arg)]


def test_no_field_of_results_can_hold_a_float() -> None:
    assert _float_fields(Results, set()) == []


def test_gap_records_hold_no_float() -> None:
    gaps = (Gap("aws", "DescribeTrails", "111122223333", "eu-west-1", "access_denied", "AccessDenied",
                ("aws.cloudtrail.trail",)),)
    policy = load_policy_set()
    records = gap_records(gaps, policy.controls, policy.rules)

    def floats(value: Any) -> list[float]:
        if isinstance(value, dict):
            return [f for v in value.values() for f in floats(v)]
        if isinstance(value, (list, tuple)):
            return [f for v in value for f in floats(v)]
        return [value] if isinstance(value, float) else []

    assert records and floats(records) == []


@dataclasses.dataclass(frozen=True)
class _Inner:
    ratio: float | None


@dataclasses.dataclass(frozen=True)
class _Outer:
    items: tuple[_Inner, ...]
    label: str


def test_the_walk_finds_a_float_where_there_is_one() -> None:
    assert _float_fields(_Outer, set()) == ["_Inner.ratio"]
