"""A fixed, small estate for the report tests: every status, all four controls, every waiver state.

Collected 2026-11-20; one waiver expires within 30 days of that, one has lapsed; findings come from
the live, Terraform and code planes (the live secret and the Terraform resource declaring it are linked);
an AWS account and an Atlas project are seen but not under a BAA.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from attest.collector.config import EstateConfig, parse_config
from attest.collector.snapshot import Gap, Identity, Resource, Snapshot
from attest.core.yamlfile import parse_yaml
from attest.policies.findings import (
    Attestation,
    ControlResult,
    Finding,
    Mapping,
    Remediation,
    Results,
    Status,
    WaiverRef,
    rollup,
)
from attest.reports.bundle import BundleRef, Provenance

ACCOUNT = "123456789012"
STRAY_ACCOUNT = "210987654321"
PROD = "6a7000000000000000000001"
REFERENCE = "6a7000000000000000000002"
SANDBOX = "6a7000000000000000000003"
SECRET_ARN = f"arn:aws:secretsmanager:us-east-1:{ACCOUNT}:secret:prod/mongodb/uri-AbCdEf"
TASK_ARN = f"arn:aws:ecs:us-east-1:{ACCOUNT}:task-definition/shopping-app:7"
LAPTOP = f"atlas:{REFERENCE}/access_list_entry/203.0.113.45/32"
CONTRACTOR = f"atlas:{REFERENCE}/access_list_entry/198.51.100.77/32"
PROD_CLUSTER = f"atlas:{PROD}/cluster/prod-cluster"
STRAY_VPC = f"arn:aws:ec2:us-east-1:{STRAY_ACCOUNT}:vpc/vpc-0stray"
SANDBOX_PROJECT = f"atlas:{SANDBOX}/project/sandbox"
TF_FILE = "infra/envs/prod/secrets.tf"
TF_SECRET = "aws_secretsmanager_secret.reference_uri"
TS_FILE = "app/src/db/reference.ts"

CONFIG_YAML = f"""\
version: 1
aws:
  accounts:
    - {{id: "{ACCOUNT}", name: prod, regions: [us-east-1]}}
atlas:
  projects:
    - {{id: {PROD}, name: prod, role: phi}}
    - {{id: {REFERENCE}, name: reference, role: reference}}
vendors:
  - name: MongoDB Atlas
    services: [Atlas clusters (prod, reference), PrivateLink endpoint service]
    data_classes: [phi, public]
    baa: {{signed: true, atlas_projects: [prod, {REFERENCE}]}}
  - name: Amazon Web Services
    services: [ECS Fargate, Secrets Manager, KMS, VPC]
    data_classes: [phi, public]
    baa: {{signed: true, aws_accounts: ["{ACCOUNT}"]}}
  - name: Pager Co
    services: [on-call paging]
    data_classes: [internal]
    baa: {{signed: false}}
    notes: "Receives alert titles only | never PHI"
