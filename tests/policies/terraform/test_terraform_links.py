"""One rule id across planes: drift's declared->live matching links a Terraform finding to the live
resource it declares and back, on small snapshots built by hand (no checkov needed)."""
from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from attest.collector.config import load_config
from attest.collector.snapshot import Identity, Resource, Snapshot
from attest.policies.findings import Finding, Status
from attest.policies.terraform.drift import match_declared
from attest.policies.terraform.hcl import Declared, load_directory
from attest.policies.terraform.plane import linked

PROD = Path(__file__).parent / "fixtures" / "prod"
SHOWN = "tests/policies/terraform/fixtures/prod"
LOCAL_CONFIG = Path(__file__).resolve().parents[3] / "sandbox" / "attest.local.yaml"
NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
SECRETS = "arn:aws:secretsmanager:us-east-1:123456789012:secret:"
PROD_URI, LEGACY = f"{SECRETS}prod/mongodb/uri-abc", f"{SECRETS}legacy/mongodb/uri-abc"
GONE = f"{SECRETS}prod/mongodb/reference-uri-abc"  # pending deletion: out of drift's scope, so never paired
DECLARED_AS = f"aws_secretsmanager_secret.prod_uri ({SHOWN}/secrets.tf:1)"


def _secret(arn: str, name: str, deleted: str | None = None) -> Resource:
    return Resource(arn, "aws.secretsmanager.secret", "aws", "123456789012", "us-east-1", ("test",),
                    {"Name": name, "KmsKeyId": None, "DeletedDate": deleted, "Tags": []})


def _pairs() -> tuple[tuple[Declared, Resource], ...]:
    snapshot = Snapshot.build(collected_at=NOW, collector_version="test", identity=Identity(), scope={}, gaps=(),
                              resources=(_secret(PROD_URI, "prod/mongodb/uri"), _secret(LEGACY, "legacy/mongodb/uri"),
                                         _secret(GONE, "prod/mongodb/reference-uri", deleted="2026-02-01")))
    return match_declared(load_directory(PROD), snapshot, load_config(LOCAL_CONFIG))


def _finding(rule_id: str, resource_id: str, plane: str) -> Finding:
    return Finding(rule_id, "t", Status.FAIL, "high", ("SOC2-CC6.7",), resource_id, "e", "m", plane=plane)


def test_only_live_resources_terraform_manages_are_paired() -> None:
    assert [(d.address, r.id) for d, r in _pairs()] == [("aws_secretsmanager_secret.prod_uri", PROD_URI)]


def test_one_rules_findings_link_both_ways_and_nothing_else_links() -> None:
    findings = (
        _finding("ATL-SEC-001", "aws_secretsmanager_secret.prod_uri", "terraform"),
        _finding("ATL-SEC-001", PROD_URI, "live"),
        _finding("ATL-SEC-001", LEGACY, "live"),
        _finding("ATL-SEC-003", PROD_URI, "live"),
        _finding("ATL-DRIFT-001", PROD_URI, "terraform"),
        _finding("ATL-DRIFT-002", "aws_secretsmanager_secret.reference_uri", "terraform"),
    )
    related = [f.related for f in linked(findings, _pairs())]
    assert related == [(PROD_URI,), (DECLARED_AS,), (), (), (DECLARED_AS,), ()]
