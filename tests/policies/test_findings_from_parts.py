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
    given = {**COMMON, **OWN}
    assert {f.name: getattr(fast, f.name) for f in fields(Finding) if f.name in given} == given


def test_from_parts_fills_defaults_like_the_constructor() -> None:
    common = {k: v for k, v in COMMON.items() if k not in ("plane", "related", "rationale")}
    assert Finding.from_parts(common, status=Status.PASS, resource_id=None, evidence="/resources", message="m") == \
        Finding(**common, status=Status.PASS, resource_id=None, evidence="/resources", message="m")


@pytest.mark.parametrize("change", [{"drop": "status"}, {"add": "colour"}])
def test_from_parts_refuses_a_missing_or_unknown_field(change: dict[str, str]) -> None:
    own: dict[str, object] = dict(OWN)
    if "drop" in change:
        del own[change["drop"]]
    else:
        own[change["add"]] = "red"
    with pytest.raises(TypeError, match="expected the fields"):
        Finding.from_parts(COMMON, **own)


def test_from_parts_stays_frozen() -> None:
    finding = Finding.from_parts(COMMON, **OWN)
    with pytest.raises(AttributeError):
        finding.status = Status.PASS  # type: ignore[misc]