"""


def snapshot() -> Snapshot:
    def aws(arn: str, kind: str, op: str, attrs: dict[str, object], account: str = ACCOUNT) -> Resource:
        return Resource(arn, kind, "aws", account, "us-east-1", (op,), attrs)

    def atlas(rid: str, kind: str, op: str, attrs: dict[str, object], project: str) -> Resource:
        return Resource(rid, kind, "atlas", project, None, (op,), attrs)

    return Snapshot.build(
        collected_at=datetime(2026, 11, 20, 3, 0, tzinfo=timezone.utc),
        collector_version="0.1.0",
        identity=Identity((f"arn:aws:iam::{ACCOUNT}:role/attest-collector",), "attest-reader"),
        scope={"aws_accounts": [{"id": ACCOUNT, "name": "prod", "regions": ["us-east-1"]}]},
        resources=[
            aws(SECRET_ARN, "aws.secretsmanager.secret", "secretsmanager:ListSecrets",
                {"Name": "prod/mongodb/uri", "KmsKeyId": "alias/aws/secretsmanager"}),
            aws(TASK_ARN, "aws.ecs.task_definition", "ecs:DescribeTaskDefinition", {"revision": 7}),
            aws(STRAY_VPC, "aws.ec2.vpc", "ec2:DescribeVpcs", {"VpcId": "vpc-0stray"}, STRAY_ACCOUNT),
            atlas(PROD_CLUSTER, "atlas.cluster", "atlas:listGroupClusters",
                  {"name": "prod-cluster", "processArgs": {"minimumEnabledTlsProtocol": "TLS1_2"}}, PROD),
            atlas(LAPTOP, "atlas.access_list_entry", "atlas:listGroupAccessListEntries",
                  {"cidrBlock": "203.0.113.45/32", "comment": "ingest laptop <temporary>"}, REFERENCE),
            atlas(CONTRACTOR, "atlas.access_list_entry", "atlas:listGroupAccessListEntries",
                  {"cidrBlock": "198.51.100.77/32", "comment": "contractor"}, REFERENCE),
            atlas(SANDBOX_PROJECT, "atlas.project", "atlas:getGroup", {"name": "sandbox"}, SANDBOX),
        ],
        gaps=[Gap("aws", "ecs:DescribeServices", ACCOUNT, "us-east-1", "access_denied",
                  "AccessDeniedException", ("aws.ecs.service",))],
    )


LAPTOP_WAIVER = WaiverRef(
    id="atlas-laptop-ingest", reason="Ingest runs from an engineer laptop until it moves into the VPC",
    owner="sam.okafor", issue="OPS-142", approved_by="priya.shah (CISO)", expires="2026-12-05",
)
LAPSED_WAIVER = WaiverRef(
    id="contractor-temp-access", reason="Contractor migration window",
    owner="lee.chen", issue="OPS-119", approved_by="priya.shah (CISO)", expires="2026-11-01",
)
SPARE_WAIVER = WaiverRef(
    id="tf-legacy-secret", reason="Legacy secret module | replaced in Q2",
    owner="ana.silva", issue="OPS-150", approved_by="priya.shah (CISO)", expires="2027-06-30",
)

BROKEN_WAIVER = WaiverRef(
    id="no-expiry", reason="Open-ended exception", owner="sam.okafor", issue="OPS-151",
    approved_by="", expires="someday", rule_id="atlas.access_list.comment", status="malformed",
    problem="policies/waivers.yaml:31: expires is not a date (YYYY-MM-DD): 'someday'",
)

CMK_FIX = Remediation(
    console=("Open Secrets Manager, choose the secret, Edit encryption key.", "Pick the customer-managed key `alias/attest-secrets`."),
    terraform='resource "aws_secretsmanager_secret" "uri" {\n  kms_key_id = aws_kms_key.secrets.arn\n}',
)


def findings(snap: Snapshot) -> tuple[Finding, ...]:
    p = snap.pointer
    return (
        Finding("atlas.cluster.min_tls", "Cluster minimum TLS is 1.2 or newer", Status.PASS, "high",
                ("CC6.7", "164.312(e)(1)"), PROD_CLUSTER, p(PROD_CLUSTER), "minimum TLS is TLS1_2",
                rationale="Older TLS versions are broken in transit."),
        Finding("secrets.cmk", "Connection-string secrets use a customer-managed KMS key", Status.FAIL, "high",
                ("CC6.7", "164.312(e)(1)"), SECRET_ARN, p(SECRET_ARN),
                "secret is encrypted with the AWS-managed key alias/aws/secretsmanager",
                rationale="Key policy and rotation must be ours.", remediation=CMK_FIX,
                related=(f"{TF_SECRET} ({TF_FILE}:12)",)),
        Finding("secrets.cmk", "Connection-string secrets use a customer-managed KMS key", Status.FAIL, "high",
                ("CC6.7", "164.312(e)(1)"), TF_SECRET, f"{TF_FILE}:12",
                "kms_key_id is not set <declared without a CMK>", plane="terraform", remediation=CMK_FIX,
                related=(SECRET_ARN,)),
        Finding("atlas.access_list.approved", "Access-list entries are inside approved ranges", Status.WAIVED, "medium",
                ("CC6.6",), LAPTOP, p(LAPTOP), "203.0.113.45/32 is outside the approved ranges",
                waiver=LAPTOP_WAIVER),
        Finding("atlas.access_list.approved", "Access-list entries are inside approved ranges", Status.FAIL, "medium",
                ("CC6.6",), CONTRACTOR, p(CONTRACTOR),
                "198.51.100.77/32 is outside the approved ranges; waiver contractor-temp-access lapsed 2026-11-01",
                waiver=LAPSED_WAIVER),
        Finding("code.no_write_to_reference", "Nothing writes toward the reference cluster", Status.PASS, "critical",
                ("CC6.6", "164.312(e)(1)"), None, f"{TS_FILE}:42", "reference client is only used by find()",
                plane="code"),
        Finding("ecs.service.newest_revision", "The service runs the newest task-definition revision", Status.ERROR,
                "medium", ("CC8.1",), None, "/gaps/0", "ecs:DescribeServices was denied: cannot evaluate"),
        Finding("ecs.task_definition.provenance", "Task definitions come from the deploy pipeline", Status.FAIL,
                "high", ("CC8.1",), TASK_ARN, p(TASK_ARN) + "/attributes", "revision 7 has no git_sha tag and was registered by hand",
                missing="registeredBy", cites=(p(SECRET_ARN), "config/attest.yaml#/aws/deploy_principals")),
        Finding("vendor.baa_coverage", "Every account and project seen is under a signed BAA", Status.FAIL, "high",
                ("164.312(e)(1)",), STRAY_VPC, p(STRAY_VPC), f"AWS account {STRAY_ACCOUNT} is not under any BAA"),
        Finding("change.pr_review", "Changes are reviewed before merge", Status.MANUAL, "info",
                ("CC8.1",), None, "", "branch protection requires one approving review (attested)"),
    )


def _control(cid: str, framework: str, title: str, rules: tuple[str, ...], fs: tuple[Finding, ...],
             attestations: tuple[Attestation, ...] = ()) -> ControlResult:
    return ControlResult(
        control_id=cid, framework=framework, title=title,
        summary=f"Our summary of {cid}: {title.lower()}.",
        narrative=f"How the estate meets {cid}: automated rules over live state, Terraform and code.",
        status=rollup(f.status for f in fs if cid in f.controls),
        mappings=tuple(Mapping(r, f"{r} evidences {cid}") for r in rules),
        attestations=attestations,
    )


def results(snap: Snapshot) -> Results:
    fs = findings(snap)
    controls = (
        _control("CC6.6", "SOC 2", "Logical access from outside the system boundary",
                 ("atlas.access_list.approved", "code.no_write_to_reference"), fs),
        _control("CC6.7", "SOC 2", "Restricting transmission of information", ("atlas.cluster.min_tls", "secrets.cmk"), fs),
        _control("CC8.1", "SOC 2", "Change management",
                 ("ecs.service.newest_revision", "ecs.task_definition.provenance", "change.pr_review"), fs,
                 (Attestation("Branch protection requires an approving review", "dana.reyes (Head of Engineering)",
                              "2026-10-01", "2027-03-31"),)),
        _control("164.312(e)(1)", "HIPAA", "Transmission security",
                 ("atlas.cluster.min_tls", "secrets.cmk", "code.no_write_to_reference", "vendor.baa_coverage"), fs,
                 (Attestation("BAA inventory reviewed", "priya.shah (CISO)", "2025-09-01", "2026-09-30"),)),
    )
    return Results(
        snapshot_collected_at="2026-11-20T03:00:00Z",
        snapshot_digest="sha256:" + hashlib.sha256(snap.to_json().encode()).hexdigest(),
        policy_digest="sha256:" + "ab" * 32,
        controls=controls,
        findings=fs,
        waivers=(LAPTOP_WAIVER, LAPSED_WAIVER, SPARE_WAIVER, BROKEN_WAIVER),
        gaps=tuple(g.to_dict() for g in snap.gaps),
    )


def config() -> EstateConfig:
    data, locator = parse_yaml(CONFIG_YAML, "attest.yaml")
    return parse_config(data, locator, "sha256:" + hashlib.sha256(CONFIG_YAML.encode()).hexdigest())


def bundle(snap: Snapshot, res: Results) -> BundleRef:
    def sha(text: str) -> str:
        return hashlib.sha256(text.encode()).hexdigest()

    return BundleRef(
        id="bundle-20261120T030000Z-0001",
        files={
            "snapshot.json": sha(snap.to_json()),
            "findings.json": sha(res.to_json()),
            f"sources/{TF_FILE}": sha("terraform"),
            f"sources/{TS_FILE}": sha("typescript"),
        },
        provenance=Provenance(
            run_started="2026-11-20T02:59:40Z",
            run_finished="2026-11-20T03:01:05Z",
            attest_version="0.1.0",
            manifest_sha256="c0" * 32,
            previous_id="bundle-20261119T030000Z-0000",
            previous_sha256="9e" * 32,
            signing_key="arn:aws:kms:us-east-1:123456789012:key/0f1e2d3c-aaaa-bbbb-cccc-000000000001",
            signed=True,
        ),
    )
