"""The printed IAM policy covers every AWS call the collector and the export make.

The collector reaches moto through the local estate's proxy, which counts each call as
`service:Operation` (from the SigV4 scope and the X-Amz-Target header or Action field): exactly the
IAM action names for the services the collector reads. The export's S3 and KMS calls are noted by a
botocore hook on the real clients.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from evidence_helpers import NIGHT, START, export_one

from attest.collector.config import EstateConfig, EvidenceConfig, load_config
from attest.collector.run import collect
from attest.evidence.iam import allowed_actions, policy_document
from attest.evidence.s3locker import S3Locker
from attest.evidence.signing import sign_bundle
from attest.sandbox.local import LocalEstate

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "sandbox" / "attest.local.yaml"


@pytest.fixture(scope="module")
def config() -> EstateConfig:
    return load_config(CONFIG)


@pytest.mark.integration
def test_every_collector_call_is_allowed_by_the_read_only_policy(default_estate: LocalEstate, config: EstateConfig) -> None:
    snapshot = collect(config, dict(default_estate.env), now=lambda: datetime.now(timezone.utc))
    calls = set(default_estate.aws_faults.calls)
    assert snapshot.resources and {"ec2:DescribeVpcs", "kms:ListKeys", "ecs:ListClusters"} <= calls
    allowed = allowed_actions(policy_document(config, export=False))
    assert sorted(calls - allowed) == []


def test_export_statements_add_only_locker_writes_and_signing(config: EstateConfig) -> None:
    document = policy_document(config, "s3://evidence-bucket/nightly")
    extra = allowed_actions(document) - allowed_actions(policy_document(config, export=False))
    assert extra == {"s3:ListBucket", "s3:GetObject", "s3:PutObject", "s3:PutObjectRetention"}
    write = next(s for s in document["Statement"] if s["Sid"] == "AttestLockerWrite")
    assert write["Resource"] == ["arn:aws:s3:::evidence-bucket/nightly/*"]
    assert not any(a.startswith(("secretsmanager:GetSecretValue", "iam:")) for a in allowed_actions(document))


def test_cli_prints_the_same_document(config: EstateConfig) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "attest", "iam-policy", "--config", str(CONFIG), "--locker", "s3://evidence-bucket/nightly"],
        capture_output=True, text=True, check=True, cwd=ROOT,
    ).stdout
    assert json.loads(out) == policy_document(config, "s3://evidence-bucket/nightly")


# IAM names for the S3 operations whose action name differs from the API operation name.
S3_ACTIONS = {"ListObjectsV2": "s3:ListBucket", "HeadObject": "s3:GetObject"}


def test_every_export_call_is_allowed_by_the_export_policy(aws: Any, config: EstateConfig) -> None:
    """The locker and signer make their real calls (moto's server); a botocore hook notes each one."""
    calls: set[str] = set()

    def note(model: Any, params: dict[str, Any], **_: Any) -> None:
        service = model.service_model.signing_name
        name = model.name
        calls.add(S3_ACTIONS.get(name, f"{service}:{name}") if service == "s3" else f"{service}:{name}")
        if service == "s3" and "x-amz-object-lock-mode" in params.get("headers", {}):
            calls.add("s3:PutObjectRetention")

    s3, kms = aws("s3"), aws("kms")
    for client in (s3, kms):
        client.meta.events.register("before-call", note)
    s3.create_bucket(Bucket="policy-check", ObjectLockEnabledForBucket=True)
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    calls.clear()
    locker = S3Locker.from_uri("s3://policy-check/nightly", EvidenceConfig(), s3)
    for night in range(2):
        export_one(locker, START + NIGHT * night, lambda b, d: sign_bundle(kms, key, b, d, START))
    signing = EstateConfig(**{**config.__dict__, "evidence": EvidenceConfig(kms_key_id=key)})
    assert {"s3:PutObject", "s3:PutObjectRetention", "s3:ListBucket", "kms:Sign"} <= calls
    assert sorted(calls - allowed_actions(policy_document(signing, locker.location))) == []
