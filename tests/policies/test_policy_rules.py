"""Each rule passes on the seeded-estate fixture and fails on a fixture with one planted fault."""
from __future__ import annotations

import copy
from typing import Any, Callable

import pytest
from policy_fixtures import _perm, find, seeded_doc

from attest.policies.findings import Results, Status

KNOWN = {
    ("ATL-DB-004", "waived", "203.0.113.45/32"),
    ("ATL-SEC-001", "fail", "legacy/mongodb/uri-MnOpQr"),
    ("ATL-CM-004", "fail", "service/prod/shopping-app"),
}


def _suffixes(results: Results) -> set[tuple[str, str, str]]:
    out = set()
    for f in results.findings:
        if f.status is not Status.PASS:
            rid = f.resource_id or ""
            tail = next((k[2] for k in KNOWN if rid.endswith(k[2])), rid)
            out.add((f.rule_id, f.status.value, tail))
    return out


def test_seeded_estate_gives_exactly_the_known_findings(judge: Callable[..., Results]) -> None:
    results = judge(seeded_doc())
    assert _suffixes(results) == KNOWN
    assert {f.rule_id for f in results.findings if f.status is Status.PASS} >= {
        "ATL-PL-001", "ATL-PL-002", "ATL-PL-003", "ATL-PL-004", "ATL-PL-005", "ATL-NET-001", "ATL-NET-002",
        "ATL-DB-001", "ATL-DB-002", "ATL-DB-003", "ATL-DB-005", "ATL-SEC-002", "ATL-SEC-003", "ATL-SEC-004",
        "ATL-ECS-001", "ATL-ECS-002", "ATL-ECS-003", "ATL-CM-001", "ATL-CM-002", "ATL-CM-003",
    }
    waived = next(f for f in results.findings if f.status is Status.WAIVED)
    assert waived.waiver is not None and waived.waiver.issue == "ENG-412" and waived.waiver.expires == "2027-01-31"


def _attrs(doc: dict[str, Any], kind: str, suffix: str = "") -> dict[str, Any]:
    return find(doc, kind, suffix)["attributes"]


def _sg_open(doc: dict[str, Any]) -> None:
    _attrs(doc, "aws.ec2.security_group", "sg-app")["IpPermissions"].append(
        {"IpProtocol": "tcp", "FromPort": 27017, "ToPort": 27017, "IpRanges": [], "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}
    )


def _interface_pending(doc: dict[str, Any]) -> None:
    _attrs(doc, "atlas.interface_endpoint")["connectionStatus"] = "PENDING_ACCEPTANCE"


def _one_az(doc: dict[str, Any]) -> None:
    _attrs(doc, "aws.ec2.vpc_endpoint")["SubnetIds"] = ["subnet-a"]


def _other_service(doc: dict[str, Any]) -> None:
    _attrs(doc, "aws.ec2.vpc_endpoint")["ServiceName"] = "com.amazonaws.vpce.us-east-1.vpce-svc-0ffffffffffffffff"


def _pl_port_wide(doc: dict[str, Any]) -> None:
    _attrs(doc, "aws.ec2.security_group", "sg-pl")["IpPermissions"].append(
        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22, "IpRanges": [{"CidrIp": "10.20.0.0/16"}], "Ipv6Ranges": []}
    )


def _pl_foreign_cidr(doc: dict[str, Any]) -> None:
    _attrs(doc, "aws.ec2.security_group", "sg-pl")["IpPermissions"][0]["IpRanges"].append({"CidrIp": "172.16.0.0/12"})


def _tls_old(doc: dict[str, Any]) -> None:
    _attrs(doc, "atlas.cluster", "reference-cluster")["processArgs"]["minimumEnabledTlsProtocol"] = "TLS1_0"


def _access(doc: dict[str, Any], cidr: str, comment: str | None) -> None:
    entry = copy.deepcopy(find(doc, "atlas.access_list_entry", "198.51.100.0/28"))
    entry["id"] = entry["id"].replace("198.51.100.0/28", cidr)
    entry["attributes"] = {"cidrBlock": cidr, **({"comment": comment} if comment else {})}
    doc["resources"].append(entry)


def _reference_writer(doc: dict[str, Any]) -> None:
    _attrs(doc, "atlas.database_user", "app_read_staging")["roles"].append({"roleName": "readWrite", "databaseName": "cms"})


def _reference_unscoped(doc: dict[str, Any]) -> None:
    _attrs(doc, "atlas.database_user", "app_read_staging")["scopes"] = []


def _extra_user(doc: dict[str, Any]) -> None:
    user = copy.deepcopy(find(doc, "atlas.database_user", "app_prod"))
    user["id"] = user["id"].replace("app_prod", "break_glass")
    user["attributes"]["username"] = "break_glass"
    doc["resources"].append(user)


