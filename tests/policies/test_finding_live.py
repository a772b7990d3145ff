"""`Finding.live` builds findings without the frozen `__init__`; it must build the same value."""
from __future__ import annotations

import dataclasses
import pickle

import pytest

from attest.policies.findings import Finding, Remediation, Status, WaiverRef

_WAIVER = WaiverRef("w-1", "reason", "owner", "ISSUE-1", "approver", "2027-01-01", "ATL-X-001", "arn:*")


@pytest.mark.parametrize("waiver", [None, _WAIVER])
def test_live_equals_the_dataclass_init(waiver: WaiverRef | None) -> None:
    args = ("ATL-X-001", "title", Status.FAIL, "high", ("SOC2-CC6.6",), "arn:aws:x", "/resources/3", "failed",
            "why", Remediation(("console step",), "terraform"))
    fast = Finding.live(*args, waiver, "a/b", ("/resources/1",))
    slow = Finding(*args, "live", waiver, (), "a/b", ("/resources/1",))
    assert fast == slow and hash(fast) == hash(slow) and repr(fast) == repr(slow)
    assert fast.to_dict() == slow.to_dict()
    assert pickle.loads(pickle.dumps(fast)) == slow
    assert dataclasses.replace(fast, message="other") == dataclasses.replace(slow, message="other")


def test_live_sets_every_field_in_order_and_stays_frozen() -> None:
    """A field added to Finding must be set by `live` too (or this fails), in the same order."""
    fast = Finding.live("ATL-X-001", "t", Status.PASS, "low", (), None, "", "satisfied", "", Remediation(), None, "", ())
    assert list(vars(fast)) == [f.name for f in dataclasses.fields(Finding)]
    assert vars(fast) == vars(Finding("ATL-X-001", "t", Status.PASS, "low", (), None, "", "satisfied"))
    with pytest.raises(dataclasses.FrozenInstanceError):
        fast.message = "changed"  # type: ignore[misc]
