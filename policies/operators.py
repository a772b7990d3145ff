"""The closed set of condition operators a rule may use, and how each compares.

Each operator takes the value found at the condition's `path` (`actual`) and the expected value
(`value`, or the value at `value_from`). Anything an operator cannot interpret (a missing value
where one is needed, a malformed CIDR, a non-number) compares false: rules fail closed.

| op | passes when |
|---|---|
| eq / ne | actual equals / differs from value |
| in / not-in | actual is / is not one of the value list |
| contains / excludes | the actual list holds / lacks value |
| subset-of | every element of the actual list is in the value list (null is empty) |
| superset-of | the actual list holds every element of the value list |
| disjoint-from | no element of the actual list is in the value list (null is empty) |
| gte / lte | actual is a number >= / <= value |
| regex | actual is a string that matches the pattern (re.search) |
| none-match | no string in actual (a list or one value; null is empty) matches the pattern |
| present / absent | actual is non-empty / null, "" , [] or {} (no value) |
| cidr-within | every CIDR in actual (one or a list) lies inside one of the value CIDRs |
| cidr-not-open | no CIDR in actual (one or a list) is open: IPv4 prefix shorter than /8, IPv6 shorter than /16 |
| ports-within | every [from, to] pair in actual lies inside one of the value ranges |
| ports-disjoint | no [from, to] pair in actual overlaps any of the value ranges |
| internet-ports-disjoint | no ingress rule in actual (a security group's IpPermissions) that admits an open range (as cidr-not-open; or a range that is not a CIDR) has a port range overlapping any of the value ranges |

For the port operators a missing or -1 bound (protocol "-1", all traffic) means every port.
"""
from __future__ import annotations

import functools
import ipaddress
import re
from typing import Any, Callable

IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network

NO_VALUE_OPS = frozenset({"present", "absent", "cidr-not-open"})
# Shorter prefixes than these count as open to the internet: 0.0.0.0/0 itself, and the halves and
# quarters (0.0.0.0/1 + 128.0.0.0/1) that reach the same hosts; 10.0.0.0/8 is the widest private block.
OPEN_BELOW = {4: 8, 6: 16}


def _listed(actual: Any) -> list[Any] | None:
    """A scalar as a one-item list; a list as itself; null as None."""
    if actual is None:
        return None
    return list(actual) if isinstance(actual, (list, tuple)) else [actual]


def _empty(actual: Any) -> bool:
    return actual is None or actual == "" or actual == [] or actual == {}


def network(text: Any) -> IpNetwork | None:
    """A CIDR (or a bare address, as a host route), or None when it is not one."""
    return _parsed(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=65536)
def _parsed(text: str) -> IpNetwork | None:
    """Networks are immutable, and an estate repeats the same few CIDRs across thousands of groups."""
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


def _cidr_within(actual: Any, allowed: Any) -> bool:
    items = _listed(actual)
    parents = [network(v) for v in (_listed(allowed) or [])]
    known = [p for p in parents if p is not None]
    if items is None or len(known) != len(parents):
        return False
    for item in items:
        net = network(item)
        if net is None or not any(p.version == net.version and net.subnet_of(p) for p in known):  # type: ignore[arg-type]
            return False
    return True


def _cidr_not_open(actual: Any, _: Any) -> bool:
    items = _listed(actual)
    if items is None:
        return False
    nets = [network(item) for item in items]
    return all(net is not None and net.prefixlen >= OPEN_BELOW[net.version] for net in nets)


def port_range(pair: Any) -> tuple[int, int] | None:
    """[from, to] as an inclusive range; a missing or -1 bound means all ports."""
    if not isinstance(pair, (list, tuple)) or len(pair) != 2:
        return None
    low, high = pair
    if low in (None, -1) or high in (None, -1):
        return 0, 65535
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (low, high)):
        return None
    return int(low), int(high)


def _parse_ranges(value: Any) -> list[tuple[int, int]] | None:
    out = [port_range(v) for v in (_listed(value) or [])]
    return None if any(r is None for r in out) else out  # type: ignore[return-value]


_LAST_RANGES: list[Any] = [object(), None]


def _ranges(value: Any) -> list[tuple[int, int]] | None:
    """`_parse_ranges`, remembered for the last value seen: a rule compares every resource against
    the same config list (e.g. `config.mongodb_ports`), which is never changed while rules run."""
    if _LAST_RANGES[0] is not value:
        _LAST_RANGES[:] = [value, _parse_ranges(value)]
    return _LAST_RANGES[1]  # type: ignore[no-any-return]


