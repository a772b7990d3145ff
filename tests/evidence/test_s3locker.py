"""The S3 locker against moto's server: Object Lock retention set, locked versions refuse deletion."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest
from botocore.exceptions import ClientError
from evidence_helpers import CADENCE, NIGHT, START, export_one

from attest.collector.config import EvidenceConfig
from attest.evidence.s3locker import S3Locker
from attest.evidence.verify import verify_locker


@pytest.fixture
def s3(aws: Callable[[str], Any]) -> Any:
    return aws("s3")


def locker_in_new_bucket(s3: Any, mode: str) -> S3Locker:
    bucket = f"evidence-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    return S3Locker.from_uri(f"s3://{bucket}/nightly", EvidenceConfig(retention_mode=mode, retention_days=2192), s3)


@pytest.fixture
def s3_locker(s3: Any) -> S3Locker:
    return locker_in_new_bucket(s3, "COMPLIANCE")


def test_bundles_round_trip_and_verify(s3_locker: S3Locker) -> None:
    published = [export_one(s3_locker, START + NIGHT * i) for i in range(2)]
    result = verify_locker(s3_locker, None, CADENCE)
    assert result.problems == ()
    assert result.bundles == tuple(p.manifest.bundle_id for p in published)
    assert s3_locker.head() == published[-1].manifest.bundle_id


def test_every_object_carries_retention_and_a_sha256_checksum(s3_locker: S3Locker, s3: Any) -> None:
    published = export_one(s3_locker, START)
    key = f"nightly/{published.manifest.bundle_id}/snapshot.json"
    head = s3.head_object(Bucket=s3_locker.bucket, Key=key)
    assert head["ObjectLockMode"] == "COMPLIANCE"
    assert head["ObjectLockRetainUntilDate"] > datetime.now(timezone.utc) + timedelta(days=2191)
    attributes = s3.get_object_attributes(Bucket=s3_locker.bucket, Key=key, ObjectAttributes=["Checksum"])
    assert attributes["Checksum"]["ChecksumSHA256"]


def test_locked_version_refuses_delete_and_overwrite_is_detected(s3_locker: S3Locker, s3: Any) -> None:
    published = export_one(s3_locker, START)
    key = f"nightly/{published.manifest.bundle_id}/findings.json"
    version = s3.head_object(Bucket=s3_locker.bucket, Key=key)["VersionId"]
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=s3_locker.bucket, Key=key, VersionId=version)
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
    s3.put_object(Bucket=s3_locker.bucket, Key=key, Body=b"{}")
    original = s3.get_object(Bucket=s3_locker.bucket, Key=key, VersionId=version)["Body"].read()
    assert original.startswith(b'{\n  "controls"')
    found = verify_locker(s3_locker, None, CADENCE).problems
    assert [(p.kind, p.path) for p in found] == [("changed", "findings.json"), ("overwritten", "findings.json")]



def test_governance_mode_also_refuses_a_plain_delete_of_a_locked_version(s3: Any) -> None:
    locker = locker_in_new_bucket(s3, "GOVERNANCE")
    published = export_one(locker, START)
    key = f"nightly/{published.manifest.bundle_id}/manifest.json"
    head = s3.head_object(Bucket=locker.bucket, Key=key)
    assert head["ObjectLockMode"] == "GOVERNANCE"
    with pytest.raises(ClientError) as refused:
        s3.delete_object(Bucket=locker.bucket, Key=key, VersionId=head["VersionId"])
    assert refused.value.response["Error"]["Code"] == "AccessDenied"
