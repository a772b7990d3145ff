"""Internet exposure of security groups and network ACLs, as the port ranges the internet reaches.

"The internet" is any source range the operators call open (`operators.OPEN_BELOW`: an IPv4
prefix shorter than /8, IPv6 shorter than /16), in IPv4 and IPv6. A source that cannot be shown
closed counts as open (fail closed): a range that is not a CIDR, or a managed prefix list that was
not collected. Only TCP, UDP and all-protocol rules reach ports; ICMP and other protocols do not.
"""
from __future__ import annotations

from functools import lru_cache
from typing import Any, Callable, Iterable

from attest.policies.operators import OPEN_BELOW, network, port_range

Ranges = list[tuple[int, int]]
ALL_PORTS = (0, 65535)
_PORT_PROTOCOLS = {"-1", "tcp", "6", "udp", "17", "all"}
_NACL_TCP = {"-1", "6", "tcp", "all"}


def is_open(cidr: Any) -> bool:
    """Open to the internet, or not a CIDR (which cannot be shown closed)."""
    return _open_text(cidr) if isinstance(cidr, str) else True  # `network` of a non-string is None


@lru_cache(maxsize=65536)
def _open_text(cidr: str) -> bool:
    """Remembered: every security group's rules name the same few ranges."""
    net = network(cidr)
    return net is None or net.prefixlen < OPEN_BELOW[net.version]


def merge(ranges: Iterable[tuple[int, int]]) -> list[list[int]]:
    """Inclusive port ranges sorted and merged, as [from, to] pairs."""
    out: list[list[int]] = []
    for low, high in sorted(ranges):
        if out and low <= out[-1][1] + 1:
            out[-1][1] = max(out[-1][1], high)
        else:
            out.append([low, high])
    return out


def _subtract(ranges: Ranges, cut: tuple[int, int]) -> Ranges:
    out: Ranges = []
    for low, high in ranges:
        if cut[1] < low or high < cut[0]:
            out.append((low, high))
            continue
        if low < cut[0]:
            out.append((low, cut[0] - 1))
        if cut[1] < high:
            out.append((cut[1] + 1, high))
    return out


def _intersect(ranges: Ranges, cut: tuple[int, int]) -> Ranges:
    return [(max(low, cut[0]), min(high, cut[1])) for low, high in ranges if low <= cut[1] and cut[0] <= high]


def _sources(permission: dict[str, Any], prefix_cidrs: Callable[[str], list[str] | None]) -> list[Any]:
    """Every source range of an ingress rule; an unresolved prefix list stands as None (open)."""
    found: list[Any] = [r.get("CidrIp") if isinstance(r, dict) else None for r in permission.get("IpRanges") or []]
    found += [r.get("CidrIpv6") if isinstance(r, dict) else None for r in permission.get("Ipv6Ranges") or []]
    for pair in permission.get("PrefixListIds") or []:
        list_id = pair.get("PrefixListId") if isinstance(pair, dict) else None
        cidrs = prefix_cidrs(list_id) if isinstance(list_id, str) else None
        found.extend([None] if cidrs is None else cidrs)
    return found


def group_internet_ports(attributes: dict[str, Any], prefix_cidrs: Callable[[str], list[str] | None]) -> list[list[int]]:
    """The ports a security group admits from the internet (its IpPermissions, prefix lists resolved).

    A rule whose ports cannot be read counts as all ports.
    """
    reached: Ranges = []
    permissions = attributes.get("IpPermissions")
    for permission in permissions if isinstance(permissions, list) else [None]:
        if not isinstance(permission, dict):
            reached.append(ALL_PORTS)
            continue
        if str(permission.get("IpProtocol", "-1")).lower() not in _PORT_PROTOCOLS:
            continue
        if not any(is_open(source) for source in _sources(permission, prefix_cidrs)):
            continue
        protocol_all = str(permission.get("IpProtocol")) in ("-1", "all")
        rng = ALL_PORTS if protocol_all else port_range([permission.get("FromPort"), permission.get("ToPort")])
        reached.append(rng or ALL_PORTS)
    return merge(reached)


def acl_internet_ports(attributes: dict[str, Any]) -> list[list[int]]:
    """The TCP ports a network ACL admits from the internet, its ingress entries taken in rule order.

    Per address family: an allow from an open range admits what no earlier entry decided; a deny
    decides only when it covers the whole family (0.0.0.0/0 or ::/0), since a narrower deny leaves
    some of the internet to the entries after it. Unreadable entries admit every port.
    """
    entries = attributes.get("Entries")
    if not isinstance(entries, list):
        return [list(ALL_PORTS)]
    if any(not isinstance(e, dict) or not isinstance(e.get("Egress"), bool) for e in entries):
        return [list(ALL_PORTS)]
    ingress = [e for e in entries if e["Egress"] is False]
    admitted: Ranges = []
    for key in ("CidrBlock", "Ipv6CidrBlock"):
        undecided: Ranges = [ALL_PORTS]
        family = sorted((e for e in ingress if key in e), key=lambda e: (_number(e.get("RuleNumber")), str(e)))
        for entry in family:
            if str(entry.get("Protocol", "-1")).lower() not in _NACL_TCP:
                continue
            rng = _entry_ports(entry)
            action = entry.get("RuleAction")
            if action == "allow" and is_open(entry.get(key)):
                admitted += _intersect(undecided, rng)
                undecided = _subtract(undecided, rng)
            elif action == "deny" and _whole_family(entry.get(key)):
                undecided = _subtract(undecided, rng)
            elif action not in ("allow", "deny"):
                admitted += _intersect(undecided, rng)
    return merge(admitted)


def _number(value: Any) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else -1


def _entry_ports(entry: dict[str, Any]) -> tuple[int, int]:
    if str(entry.get("Protocol")) in ("-1", "all"):
        return ALL_PORTS
    ports = entry.get("PortRange")
    rng = port_range([ports.get("From"), ports.get("To")]) if isinstance(ports, dict) else None
    return rng or ALL_PORTS


def _whole_family(cidr: Any) -> bool:
    net = network(cidr)
    return net is not None and net.prefixlen == 0
