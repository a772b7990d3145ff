"""Operators whose edges decide a verdict: what counts as open to the internet."""
from __future__ import annotations

import pytest

from attest.policies.operators import OPERATORS


@pytest.mark.parametrize(
    ("cidrs", "closed"),
    [
        (["10.20.0.0/16", "198.51.100.0/28", "203.0.113.45/32"], True),
        (["10.0.0.0/8"], True),
        (["0.0.0.0/0"], False),
        (["0.0.0.0/1", "128.0.0.0/1"], False),
        (["64.0.0.0/2"], False),
        (["2001:db8::/32"], True),
        (["::/0"], False),
        (["2000::/3"], False),
        (["not a cidr"], False),
    ],
)
def test_cidr_not_open(cidrs: list[str], closed: bool) -> None:
    assert OPERATORS["cidr-not-open"](cidrs, None) is closed


def _rule(cidrs: list[str], ipv6: list[str] = [], ports: tuple[object, object] = (27017, 27017)) -> dict[str, object]:
    return {"IpProtocol": "tcp", "FromPort": ports[0], "ToPort": ports[1],
            "IpRanges": [{"CidrIp": c} for c in cidrs], "Ipv6Ranges": [{"CidrIpv6": c} for c in ipv6]}


MONGODB = [[27015, 27017], [1024, 1027]]


@pytest.mark.parametrize(
    ("permissions", "closed"),
    [
        ([], True),
        ([_rule(["10.20.0.0/16"]), _rule(["0.0.0.0/0"], ports=(443, 443))], True),
        ([_rule(["0.0.0.0/0"])], False),
        ([_rule([], ["::/0"])], False),
        ([_rule(["0.0.0.0/1"]), _rule(["128.0.0.0/1"])], False),
        ([_rule(["64.0.0.0/2"], ports=(1000, 2000))], False),
        ([_rule([], ["2000::/3"])], False),
        ([_rule(["0.0.0.0/0"], ports=(None, None))], False),  # protocol -1: every port
        ([_rule(["0.0.0.0/0"], ports=(-1, -1))], False),
        ([_rule(["not a cidr"])], False),
        ([_rule(["10.0.0.0/8"], ["2001:db8::/32"])], True),
        (None, False),
        (["not a rule"], False),
    ],
)
def test_internet_ports_disjoint(permissions: object, closed: bool) -> None:
    assert OPERATORS["internet-ports-disjoint"](permissions, MONGODB) is closed
