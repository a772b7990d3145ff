"""`Finding.from_parts`, the engine's fast construction, makes the same value as the constructor."""
from __future__ import annotations

from dataclasses import fields

import pytest

from attest.policies.findings import Finding, Remediation, Status, WaiverRef

COMMON = {"rule_id": "ATL-NET-001", "title": "Endpoint group admits only MongoDB ports", "severity": "high",
          "controls": ("SOC2-CC6.6",), "rationale": "why", "remediation": Remediation(console=("do",)),
          "plane": "live", "related": ()}
OWN = {"status": Status.WAIVED, "resource_id": "sg-1", "evidence": "/resources/3/attributes", "message": "open",
       "missing": "comment", "cites": ("/resources/1",), "waiver": WaiverRef("W-1", "r", "o", "#1", "a", "2027-01-01")}


def test_from_parts_equals_the_constructor_field_by_field() -> None:
    fast, slow = Finding.from_parts(COMMON, **OWN), Finding(**COMMON, **OWN)
    assert fast == slow and fast.to_dict() == slow.to_dict() and hash(fast.sort_key()) == hash(slow.sort_key())
    assert {f.name: getattr(fast, f.name) for f in fields(Finding)} == {**COMMON, **OWN}


def test_from_parts_refuses_a_missing_field() -> None:
    own = dict(OWN)
    del own["cites"]
    with pytest.raises(TypeError, match="expected every one of"):
        Finding.from_parts(COMMON, **own)


def test_from_parts_stays_frozen() -> None:
    finding = Finding.from_parts(COMMON, **OWN)
    with pytest.raises(AttributeError):
        finding.status = Status.PASS  # type: ignore[misc]
