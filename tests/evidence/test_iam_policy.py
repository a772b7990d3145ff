"""Each role's printed IAM policy allows exactly the calls that role makes, on the resources it makes them on.

The collector reaches moto through the local estate's proxy, which counts each call as
`service:Operation` (from the SigV4 scope and the X-Amz-Target header or Action field): exactly the
IAM action names for the services the collector reads; the resources it read (the snapshot's ARNs)
must fall under the scoped statements. The export's and verify's S3 and KMS calls are recorded with
their parameters by a botocore hook on the real clients (against moto's server) and evaluated
against the policy by a small IAM matcher (Allow statements, Resource wildcards, s3:prefix StringLike).
"""
from __future__ import annotations

import json
import subprocess
import sys
import uuid
from dataclasses import dataclass
from datetime import datetime, timezone
from fnmatch import fnmatchcase
from pathlib import Path
from typing import Any, Callable

import pytest
from evidence_helpers import CADENCE, NIGHT, START, export_one

from attest.collector.config import EstateConfig, EvidenceConfig, load_config
from attest.collector.run import collect
from attest.evidence.iam import SCOPED_READS, allowed_actions, policy_document
from attest.evidence.keys import KeySource
from attest.evidence.s3locker import S3Locker
from attest.evidence.signing import load_public_key, sign_bundle
from attest.evidence.verify import Expectations, verify_locker
from attest.sandbox.local import LocalEstate

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "sandbox" / "attest.local.yaml"


@dataclass(frozen=True)
class Call:
    action: str
    resource: str
    prefix: str | None = None


