"""What an operator reads when an export meets leftovers, a concurrent export, or a bucket without Object Lock."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path
from typing import Any, Callable

import pytest
from evidence_helpers import NIGHT, START, export_one, snapshot_at

from attest.cli import main
from attest.collector.config import EvidenceConfig
from attest.core.errors import BadInputError, EvaluationError
from attest.evidence.bundle import Seen, write_bundle
from attest.evidence.lockers import LocalLocker
from attest.evidence.manifest import bundle_id_for
from attest.evidence.s3locker import S3Locker

CONFIG = """\
version: 1
aws:
  accounts:
    - {id: "444455556666", name: staging, regions: [ap-southeast-2]}
"""


def dead_pid() -> int:
    child = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    return int(child.stdout)


def age(path: Path, seconds: float) -> None:
    then = time.time() - seconds
    os.utime(path, (then, then))


def test_export_sweeps_old_leftovers_of_dead_writers_and_lists_them(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config, snapshot, locker = tmp_path / "attest.yaml", tmp_path / "snapshot.json", tmp_path / "locker"
    config.write_text(CONFIG)
    snapshot.write_text(snapshot_at(START).to_json())
    export_one(LocalLocker(locker), START)
    crashed = locker / f".tmp-20261121T020000Z-0123abcd-{dead_pid()}"
    (crashed / "reports").mkdir(parents=True)
    (crashed / "snapshot.json").write_text("{}")
    age(crashed, 3600)
    running = locker / f".tmp-HEAD-{os.getppid()}"  # a writer still running (not this process: its own HEAD staging name)
    running.write_text("x")
    age(running, 3600)
    fresh = locker / f".tmp-20261121T020000Z-4567abcd-{dead_pid()}"
    fresh.mkdir()
    age(fresh, -3600)
    main(["export", "--config", str(config), "--snapshot", str(snapshot), "--locker", str(locker)])
    err = capsys.readouterr().err
    assert f"attest: swept {locker}/{crashed.name}: left by an earlier export that did not finish" in err
    assert not crashed.exists() and running.exists() and fresh.exists()
    assert running.name not in err and fresh.name not in err
    assert "attest: receipt: --expect-head " in err


def test_a_day_old_leftover_is_swept_even_if_its_pid_runs_again(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path / "locker")
    export_one(locker, START)
    reused = locker.root / f".tmp-HEAD-{os.getpid()}"
    reused.write_text("x")
    age(reused, 25 * 3600)
    assert locker.sweep(START.now(START.tzinfo)) == [reused.name]


def test_a_lost_race_says_another_export_is_writing(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path / "locker")
    first = export_one(locker, START)
    winner = export_one(locker, START + NIGHT + NIGHT)
    files = {"snapshot.json": b"{}"}
    with pytest.raises(EvaluationError) as lost:
        write_bundle(locker, bundle_id=bundle_id_for(START + NIGHT, b"{}"), files=files, run_started=START + NIGHT,
                     run_finished=START + NIGHT, identity={}, policy_digest=None, config_digest="sha256:c",
                     signer=None, seen=Seen(first.manifest.bundle_id))
    message = lost.value.diagnostic()
    assert f"another export is writing to this locker: bundle {winner.manifest.bundle_id} appeared" in message
    assert "clock skew" not in message and "nothing was written" in message
    assert locker.bundle_ids() == [first.manifest.bundle_id, winner.manifest.bundle_id]


def test_genuine_clock_skew_is_still_named(tmp_path: Path) -> None:
    locker = LocalLocker(tmp_path / "locker")
    newest = export_one(locker, START + NIGHT)
    with pytest.raises(EvaluationError, match="clock skew"):
        write_bundle(locker, bundle_id=bundle_id_for(START, b"{}"), files={"snapshot.json": b"{}"}, run_started=START,
                     run_finished=START, identity={}, policy_digest=None, config_digest="sha256:c", signer=None,
                     seen=Seen(newest.manifest.bundle_id))


def test_a_bucket_without_object_lock_is_named_with_the_fix(aws: Callable[[str], Any]) -> None:
    s3 = aws("s3")
    bucket = f"plain-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    locker = S3Locker.from_uri(f"s3://{bucket}/nightly", EvidenceConfig(), s3)
    with pytest.raises(BadInputError) as refused:
        export_one(locker, START)
    message = refused.value.diagnostic()
    assert f"bucket {bucket} does not have Object Lock enabled" in message
    assert "--object-lock-enabled-for-bucket" in message and "put-object-lock-configuration" in message
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


def test_a_bucket_with_object_lock_takes_the_same_bundle(aws: Callable[[str], Any]) -> None:
    s3 = aws("s3")
    bucket = f"locked-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
    published = export_one(S3Locker.from_uri(f"s3://{bucket}/nightly", EvidenceConfig(), s3), START)
    assert s3.head_object(Bucket=bucket, Key=f"nightly/{published.manifest.bundle_id}/manifest.json")["ObjectLockMode"]
