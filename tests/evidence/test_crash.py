"""A writer killed (SIGKILL) at any named point leaves the previous head or a complete new bundle.

The child process runs the real writer with ATTEST_EVIDENCE_CRASH_AT set, which makes it kill itself
uncatchably at that point; the locker is then verified, and a following export must chain cleanly.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable

import pytest
from evidence_helpers import CADENCE, NIGHT, START, export_one

from attest.collector.config import EvidenceConfig
from attest.evidence.crashpoints import ENV
from attest.evidence.lockers import LocalLocker, Locker
from attest.evidence.s3locker import S3Locker
from attest.evidence.verify import verify_locker

HERE = Path(__file__).parent
CHILD = """
import sys, boto3
from evidence_helpers import export_one, START, NIGHT
from attest.collector.config import EvidenceConfig
from attest.evidence.lockers import LocalLocker
from attest.evidence.s3locker import S3Locker
where, night = sys.argv[1], int(sys.argv[2])
if where.startswith("s3://"):
    client = boto3.client("s3", endpoint_url=sys.argv[3], region_name="us-east-1",
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    locker = S3Locker.from_uri(where, EvidenceConfig(), client)
else:
    locker = LocalLocker(where)
export_one(locker, START + NIGHT * night)
"""


def run_child(where: str, night: int, crash_at: str, *extra: str) -> int:
    env = {**os.environ, ENV: crash_at, "PYTHONPATH": os.pathsep.join([str(HERE), os.environ.get("PYTHONPATH", "")])}
    return subprocess.run([sys.executable, "-c", CHILD, where, str(night), *extra], env=env, timeout=60).returncode


def assert_survives(locker: Locker, before: list[str], crash_at: str, code: int) -> None:
    assert code == -signal.SIGKILL, f"the writer did not reach {crash_at}"
    result = verify_locker(locker, None, CADENCE)
    assert result.problems == ()
    assert list(result.bundles[: len(before)]) == before
    if crash_at == "before-head":
        assert len(result.bundles) == len(before) + 1
        assert locker.head() == before[-1]
    else:
        assert list(result.bundles) == before and locker.head() == before[-1]
    after = export_one(locker, START + NIGHT * 2 + timedelta(hours=1))
    assert after.manifest.previous.bundle_id == result.bundles[-1]
    final = verify_locker(locker, None, CADENCE)
    assert final.problems == () and final.head == after.manifest.bundle_id


@pytest.mark.parametrize("crash_at", ["partial-files", "before-rename", "before-head"])
def test_local_locker_survives_a_kill(tmp_path: Path, crash_at: str) -> None:
    locker = LocalLocker(tmp_path / "locker")
    before = [export_one(locker, START + NIGHT * i).manifest.bundle_id for i in range(2)]
    assert_survives(locker, before, crash_at, run_child(str(locker.root), 2, crash_at))


@pytest.mark.parametrize("crash_at", ["partial-upload", "before-manifest-upload", "before-head"])
def test_s3_locker_survives_a_kill(aws: Callable[[str], Any], moto_url: str, crash_at: str) -> None:
    s3 = aws("s3")
    bucket = f"evidence-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    locker = S3Locker.from_uri(f"s3://{bucket}/nightly", EvidenceConfig(), s3)
    before = [export_one(locker, START + NIGHT * i).manifest.bundle_id for i in range(2)]
    assert_survives(locker, before, crash_at, run_child(locker.location, 2, crash_at, moto_url))
