"""The edge and change evidence of one generated account-region: its load balancers' listeners, the
ACM certificates they serve, the account's CloudFront distribution (us-east-1 only, as CloudFront is
global) and the CloudTrail change records of its ECS deployments.

Each is shaped as the collector writes it (collector/aws/elbv2.py, acm.py, cloudfront.py,
cloudtrail_events.py): the API's item passed through the collector's own `plain`, and change records
built as LookupEvents items and reduced by its `parse_event`, so the rules read what they read on
real data. Faults are planted at fixed rates, CloudFront's by account number (one distribution per
account is too few for a rate), and each expected status goes to the `Tally`.
"""
from __future__ import annotations

import json
import random
import uuid
from datetime import datetime, timedelta, timezone

from synth_aws import Doc, Release, _arn
from synth_estate import COLLECTED_AT, Shape, Tally, Unit

from attest.collector.aws import acm, cloudfront, cloudtrail_events, elbv2
from attest.collector.aws.reading import plain

CERT_MIN_DAYS = 30  # aws.certificate_min_days in the generated config: ATL-TLS-002's window
# Policies ATL-TLS-001 accepts (TLS 1.2 or newer) and, planted, ones that still allow TLS 1.0/1.1.
STRONG_POLICIES = ("ELBSecurityPolicy-TLS13-1-2-2021-06", "ELBSecurityPolicy-TLS13-1-2-Res-2021-06",
                   "ELBSecurityPolicy-TLS-1-2-Ext-2018-06", "ELBSecurityPolicy-FS-1-2-Res-2020-10")
WEAK_POLICIES = ("ELBSecurityPolicy-2016-08", "ELBSecurityPolicy-TLS-1-1-2017-01", "ELBSecurityPolicy-TLS13-1-0-2021-06")
SSO_ADMIN = "aws-reserved/sso.amazonaws.com/AWSReservedSSO_AdministratorAccess_5c2e1a9b3d7f4e60"
# ECS service auto scaling: the service principal and the service-linked role it calls UpdateService through.
AUTOSCALING = "ecs.application-autoscaling.amazonaws.com"
AUTOSCALING_ROLE = f"aws-service-role/{AUTOSCALING}/AWSServiceRoleForApplicationAutoScaling_ECSService"


def _aws(unit: Unit, kind: str, rid: str, attrs: Doc, source: tuple[str, ...]) -> Doc:
    """A resource as `Reading.add` writes it: the collector's source operations, `plain` attributes."""
    return {"id": rid, "type": kind, "provider": "aws", "scope": unit.account, "region": unit.region,
            "source": list(source), "attributes": plain(attrs)}


def _day_end(moment: datetime, days: int) -> datetime:
    """23:59:59 UTC, `days` days after `moment`'s date: where ACM puts a certificate's NotAfter."""
    return datetime.combine(moment.date() + timedelta(days=days), datetime.max.time().replace(microsecond=0), tzinfo=timezone.utc)