def _extra_endpoint(doc: dict[str, Any]) -> None:
    extra = copy.deepcopy(find(doc, "aws.ec2.vpc_endpoint"))
    extra["id"] = extra["id"].replace("vpce-0abc", "vpce-0def")
    extra["attributes"].update(VpcEndpointId="vpce-0def", Tags=[{"Key": "Name", "Value": "shadow"}])
    doc["resources"].append(extra)


def _key(doc: dict[str, Any], **changes: Any) -> None:
    _attrs(doc, "aws.kms.key").update(changes)


def _wrong_class(doc: dict[str, Any]) -> None:
    _attrs(doc, "aws.secretsmanager.secret", "reference-uri-GhIjKl")["Tags"] = [{"Key": "data_class", "Value": "phi"}]


def _plaintext_uri(doc: dict[str, Any]) -> None:
    container = _attrs(doc, "aws.ecs.task_definition", ":2")["containerDefinitions"][0]
    container["environment"].append({"name": "MONGODB_URI", "value": "[redacted sha256:0123456789abcdef]"})


def _old_revision(doc: dict[str, Any]) -> None:
    service = _attrs(doc, "aws.ecs.service")
    service["taskDefinition"] = service["taskDefinition"].replace(":2", ":1")


def _aws_event(event_id: str, principal: str) -> dict[str, Any]:
    return {"id": f"arn:aws:cloudtrail:us-east-1:123456789012:event/{event_id}", "type": "aws.cloudtrail.change_event",
            "provider": "aws", "scope": "123456789012", "region": "us-east-1", "source": ["cloudtrail:LookupEvents"],
            "attributes": {"eventId": event_id, "eventName": "RegisterTaskDefinition", "principal": principal, "errorCode": None}}


def _rollout(doc: dict[str, Any]) -> None:
    _attrs(doc, "aws.ecs.service")["deployments"][0]["rolloutState"] = "IN_PROGRESS"


