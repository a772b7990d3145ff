"""The printed IAM policy covers every AWS call the collector makes against the local estate.

The collector reaches moto through the local estate's proxy, which counts each call as
`service:Operation` (from the SigV4 scope and the X-Amz-Target header or Action field): exactly the
IAM action names for the services the collector reads.
"""
from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path
import pytest

from collector.config import EstateConfig, load_config
from collector.run import collect
from evidence.iam import allowed_actions, policy_document
from sandbox.local import LocalEstate

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