class EdgeBuilder:
    """Builds one account-region's listeners, certificates, distribution and change records."""

    def __init__(self, unit: Unit, shape: Shape, rng: random.Random, tally: Tally) -> None:
        self.unit, self.shape, self.rng, self.tally = unit, shape, rng, tally
        self.deploy = f"arn:aws:iam::{unit.account}:role/github-actions-deploy"
        # Draws of their own for the auto scaling records, so the rest of the estate stays as it was
        # generated before they were planted (the filler security groups give way to them).
        self.scaling = random.Random(f"{unit.account}/{unit.region}/autoscaling")
        self.out: list[Doc] = []

    def build(self, releases: list[Release]) -> list[Doc]:
        origins = [self._public_balancer(j) for j in range(self.shape.unit_sizes["balancers"])]
        self._internal_balancer()
        self._certificate("legacy", [])  # superseded and unused: ATL-TLS-002 judges only certificates in use
        if self.unit.region == cloudfront.HOME_REGION:
            self._distribution(origins[0])
        for release in releases:
            self._change_records(release)
        return self.out

    def _hex(self, digits: int) -> str:
        return f"{self.rng.getrandbits(4 * digits):0{digits}x}"

    def _balancer(self, name: str, scheme: str) -> dict[str, str]:
        """DescribeLoadBalancers' keys that elbv2.py keeps with each listener."""
        arn = _arn(self.unit, "elasticloadbalancing", f"loadbalancer/app/{name}/{self._hex(16)}")
        prefix = "" if scheme == "internet-facing" else "internal-"
        return {"LoadBalancerArn": arn, "LoadBalancerName": name, "Scheme": scheme, "Type": "application",
                "DNSName": f"{prefix}{name}-{self.rng.randrange(10**9, 10**10)}.{self.unit.region}.elb.amazonaws.com"}

    def _listener(self, balancer: dict[str, str], port: int, protocol: str, action: Doc, tls: Doc | None = None) -> None:
        name, lb_id = balancer["LoadBalancerArn"].rsplit("/", 2)[1:]
        arn = _arn(self.unit, "elasticloadbalancing", f"listener/app/{name}/{lb_id}/{self._hex(16)}")
        listener = {"ListenerArn": arn, "LoadBalancerArn": balancer["LoadBalancerArn"], "Port": port, "Protocol": protocol,
                    **(tls or {}), "DefaultActions": [{**action, "Order": 1}]}
        self.out.append(_aws(self.unit, "aws.elbv2.listener", arn, {**listener, "LoadBalancer": balancer}, elbv2.SOURCE))

    def _forward(self, name: str) -> Doc:
        group = _arn(self.unit, "elasticloadbalancing", f"targetgroup/{name}/{self._hex(16)}")
        return {"Type": "forward", "TargetGroupArn": group, "ForwardConfig": {
            "TargetGroups": [{"TargetGroupArn": group, "Weight": 1}], "TargetGroupStickinessConfig": {"Enabled": False}}}

    def _public_balancer(self, j: int) -> str:
        """An internet-facing ALB: HTTPS on 443 with its certificate and a TLS policy (planted: one
        that allows TLS 1.0/1.1), and HTTP on 80 redirecting to HTTPS (planted: forwarding plaintext).
        Returns its DNS name (the CloudFront origin)."""
        name = f"web-{j}"
        balancer = self._balancer(name, "internet-facing")
        certificate = self._certificate(f"{name}.{self.unit.region}", [balancer["LoadBalancerArn"]])
        weak = self.rng.random() < 0.1
        policy = self.rng.choice(WEAK_POLICIES if weak else STRONG_POLICIES)
        target = self._forward(name)
        self._listener(balancer, 443, "HTTPS", target, {"Certificates": [{"CertificateArn": certificate}], "SslPolicy": policy})
        self.tally.add("ATL-TLS-001", "fail" if weak else "pass")
        plaintext = self.rng.random() < 0.05
        redirect = {"Type": "redirect", "RedirectConfig": {"Protocol": "HTTPS", "Port": "443", "Host": "#{host}", "Path": "/#{path}",
                                                           "Query": "#{query}", "StatusCode": "HTTP_301"}}
        self._listener(balancer, 80, "HTTP", target if plaintext else redirect)
        self.tally.add("ATL-TLS-001", "fail" if plaintext else "pass")
        return balancer["DNSName"]

    def _internal_balancer(self) -> None:
        """Plain HTTP inside the VPC: out of ATL-TLS-001's scope (internet-facing only), no finding."""
        self._listener(self._balancer("internal-api", "internal"), 80, "HTTP", self._forward("internal-api"))

    def _certificate(self, host: str, in_use_by: list[str], expiring: bool = False) -> str:
        """A DescribeCertificate answer. Most are ACM-issued, renewed 60 days before expiry, so never
        inside the window; one in eight (planted) is imported, renewed by hand, and may be expiring
        or expired; an `expiring` one is imported and expires inside the window. Returns its ARN."""
        u, domain = self.unit, f"{host}.{self.unit.account}.healthshop.example"
        arn = _arn(u, "acm", f"certificate/{uuid.UUID(int=self.rng.getrandbits(128), version=4)}")
        if expiring or self.rng.random() < 0.125:
            not_after = _day_end(COLLECTED_AT, self.rng.randrange(-5, CERT_MIN_DAYS if expiring else 60))
            not_before = not_after - timedelta(days=365)
            details: Doc = {"Issuer": "DigiCert Inc", "ImportedAt": not_before + timedelta(days=2), "Type": "IMPORTED",
                            "RenewalEligibility": "INELIGIBLE"}
        else:
            not_before = COLLECTED_AT - timedelta(days=self.rng.randrange(1, 335), seconds=self.rng.randrange(86400))
            not_after = _day_end(not_before, 395)
            details = {"DomainValidationOptions": [{
                "DomainName": domain, "ValidationDomain": domain, "ValidationStatus": "SUCCESS", "ValidationMethod": "DNS",
                "ResourceRecord": {"Name": f"_{self._hex(32)}.{domain}.", "Type": "CNAME", "Value": f"_{self._hex(32)}.acm-validations.aws."},
            }], "Issuer": "Amazon", "CreatedAt": not_before, "IssuedAt": not_before, "Type": "AMAZON_ISSUED",
                "RenewalEligibility": "ELIGIBLE" if in_use_by else "INELIGIBLE"}
        self.out.append(_aws(u, "aws.acm.certificate", arn, {
            "CertificateArn": arn, "DomainName": domain, "SubjectAlternativeNames": [domain],
            "Serial": ":".join(self._hex(2) for _ in range(16)), "Subject": f"CN={domain}",
            "Status": "ISSUED" if not_after > COLLECTED_AT else "EXPIRED", "NotBefore": not_before, "NotAfter": not_after,
            "KeyAlgorithm": "RSA-2048", "SignatureAlgorithm": "SHA256WITHRSA", "InUseBy": in_use_by,
            "KeyUsages": [{"Name": "DIGITAL_SIGNATURE"}, {"Name": "KEY_ENCIPHERMENT"}],
            "ExtendedKeyUsages": [{"Name": "TLS_WEB_SERVER_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.1"},
                                  {"Name": "TLS_WEB_CLIENT_AUTHENTICATION", "OID": "1.3.6.1.5.5.7.3.2"}],
            "Options": {"CertificateTransparencyLoggingPreference": "ENABLED"}, **details}, acm.SOURCE))
        if in_use_by:
            self.tally.add("ATL-TLS-002", "pass" if (not_after - COLLECTED_AT).days >= CERT_MIN_DAYS else "fail")
        return arn

    def _distribution(self, origin: str) -> None:
        """The account's CloudFront distribution in front of its first public balancer, with a
        `/static/*` behaviour. Planted by account number, one in ten each: the default behaviour
        allow-all, a `/legacy/*` behaviour allow-all, a TLSv1.1 viewer minimum (all ATL-TLS-003 fail),
        and an imported certificate inside the expiry window (ATL-TLS-002 fail)."""
        u, plant = self.unit, int(self.unit.account) % 10
        dist_id = "E" + "".join(self.rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789") for _ in range(13))
        arn = f"arn:aws:cloudfront::{u.account}:distribution/{dist_id}"
        alias = f"shop.{u.account}.healthshop.example"
        certificate = self._certificate("shop", [arn], expiring=plant == 2)

        def behaviour(policy: str, path: str | None = None) -> Doc:
            methods = ["HEAD", "GET"]
            return {**({"PathPattern": path} if path else {}), "TargetOriginId": "web-0",
                    "TrustedSigners": {"Enabled": False, "Quantity": 0}, "TrustedKeyGroups": {"Enabled": False, "Quantity": 0},
                    "ViewerProtocolPolicy": policy, "AllowedMethods": {
                        "Quantity": 2, "Items": methods, "CachedMethods": {"Quantity": 2, "Items": methods}},
                    "SmoothStreaming": False, "Compress": True, "LambdaFunctionAssociations": {"Quantity": 0},
                    "FunctionAssociations": {"Quantity": 0}, "FieldLevelEncryptionId": "",
                    "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"}

        behaviours = [behaviour("redirect-to-https", "/static/*")] + ([behaviour("allow-all", "/legacy/*")] if plant == 4 else [])
        self.out.append(_aws(u, "aws.cloudfront.distribution", arn, {
            "Id": dist_id, "ARN": arn, "Status": "Deployed", "LastModifiedTime": COLLECTED_AT - timedelta(days=40),
            "DomainName": f"d{self._hex(13)}.cloudfront.net", "Aliases": {"Quantity": 1, "Items": [alias]},
            "Origins": {"Quantity": 1, "Items": [{
                "Id": "web-0", "DomainName": origin, "OriginPath": "", "CustomHeaders": {"Quantity": 0},
                "CustomOriginConfig": {"HTTPPort": 80, "HTTPSPort": 443, "OriginProtocolPolicy": "https-only",
                                       "OriginSslProtocols": {"Quantity": 1, "Items": ["TLSv1.2"]},
                                       "OriginReadTimeout": 30, "OriginKeepaliveTimeout": 5},
                "ConnectionAttempts": 3, "ConnectionTimeout": 10, "OriginShield": {"Enabled": False}, "OriginAccessControlId": ""}]},
            "OriginGroups": {"Quantity": 0},
            "DefaultCacheBehavior": behaviour("allow-all" if plant == 1 else "redirect-to-https"),
            "CacheBehaviors": {"Quantity": len(behaviours), "Items": behaviours},
            "CustomErrorResponses": {"Quantity": 0}, "Comment": "shop", "PriceClass": "PriceClass_100", "Enabled": True,
            "ViewerCertificate": {"ACMCertificateArn": certificate, "SSLSupportMethod": "sni-only",
                                  "MinimumProtocolVersion": "TLSv1.1_2016" if plant == 7 else "TLSv1.2_2021",
                                  "Certificate": certificate, "CertificateSource": "acm"},
            "Restrictions": {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}}, "WebACLId": "",
            "HttpVersion": "http2", "IsIPV6Enabled": True, "Staging": False}, cloudfront.ACTIONS))
        self.tally.add("ATL-TLS-003", "fail" if plant in (1, 4, 7) else "pass")

    def _change_records(self, release: Release) -> None:
        """A release's RegisterTaskDefinition, the UpdateService that deployed it (by the same
        principal, minutes later; none where the service still runs the revision before), now and
        then (planted) an on-call engineer scaling the service by hand through SSO, and for one
        service in twenty ECS service auto scaling setting its desired count through its service-linked
        role (out of ATL-CM-008's scope: no finding)."""
        revision = release.task_definition.rsplit("/", 1)[1]
        family, number = revision.split(":")
        self._record("RegisterTaskDefinition", release.registered_at, release.principal,
                     {"family": family, "networkMode": "awsvpc", "requiresCompatibilities": ["FARGATE"]},
                     {"taskDefinition": {"taskDefinitionArn": release.task_definition, "family": family,
                                         "revision": int(number), "status": "ACTIVE"}})
        if release.deployed:
            self._record("UpdateService", release.registered_at + timedelta(seconds=self.rng.randrange(60, 240)), release.principal,
                         {"cluster": "main", "service": release.service, "taskDefinition": revision, "forceNewDeployment": False})
        if self.rng.random() < 0.03:
            at = COLLECTED_AT - timedelta(seconds=self.rng.randrange(3600, 89 * 86400))
            self._record("UpdateService", at, f"arn:aws:iam::{self.unit.account}:role/{SSO_ADMIN}",
                         {"cluster": "main", "service": release.service, "desiredCount": 4})
        if self.scaling.random() < 0.05:
            at = COLLECTED_AT - timedelta(seconds=self.scaling.randrange(3600, 89 * 86400))
            self._record("UpdateService", at, f"arn:aws:iam::{self.unit.account}:role/{AUTOSCALING_ROLE}",
                         {"cluster": "main", "service": release.service, "desiredCount": 3}, invoked_by=AUTOSCALING,
                         rng=self.scaling)

    def _record(self, name: str, at: datetime, principal: str, request: Doc, response: Doc | None = None,
                invoked_by: str | None = None, rng: random.Random | None = None) -> None:
        """One change record: a LookupEvents item as CloudTrail returns it, reduced by the collector's
        `parse_event`; ATL-CM-008 passes it only when its principal is a deploy principal (of the
        generated ones, the account's deploy role), and judges none an AWS service made (`invoked_by`)."""
        rng = rng or self.rng
        u, event_id = self.unit, str(uuid.UUID(int=rng.getrandbits(128), version=4))
        kind, _, path = principal.split(":", 5)[5].partition("/")
        name_shown = path.rsplit("/", 1)[-1]  # the user, or the role's session
        if kind == "user":
            identity: Doc = {"type": "IAMUser", "arn": principal, "accountId": u.account, "userName": name_shown}
        else:
            role, name_shown = name_shown, f"session-{rng.getrandbits(32):08x}"
            identity = {"type": "AssumedRole", "arn": f"arn:aws:sts::{u.account}:assumed-role/{role}/{name_shown}",
                        "accountId": u.account, "sessionContext": {"sessionIssuer": {
                            "type": "Role", "arn": principal, "accountId": u.account, "userName": role}}}
        if invoked_by:
            identity["invokedBy"] = invoked_by
        detail = {"eventVersion": "1.09", "userIdentity": identity, "eventTime": plain(at), "eventSource": "ecs.amazonaws.com",
                  "eventName": name, "awsRegion": u.region, "requestParameters": request, "responseElements": response,
                  "eventID": event_id, "readOnly": False, "eventType": "AwsApiCall", "recipientAccountId": u.account}
        item = {"EventId": event_id, "EventName": name, "ReadOnly": "false", "EventTime": at, "EventSource": "ecs.amazonaws.com",
                "Username": name_shown, "CloudTrailEvent": json.dumps(detail)}
        record = cloudtrail_events.parse_event(item)
        self.out.append(_aws(u, cloudtrail_events.RESOURCE_TYPE, f"arn:aws:cloudtrail:{u.region}:{u.account}:event/{event_id}",
                             record, (cloudtrail_events.OPERATION,)))
        if not invoked_by:
            self.tally.add("ATL-CM-008", "pass" if record["principal"] == self.deploy else "fail")