FAULTS: dict[str, tuple[Callable[[dict[str, Any]], None], str]] = {
    "ATL-PL-001": (lambda d: _attrs(d, "atlas.endpoint_service").update(status="FAILED"), "endpoint_service/es1"),
    "ATL-PL-002": (_interface_pending, "interface_endpoint/vpce-0abc"),
    "ATL-PL-003": (lambda d: _attrs(d, "aws.ec2.vpc_endpoint").update(State="pendingAcceptance"), "vpc-endpoint/vpce-0abc"),
    "ATL-PL-004": (_one_az, "vpc-endpoint/vpce-0abc"),
    "ATL-PL-005": (_other_service, "vpc-endpoint/vpce-0abc"),
    "ATL-NET-001": (_pl_port_wide, "security-group/sg-pl"),
    "ATL-NET-002": (_sg_open, "security-group/sg-app"),
    "ATL-NET-003": (lambda d: _attrs(d, "aws.ec2.security_group", "sg-app")["IpPermissions"].append(
        {**_perm(22, 22, "10.0.0.0/8"), "Ipv6Ranges": [{"CidrIpv6": "::/0"}]}), "security-group/sg-app"),
    "ATL-NET-004": (lambda d: _attrs(d, "aws.ec2.security_group", "sg-app")["IpPermissions"].append(
        _perm(8000, 9000, "0.0.0.0/1")), "security-group/sg-app"),
    "ATL-NET-005": (lambda d: _attrs(d, "aws.ec2.network_acl")["Entries"].append(
        {"Egress": False, "RuleNumber": 5, "RuleAction": "allow", "Protocol": "6", "CidrBlock": "0.0.0.0/0",
         "PortRange": {"From": 22, "To": 22}}), "network-acl/acl-prod"),
    "ATL-NET-006": (lambda d: _attrs(d, "aws.ec2.network_acl")["Entries"].pop(3), "network-acl/acl-prod"),
    "ATL-CM-006": (lambda d: _attrs(d, "aws.cloudtrail.trail")["Status"].update(IsLogging=False), "account:aws/123456789012"),
    "ATL-CM-007": (lambda d: _attrs(d, "aws.config.recorder")["recordingGroup"].update(allSupported=False),
                   "account:aws/123456789012"),
    "ATL-TLS-001": (lambda d: _attrs(d, "aws.elbv2.listener").update(SslPolicy="ELBSecurityPolicy-TLS-1-1-2017-01"), "listener/app/shop-public/1/443"),
    "ATL-TLS-002": (lambda d: _attrs(d, "aws.acm.certificate").update(NotAfter="2026-12-20T00:00:00Z"), "certificate/shop"),
    "ATL-TLS-003": (lambda d: _attrs(d, "aws.cloudfront.distribution").update(
        CacheBehaviors={"Quantity": 1, "Items": [{"PathPattern": "/img/*", "ViewerProtocolPolicy": "allow-all"}]}),
        "distribution/E1SHOP"),
    "ATL-DB-006": (lambda d: _attrs(d, "atlas.encryption_at_rest").update(awsKms={"enabled": True, "valid": False}),
                   "cluster/prod-cluster"),
    "ATL-DB-007": (lambda d: _attrs(d, "atlas.audit_log").update(enabled=False), "audit_log/config"),
    "ATL-DB-008": (lambda d: _attrs(d, "atlas.org_settings").update(multiFactorAuthRequired=False), "org_settings/settings"),
    "ATL-DB-001": (_tls_old, "cluster/reference-cluster"),
    "ATL-DB-002": (lambda d: _access(d, "0.0.0.0/0", "temporary"), "access_list_entry/0.0.0.0/0"),
    "ATL-DB-003": (lambda d: _access(d, "198.51.100.16/28", None), "access_list_entry/198.51.100.16/28"),
    "ATL-DB-004": (lambda d: _access(d, "192.0.2.0/24", "partner"), "access_list_entry/192.0.2.0/24"),
    "ATL-DB-005": (_reference_writer, "database_user/admin/app_read_staging"),
    "ATL-SEC-001": (lambda d: _key(d, KeyManager="AWS"), "prod/mongodb/uri-AbCdEf"),
    "ATL-SEC-002": (lambda d: _key(d, KeyRotationEnabled=False), "prod/mongodb/uri-AbCdEf"),
    "ATL-SEC-003": (lambda d: _key(d, KeyState="PendingDeletion", Enabled=False), "prod/mongodb/uri-AbCdEf"),
    "ATL-SEC-004": (_wrong_class, "reference-uri-GhIjKl"),
    "ATL-SEC-005": (lambda d: _attrs(d, "aws.secretsmanager.secret", "prod/mongodb/uri-AbCdEf").update(Tags=[]),
                    "prod/mongodb/uri-AbCdEf"),
    "ATL-ECS-001": (_plaintext_uri, "task-definition/shopping-app:2"),
    "ATL-ECS-002": (_old_revision, "service/prod/shopping-app"),
    "ATL-ECS-003": (_rollout, "service/prod/shopping-app"),
    "ATL-CM-001": (_extra_endpoint, "vpc-endpoint/vpce-0def"),
    "ATL-CM-002": (_extra_user, "database_user/admin/break_glass"),
    "ATL-CM-003": (lambda d: _access(d, "10.30.0.0/16", "staging VPC"), "access_list_entry/10.30.0.0/16"),
    "ATL-CM-004": (lambda d: None, "service/prod/shopping-app"),
    "ATL-CM-008": (lambda d: d["resources"].append(_aws_event("evt-hand", "arn:aws:iam::123456789012:user/jdoe")), "event/evt-hand"),
    "ATL-BAA-001": (
        lambda d: d["resources"].append({**find(d, "atlas.project", "/project/reference"), "id": "atlas:6a7000000000000000000009/project/shadow",
                                        "scope": "6a7000000000000000000009"}),
        "scope:atlas/6a7000000000000000000009",
    ),
    "ATL-CM-005": (
        lambda d: d.update(resources=[r for r in d["resources"] if r["attributes"].get("username") != "app_read_staging"]),
        "declared:database_user/reference/app_read_staging",
    ),
}


def test_every_rule_has_a_fault(policy: Any) -> None:
    assert sorted(FAULTS) == sorted(r.id for r in policy.rules)


@pytest.mark.parametrize("rule_id", sorted(FAULTS))
def test_rule_fails_on_its_fault(rule_id: str, judge: Callable[..., Results]) -> None:
    plant, target = FAULTS[rule_id]
    doc = seeded_doc()
    plant(doc)
    doc["resources"].sort(key=lambda r: (r["id"], r["type"]))
    results = judge(doc)
    failing = [f for f in results.findings if f.rule_id == rule_id and f.status is Status.FAIL]
    assert [f.resource_id for f in failing if f.resource_id and f.resource_id.endswith(target)], failing
    for finding in failing:
        if finding.resource_id and finding.resource_id.startswith("scope:"):
            continue  # a scope cites its BAA records, then its first resource: test_policy_baa.py
        if finding.resource_id and finding.resource_id.startswith("account:"):
            # the account as declared; its facts' inputs (trails, recorders) are the other citations
            assert finding.evidence.startswith("config/attest.yaml#/aws/accounts/")
            continue
        if finding.resource_id and finding.resource_id.startswith("declared:"):
            assert finding.evidence.startswith("config/attest.yaml#/")  # absence: the entry that declares it
            continue
        cited = [c for c in (finding.evidence, *finding.cites) if c.startswith("/resources/")]
        assert finding.resource_id in [doc["resources"][int(c.split("/")[2])]["id"] for c in cited]