def _ports_within(actual: Any, allowed: Any) -> bool:
    items, bounds = _listed(actual), _ranges(allowed)
    if items is None or bounds is None:
        return False
    for pair in items:
        rng = port_range(pair)
        if rng is None or not any(lo <= rng[0] and rng[1] <= hi for lo, hi in bounds):
            return False
    return True


def _ports_disjoint(actual: Any, forbidden: Any) -> bool:
    bounds = _ranges(forbidden)
    if bounds is None:
        return False
    for pair in _listed(actual) or []:
        rng = port_range(pair)
        if rng is None:
            return False
        for lo, hi in bounds:  # a loop, not any(): called for every port range of every security group
            if rng[0] <= hi and lo <= rng[1]:
                return False
    return True


def _internet_ports_disjoint(actual: Any, forbidden: Any) -> bool:
    bounds = _ranges(forbidden)
    permissions = _listed(actual)
    if bounds is None or permissions is None:
        return False
    for permission in permissions:
        if not isinstance(permission, dict):
            return False
        if not any(_open(cidr) for cidr in _ingress_cidrs(permission)):
            continue
        rng = port_range([permission.get("FromPort"), permission.get("ToPort")])
        if rng is None or any(rng[0] <= hi and lo <= rng[1] for lo, hi in bounds):
            return False
    return True


def _ingress_cidrs(permission: dict[str, Any]) -> list[Any]:
    ranges = [(r, "CidrIp") for r in _listed(permission.get("IpRanges")) or []]
    ranges += [(r, "CidrIpv6") for r in _listed(permission.get("Ipv6Ranges")) or []]
    return [r.get(key) if isinstance(r, dict) else None for r, key in ranges]


def _open(cidr: Any) -> bool:
    """Open to the internet, or not a CIDR at all (which cannot be shown closed)."""
    net = network(cidr)
    return net is None or net.prefixlen < OPEN_BELOW[net.version]


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


@functools.lru_cache(maxsize=256)
def _compiled(pattern: str) -> re.Pattern[str]:
    """`re.search(pattern, ...)` without its cache's per-call checks: a rule's pattern meets every node."""
    return re.compile(pattern)


def _regex(actual: Any, pattern: Any) -> bool:
    return isinstance(actual, str) and _compiled(str(pattern)).search(actual) is not None


def _none_match(actual: Any, pattern: Any) -> bool:
    search = _compiled(str(pattern)).search
    items = actual if isinstance(actual, (list, tuple)) else () if actual is None else (actual,)  # as `_listed`, uncopied
    return not any(isinstance(v, str) and search(v) for v in items)


def _as_list(actual: Any) -> list[Any] | None:
    return None if not isinstance(actual, list) else actual


OPERATORS: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda a, v: a == v,
    "ne": lambda a, v: a != v,
    "in": lambda a, v: isinstance(v, list) and a in v,
    "not-in": lambda a, v: isinstance(v, list) and a not in v,
    "contains": lambda a, v: _as_list(a) is not None and v in a,
    "excludes": lambda a, v: _as_list(a) is not None and v not in a,
    "subset-of": lambda a, v: isinstance(v, list) and all(x in v for x in _listed(a) or []),
    "superset-of": lambda a, v: isinstance(v, list) and _as_list(a) is not None and all(x in a for x in v),
    "disjoint-from": lambda a, v: isinstance(v, list) and not any(x in v for x in _listed(a) or []),
    "gte": lambda a, v: _number(a) and _number(v) and a >= v,
    "lte": lambda a, v: _number(a) and _number(v) and a <= v,
    "regex": _regex,
    "none-match": _none_match,
    "present": lambda a, _: not _empty(a),
    "absent": lambda a, _: _empty(a),
    "cidr-within": _cidr_within,
    "cidr-not-open": _cidr_not_open,
    "ports-within": _ports_within,
    "ports-disjoint": _ports_disjoint,
    "internet-ports-disjoint": _internet_ports_disjoint,
}


def check_literal(op: str, value: Any) -> str | None:
    """Why a literal `value` cannot serve `op` (checked at load), or None when it can."""
    if op in ("in", "not-in", "subset-of", "superset-of", "disjoint-from") and not isinstance(value, list):
        return f"{op} needs a list value"
    if op in ("gte", "lte") and not _number(value):
        return f"{op} needs a number"
    if op in ("regex", "none-match"):
        try:
            re.compile(str(value))
        except re.error as exc:
            return f"not a valid regular expression: {exc}"
    if op == "cidr-within" and (_listed(value) is None or any(network(v) is None for v in _listed(value) or [])):
        return "cidr-within needs CIDR blocks"
    if op in ("ports-within", "ports-disjoint", "internet-ports-disjoint") and _ranges(value) is None:
        return f"{op} needs [from, to] port pairs"
    return None
