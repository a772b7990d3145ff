"""Internet exposure of security groups and network ACLs (ATL-NET-002..006).

The unit cases pin how ports reached from the internet are computed (IPv4, IPv6, prefix lists,
ACL rule order); the integration cases collect real estates from moto: a hand-written account
layout not derived from sandbox/estates, and gaps that must turn the verdicts into `error`.
"""
from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import pytest
from policy_fixtures import LOCAL_CONFIG

from attest.collector.config import load_config
from attest.collector.run import collect
from attest.collector.snapshot import Snapshot
from attest.policies.engine import evaluate
from attest.policies.findings import Results, Status
from attest.policies.graph_exposure import acl_internet_ports, group_internet_ports
from attest.policies.rule_loader import load_policy_set
from attest.policies.waivers import WAIVERS_FILE, load_waivers
from attest.sandbox.aws_faults import FaultRule
from attest.sandbox.estate import load_estate
from attest.sandbox.local import local_aws, local_estate

NOW = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.timezone.utc)
ESTATES = Path(__file__).parent / "estates"
NET_RULES = ("ATL-NET-002", "ATL-NET-003", "ATL-NET-004", "ATL-NET-005", "ATL-NET-006")


def _perm(protocol: str, low: int | None, high: int | None, **sources: Any) -> dict[str, Any]:
    return {"IpProtocol": protocol, "FromPort": low, "ToPort": high, "IpRanges": [], "Ipv6Ranges": [], "PrefixListIds": [], **sources}


def _acl(*entries: tuple[int, str, str, str, int | None, int | None]) -> dict[str, Any]:
    out = []
    for number, action, protocol, cidr, low, high in entries:
        entry: dict[str, Any] = {"Egress": False, "RuleNumber": number, "RuleAction": action, "Protocol": protocol}
        entry["Ipv6CidrBlock" if ":" in cidr else "CidrBlock"] = cidr
        if low is not None:
            entry["PortRange"] = {"From": low, "To": high}
        out.append(entry)
    return {"Entries": out + [{"Egress": True, "RuleNumber": 100, "RuleAction": "allow", "Protocol": "-1", "CidrBlock": "0.0.0.0/0"}]}


LISTS = {"pl-open": ["0.0.0.0/0"], "pl-office": ["192.0.2.0/26"], "pl-v6": ["::/0"]}


@pytest.mark.parametrize(("permission", "reached"), [
    (_perm("tcp", 22, 22, IpRanges=[{"CidrIp": "0.0.0.0/0"}]), [[22, 22]]),
    (_perm("tcp", 22, 22, Ipv6Ranges=[{"CidrIpv6": "::/0"}]), [[22, 22]]),
    (_perm("tcp", 22, 22, IpRanges=[{"CidrIp": "10.0.0.0/8"}]), []),
    (_perm("tcp", 3389, 3389, PrefixListIds=[{"PrefixListId": "pl-open"}]), [[3389, 3389]]),
    (_perm("tcp", 3389, 3389, PrefixListIds=[{"PrefixListId": "pl-office"}]), []),
    (_perm("tcp", 3389, 3389, PrefixListIds=[{"PrefixListId": "pl-v6"}]), [[3389, 3389]]),
    (_perm("tcp", 3389, 3389, PrefixListIds=[{"PrefixListId": "pl-not-collected"}]), [[3389, 3389]]),
    (_perm("-1", None, None, IpRanges=[{"CidrIp": "0.0.0.0/1"}]), [[0, 65535]]),
    (_perm("icmp", 8, -1, IpRanges=[{"CidrIp": "0.0.0.0/0"}]), []),
    (_perm("tcp", 443, 443, IpRanges=[{"CidrIp": "not-a-cidr"}]), [[443, 443]]),
])
def test_group_internet_ports(permission: dict[str, Any], reached: list[list[int]]) -> None:
    assert group_internet_ports({"IpPermissions": [permission]}, LISTS.get) == reached


def test_group_with_unreadable_permissions_reaches_every_port() -> None:
    assert group_internet_ports({"IpPermissions": "garbled"}, LISTS.get) == [[0, 65535]]