def test_unscoped_reference_user_fails(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    _reference_unscoped(doc)
    failing = [f for f in judge(doc).findings if f.rule_id == "ATL-DB-005" and f.status is Status.FAIL]
    assert failing and "not scoped" in failing[0].message


def test_privatelink_sg_with_foreign_cidr_fails(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    _pl_foreign_cidr(doc)
    failing = [f for f in judge(doc).findings if f.rule_id == "ATL-NET-001" and f.status is Status.FAIL]
    assert failing and "outside the VPC CIDR" in failing[0].message


def test_hand_revision_passes_provenance_once_tagged(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    _attrs(doc, "aws.ecs.task_definition", ":2")["tags"] = [{"key": "git_sha", "value": "abc123"}]
    assert not [f for f in judge(doc).findings if f.rule_id == "ATL-CM-004" and f.status is not Status.PASS]


def test_registered_by_a_deploy_principal_is_provenance(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    _attrs(doc, "aws.ecs.task_definition", ":2")["registeredBy"] = "arn:aws:iam::123456789012:role/github-actions-deploy"
    assert not [f for f in judge(doc).findings if f.rule_id == "ATL-CM-004" and f.status is not Status.PASS]


def test_missing_required_resource_is_error_not_pass(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    doc["resources"] = [r for r in doc["resources"] if r["type"] != "aws.ec2.vpc_endpoint"]
    results = judge(doc)
    for rule_id in ("ATL-PL-003", "ATL-PL-004", "ATL-PL-005"):
        statuses = {f.status for f in results.findings if f.rule_id == rule_id}
        assert statuses == {Status.ERROR}, rule_id
    assert results.exit_code() == 1
    assert next(f for f in results.findings if f.rule_id == "ATL-PL-003").evidence == "/resources"


def test_every_control_appears_even_without_resources(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    doc["resources"] = []
    results = judge(doc)
    assert [c.control_id for c in results.controls] == [
        "HIPAA-164.312(e)(1)", "HIPAA-164.312(a)(2)(iv)", "HIPAA-164.312(b)", "SOC2-CC6.6", "SOC2-CC6.7", "SOC2-CC8.1",
    ]
    assert all(c.status is Status.ERROR for c in results.controls if c.control_id not in ("SOC2-CC6.6", "SOC2-CC8.1"))
    # nothing failed to be read, so every item the config declares is simply absent: a violation
    assert next(c for c in results.controls if c.control_id == "SOC2-CC8.1").status is Status.FAIL
    assert results.exit_code() == 1


def test_key_named_by_alias_resolves(judge: Callable[..., Results]) -> None:
    """The reference secret names its key by alias; the graph resolves it to the same key."""
    results = judge(seeded_doc())
    passes = [f for f in results.findings if f.rule_id == "ATL-SEC-002" and f.status is Status.PASS]
    assert {f.resource_id.rsplit(":", 1)[-1] for f in passes if f.resource_id} == {"prod/mongodb/uri-AbCdEf", "prod/mongodb/reference-uri-GhIjKl"}


def test_interface_endpoint_registering_a_foreign_endpoint_fails(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    _attrs(doc, "atlas.interface_endpoint")["interfaceEndpointId"] = "vpce-0somebodyelse"
    failing = [f for f in judge(doc).findings if f.rule_id == "ATL-PL-002" and f.status is Status.FAIL]
    assert failing and "not the configured PrivateLink endpoint" in failing[0].message


def test_registered_by_a_person_fails_even_with_tags(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    td = _attrs(doc, "aws.ecs.task_definition", ":2")
    td.update(registeredBy="arn:aws:iam::123456789012:user/jdoe", tags=[{"key": "git_sha", "value": "abc123"}])
    failing = [f for f in judge(doc).findings if f.rule_id == "ATL-CM-004" and f.status is Status.FAIL]
    assert failing and "registeredBy is not a deploy principal" in failing[0].message


def test_privatelink_sg_admitting_a_security_group_fails(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    perms = _attrs(doc, "aws.ec2.security_group", "sg-pl")["IpPermissions"]
    perms[0]["UserIdGroupPairs"] = [{"GroupId": "sg-0other", "UserId": "210987654321"}]
    failing = [f for f in judge(doc).findings if f.rule_id == "ATL-NET-001" and f.status is Status.FAIL]
    assert failing and "admits a security group" in failing[0].message


def test_access_list_halves_of_the_internet_are_open(judge: Callable[..., Results]) -> None:
    doc = seeded_doc()
    _access(doc, "0.0.0.0/1", "temporary")
    failing = [f for f in judge(doc).findings if f.rule_id == "ATL-DB-002" and f.status is Status.FAIL]
    assert [f.resource_id for f in failing if f.resource_id.endswith("/0.0.0.0/1")]
