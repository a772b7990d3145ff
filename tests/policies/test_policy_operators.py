"""Operators whose edges decide a verdict: what counts as open to the internet."""
from __future__ import annotations

import pytest

from policies.operators import OPERATORS


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