def allows(document: dict[str, Any], call: Call) -> bool:
    """Whether an Allow statement grants `call` (the only condition attest's policies use is s3:prefix)."""
    for statement in document["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        if call.action not in statement["Action"] or not any(fnmatchcase(call.resource, r) for r in resources):
            continue
        prefixes = statement.get("Condition", {}).get("StringLike", {}).get("s3:prefix")
        if prefixes is None or (call.prefix is not None and any(fnmatchcase(call.prefix, p) for p in prefixes)):
            return True
    return False


S3_ACTIONS = {"ListObjectsV2": "s3:ListBucket", "ListObjectVersions": "s3:ListBucketVersions", "HeadObject": "s3:GetObject"}


def recorder(clients: list[Any]) -> list[Call]:
    """Every S3 and KMS call the clients make, as (IAM action, resource ARN, s3:prefix)."""
    calls: list[Call] = []

    def note(params: dict[str, Any], model: Any, **_: Any) -> None:
        service = model.service_model.signing_name
        if service == "kms":
            calls.append(Call(f"kms:{model.name}", params["KeyId"]))
            return
        action = S3_ACTIONS.get(model.name, f"s3:{model.name}")
        if "Key" in params:
            calls.append(Call(action, f"arn:aws:s3:::{params['Bucket']}/{params['Key']}"))
            if params.get("ObjectLockMode"):
                calls.append(Call("s3:PutObjectRetention", f"arn:aws:s3:::{params['Bucket']}/{params['Key']}"))
        else:
            calls.append(Call(action, f"arn:aws:s3:::{params['Bucket']}", params.get("Prefix", "")))

    for client in clients:
        client.meta.events.register("before-parameter-build", note)
    return calls


@pytest.fixture(scope="module")
def config() -> EstateConfig:
    return load_config(CONFIG)


def with_key(config: EstateConfig, key: str, locker: str) -> EstateConfig:
    return EstateConfig(**{**config.__dict__, "evidence": EvidenceConfig(locker=locker, kms_key_id=key)})


@pytest.mark.integration
def test_collect_role_allows_every_collector_call_and_scopes_reads_to_what_was_read(
    default_estate: LocalEstate, config: EstateConfig
) -> None:
    snapshot = collect(config, dict(default_estate.env), now=lambda: datetime.now(timezone.utc))
    calls = set(default_estate.aws_faults.calls)
    assert snapshot.resources and {"ec2:DescribeVpcs", "kms:ListKeys", "kms:DescribeKey", "ecs:ListClusters"} <= calls
    document = policy_document(config, role="collect")
    assert sorted(calls - allowed_actions(document)) == []
    read = [r.id for r in snapshot.resources if r.type in ("aws.kms.key", "aws.ecs.cluster", "aws.ecs.service")]
    assert read
    for arn in read:
        scoped = [a for a in SCOPED_READS if a.split(":")[0] == arn.split(":")[2]]
        assert scoped and all(allows(document, Call(a, arn)) for a in scoped if a in calls), arn
    assert not allows(document, Call("kms:DescribeKey", "arn:aws:kms:us-east-1:999999999999:key/other"))


@pytest.mark.parametrize("role", ["collect", "export", "verify"])
@pytest.mark.parametrize("locker", ["s3://evidence-bucket/nightly", "./attest-evidence", "s3://whole-bucket"])
def test_no_role_ever_grants_s3_on_everything(config: EstateConfig, role: str, locker: str) -> None:
    key = "arn:aws:kms:us-east-1:123456789012:key/k1"
    document = policy_document(with_key(config, key, locker), role=role)
    for statement in document["Statement"]:
        if any(a.startswith("s3:") for a in statement["Action"]):
            resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
            bucket = locker.removeprefix("s3://").split("/")[0]
            assert all(r.startswith(f"arn:aws:s3:::{bucket}") for r in resources), statement
        if any(a.startswith("kms:") and a not in ("kms:ListKeys", "kms:ListAliases") for a in statement["Action"]):
            assert statement["Resource"] != "*", statement
    assert not any(a.startswith(("secretsmanager:GetSecretValue", "iam:")) for a in allowed_actions(document))


def test_verify_role_reads_only(config: EstateConfig) -> None:
    document = policy_document(with_key(config, "arn:aws:kms:us-east-1:123456789012:key/k1", "s3://b/p"), role="verify")
    assert allowed_actions(document) == {"s3:ListBucket", "s3:ListBucketVersions", "s3:GetObject", "kms:GetPublicKey"}


def test_cli_prints_the_same_document_per_role(config: EstateConfig) -> None:
    for role in ("collect", "export", "verify"):
        out = subprocess.run(
            [sys.executable, "-m", "attest", "iam-policy", "--config", str(CONFIG), "--role", role,
             "--locker", "s3://evidence-bucket/nightly"],
            capture_output=True, text=True, check=True, cwd=ROOT,
        ).stdout
        assert json.loads(out) == policy_document(config, "s3://evidence-bucket/nightly", role=role)


def test_verify_role_for_a_local_locker_without_a_key_is_refused() -> None:
    done = subprocess.run([sys.executable, "-m", "attest", "iam-policy", "--config", str(CONFIG), "--role", "verify"],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 2 and "needs no AWS permission" in done.stderr


@pytest.fixture
def signing_locker(aws: Callable[[str], Any]) -> tuple[Any, Any, str, str]:
    s3, kms = aws("s3"), aws("kms")
    bucket = f"policy-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    return s3, kms, f"s3://{bucket}/nightly", key


def test_export_and_verify_calls_are_allowed_by_their_roles_and_no_wider(
    signing_locker: tuple[Any, Any, str, str], config: EstateConfig
) -> None:
    s3, kms, location, key = signing_locker
    calls = recorder([s3, kms])
    locker = S3Locker.from_uri(location, EvidenceConfig(), s3)
    for night in range(2):
        export_one(locker, START + NIGHT * night, lambda b, d: sign_bundle(kms, key, b, d, START))
    exported = list(calls)
    calls.clear()
    fetch = lambda key_id: load_public_key(_pem(kms, key_id), key_id)  # noqa: E731
    result = verify_locker(S3Locker.from_uri(location, EvidenceConfig(), s3), None, CADENCE,
                           keys=KeySource(None, fetch), expect=Expectations(required_key=key))
    assert result.problems == () and result.signatures_checked
    verified = list(calls)
    signing = with_key(config, key, location)
    export_doc, verify_doc = policy_document(signing, role="export"), policy_document(signing, role="verify")
    assert {c.action for c in exported} >= {"s3:PutObject", "s3:PutObjectRetention", "s3:ListBucket", "kms:Sign"}
    assert {c.action for c in verified} >= {"s3:ListBucket", "s3:ListBucketVersions", "s3:GetObject", "kms:GetPublicKey"}
    assert [c for c in exported if not allows(export_doc, c)] == []
    assert [c for c in verified if not allows(verify_doc, c)] == []
    assert not any(allows(verify_doc, c) for c in exported if c.action in ("s3:PutObject", "kms:Sign"))
    bucket = location.removeprefix("s3://").split("/")[0]
    assert not allows(export_doc, Call("s3:ListBucket", f"arn:aws:s3:::{bucket}", "other/"))
    assert not allows(export_doc, Call("s3:PutObject", f"arn:aws:s3:::{bucket}/other/x"))
    assert not allows(export_doc, Call("s3:PutObject", "arn:aws:s3:::someone-elses-bucket/nightly/x"))


def _pem(kms: Any, key_id: str) -> str:
    from cryptography.hazmat.primitives import serialization

    der = kms.get_public_key(KeyId=key_id)["PublicKey"]
    return serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