@pytest.mark.parametrize(("acl", "reached"), [
    (_acl((100, "allow", "-1", "0.0.0.0/0", None, None)), [[0, 65535]]),
    (_acl((10, "deny", "6", "0.0.0.0/0", 22, 22), (100, "allow", "-1", "0.0.0.0/0", None, None)), [[0, 21], [23, 65535]]),
    (_acl((100, "allow", "-1", "0.0.0.0/0", None, None), (110, "deny", "6", "0.0.0.0/0", 22, 22)), [[0, 65535]]),
    (_acl((10, "deny", "6", "0.0.0.0/1", 22, 22), (100, "allow", "6", "0.0.0.0/0", 22, 22)), [[22, 22]]),
    (_acl((10, "deny", "6", "0.0.0.0/0", 22, 22), (100, "allow", "6", "::/0", 22, 22)), [[22, 22]]),
    (_acl((100, "allow", "6", "10.0.0.0/8", 0, 65535)), []),
    (_acl((100, "allow", "17", "0.0.0.0/0", 0, 65535)), []),
])
def test_acl_internet_ports_in_rule_order(acl: dict[str, Any], reached: list[list[int]]) -> None:
    assert acl_internet_ports(acl) == reached


def test_acl_with_unreadable_entries_reaches_every_port() -> None:
    assert acl_internet_ports({"Entries": [{"RuleNumber": 1}]}) == [[0, 65535]]
    assert acl_internet_ports({}) == [[0, 65535]]


def _net(results: Results) -> dict[tuple[str, str], set[str]]:
    out: dict[tuple[str, str], set[str]] = {}
    for f in results.findings:
        if f.rule_id in NET_RULES:
            out.setdefault((f.rule_id, f.status.value), set()).add((f.resource_id or "").rsplit("/", 1)[-1])
    return out


def _judge(snapshot: Snapshot, config_path: Path) -> Results:
    policy = load_policy_set()
    config = load_config(config_path)
    return evaluate(snapshot, config, policy, load_waivers(WAIVERS_FILE, [r.id for r in policy.rules], NOW.date()))


@pytest.mark.integration
def test_hand_written_web_tier_fails_only_its_forgotten_vendor_group() -> None:
    estate = load_estate(ESTATES / "public-web-tier.yaml")
    config_path = ESTATES / "public-web-tier.attest.yaml"
    with local_aws(estate) as aws:
        snapshot = collect(load_config(config_path), {**aws.env, "AWS_MAX_ATTEMPTS": "2"}, now=lambda: NOW, stream=io.StringIO())
        groups = aws.seeded.security_group_ids
    assert {r.scope for r in snapshot.resources} == {"210987654321"}
    assert sorted(r.attributes["PrefixListName"] for r in snapshot.resources if r.type == "aws.ec2.prefix_list") == [
        "office", "vendor-anywhere-v6",
    ]
    results = _judge(snapshot, config_path)
    net = _net(results)
    assert net[("ATL-NET-003", "fail")] == {groups["vendor-rdp"]}
    assert net[("ATL-NET-004", "fail")] == {groups["vendor-rdp"]}
    assert {groups["web-alb"], groups["bastion"]} <= net[("ATL-NET-003", "pass")] & net[("ATL-NET-004", "pass")]
    assert ("ATL-NET-005", "fail") not in net and ("ATL-NET-006", "fail") not in net
    assert len(net[("ATL-NET-005", "pass")]) == len(net[("ATL-NET-006", "pass")]) == 1
    edge = {(f.rule_id, f.status.value) for f in results.findings if f.rule_id.startswith("ATL-TLS-00")}
    assert edge == {("ATL-TLS-001", "pass"), ("ATL-TLS-002", "fail")}, edge
    (expiring,) = [f for f in results.findings if f.rule_id == "ATL-TLS-002"]
    cert = next(r for r in snapshot.resources if r.id == expiring.resource_id)
    assert cert.attributes["DomainName"] == "www.shop.example.eu"


@pytest.mark.integration
@pytest.mark.parametrize(("operation", "rules"), [
    ("GetManagedPrefixListEntries", {"ATL-NET-001", "ATL-NET-002", "ATL-NET-003", "ATL-NET-004"}),
    ("DescribeNetworkAcls", {"ATL-NET-005", "ATL-NET-006"}),
    ("DescribeSubnets", {"ATL-NET-005", "ATL-NET-006"}),
])
def test_a_gap_in_what_exposure_needs_is_an_error_never_a_pass(operation: str, rules: set[str]) -> None:
    with local_estate("sg-internet-admin") as running:
        running.aws_faults.set([FaultRule(service="ec2", operation=operation, kind="access_denied")])
        snapshot = collect(load_config(LOCAL_CONFIG), {**running.env, "AWS_MAX_ATTEMPTS": "2"}, now=lambda: NOW, stream=io.StringIO())
    results = _judge(snapshot, LOCAL_CONFIG)
    statuses = {(f.rule_id, f.status) for f in results.findings if f.rule_id in rules}
    assert {rule for rule, status in statuses if status is Status.ERROR} == rules, statuses
    assert not any(status is Status.PASS for _, status in statuses), statuses
