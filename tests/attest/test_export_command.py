"""`attest export` end to end: the seeded local estate in, a bundle that `attest verify` accepts out."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator, Mapping

import boto3
import pytest
import yaml
from cryptography.hazmat.primitives import serialization

from attest.evidence.crashpoints import ENV as CRASH_ENV
from attest.sandbox.local import LocalEstate
from attest.sandbox.moto_server import MotoServer

ROOT = Path(__file__).resolve().parents[2]


def attest(*args: str, env: Mapping[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attest", *args], capture_output=True, text=True, timeout=120,
        cwd=ROOT, env={**os.environ, "ATTEST_DEBUG": "1", **(env or {})},
    )


def exported(tmp: Path, estate: LocalEstate, config: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    locker = tmp / "locker"
    done = attest("export", "--config", str(config), "--locker", str(locker), "--copy-to", str(tmp / "out"),
                  "--summary", str(tmp / "summary.md"), "--new-chain", env=estate.env)
    return locker, done


def test_export_writes_a_complete_bundle_that_verifies(tmp_path: Path, default_estate: LocalEstate, local_config_path: Path) -> None:
    locker, done = exported(tmp_path, default_estate, local_config_path)
    bundle = Path(done.stdout.strip())
    statuses = {f["status"] for f in json.loads((bundle / "findings.json").read_text())["findings"]}
    assert done.returncode == 1 and "fail" in statuses, done.stderr
    manifest = json.loads((bundle / "manifest.json").read_text())
    listed = {f["path"] for f in manifest["files"]}
    assert {"snapshot.json", "findings.json", "freshness.json", "config/attest.yaml"} <= listed
    assert any(p.startswith("reports/") and p.endswith(".html") for p in listed)
    assert manifest["collector_identity"]["aws_caller_arns"] and manifest["policy_digest"].startswith("sha256:")
    assert manifest["config_digest"].startswith("sha256:") and manifest["previous"] is None
    assert list((tmp_path / "out" / "reports").glob("*.html"))
    assert manifest["bundle_id"] in (tmp_path / "summary.md").read_text()
    for path in bundle.rglob("*"):
        assert not path.is_file() or b"CANARY-" not in path.read_bytes(), path
    verified = attest("verify", str(locker))
    assert verified.returncode == 0, verified.stdout + verified.stderr
    assert "verdict: intact" in verified.stdout


@pytest.fixture(scope="module")
def kms_moto() -> Iterator[str]:
    """A private moto server for the signing key, so the shared estate's KMS keys stay as seeded."""
    with MotoServer() as server:
        yield server.url


def signing_config(tmp: Path, base: Path, kms_url: str) -> tuple[Path, dict[str, str]]:
    kms = boto3.client("kms", endpoint_url=kms_url, region_name="us-east-1",
                       aws_access_key_id="testing", aws_secret_access_key="testing")
    key = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    pem = serialization.load_der_public_key(kms.get_public_key(KeyId=key)["PublicKey"]).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    doc: dict[str, Any] = yaml.safe_load(base.read_text())
    doc["evidence"] = {"locker": str(tmp / "locker"), "signing": {"kms_key_id": key, "public_key": pem}}
    config = tmp / "attest.yaml"
    config.write_text(yaml.safe_dump(doc))
    env = {"AWS_ENDPOINT_URL_KMS": kms_url, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing"}
    return config, env


@pytest.fixture(scope="module")
def snapshot(tmp_path_factory: pytest.TempPathFactory, _default_estate_session: LocalEstate) -> Path:
    """One collected snapshot of the seeded estate, bundled by the tests that do not need to collect."""
    out = tmp_path_factory.mktemp("collected") / "snapshot.json"
    config = ROOT / "sandbox" / "attest.local.yaml"
    done = attest("collect", "--config", str(config), "--output", str(out), env=_default_estate_session.env)
    assert done.returncode == 0, done.stderr
    return out


def test_signed_export_verifies_with_the_configured_key_and_catches_a_forged_signature(
    tmp_path: Path, snapshot: Path, local_config_path: Path, kms_moto: str
) -> None:
    config, env = signing_config(tmp_path, local_config_path, kms_moto)
    done = attest("export", "--config", str(config), "--snapshot", str(snapshot), "--new-chain", env=env)
    assert done.returncode == 1 and done.stdout, done.stderr
    bundle = Path(done.stdout.strip())
    assert (bundle / "signature.json").is_file()
    assert attest("verify", "--config", str(config)).returncode == 0
    envelope = json.loads((bundle / "signature.json").read_text())
    envelope["signatures"][0]["sig"] = envelope["signatures"][0]["sig"][::-1]
    (bundle / "signature.json").write_text(json.dumps(envelope))
    forged = attest("verify", "--config", str(config))
    assert forged.returncode == 1
    assert f"PROBLEM {bundle.name}/signature.json: signature:" in forged.stdout


def wait_past(second: str) -> None:
    """Bundle ids have one-second resolution: wait (not a timing assertion) until the clock moves on."""
    while datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ") <= second:
        time.sleep(0.05)


@pytest.mark.parametrize("crash_at", ["partial-files", "before-rename", "before-head"])
def test_export_killed_midway_leaves_a_locker_that_verifies(
    tmp_path: Path, snapshot: Path, local_config_path: Path, crash_at: str
) -> None:
    locker = tmp_path / "locker"
    first = attest("export", "--config", str(local_config_path), "--snapshot", str(snapshot), "--locker", str(locker),
                   "--new-chain")
    assert first.returncode == 1, first.stderr
    first_id = Path(first.stdout.strip()).name
    wait_past(first_id.split("-")[0])
    killed = attest("export", "--config", str(local_config_path), "--snapshot", str(snapshot), "--locker", str(locker),
                    env={CRASH_ENV: crash_at})
    assert killed.returncode == -signal.SIGKILL
    verified = attest("verify", str(locker), "--format", "json")
    report = json.loads(verified.stdout)
    assert verified.returncode == 0, verified.stdout
    assert report["bundles"][0] == first_id and len(report["bundles"]) == (2 if crash_at == "before-head" else 1)
    assert report["head"] == first_id


def test_export_to_an_s3_locker_with_object_lock_and_verify_it_there(
    tmp_path: Path, snapshot: Path, local_config_path: Path, kms_moto: str
) -> None:
    s3 = boto3.client("s3", endpoint_url=kms_moto, region_name="us-east-1",
                      aws_access_key_id="testing", aws_secret_access_key="testing")
    s3.create_bucket(Bucket="nightly-evidence", ObjectLockEnabledForBucket=True)
    env = {"AWS_ENDPOINT_URL": kms_moto, "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "AWS_DEFAULT_REGION": "us-east-1"}
    mistyped = attest("export", "--config", str(local_config_path), "--snapshot", str(snapshot),
                      "--locker", "s3://nightly-evidence/atest", env=env)
    assert mistyped.returncode == 2 and "s3://nightly-evidence/atest" in mistyped.stderr
    assert "--new-chain" in mistyped.stderr and len(mistyped.stderr.strip().splitlines()) == 1
    assert s3.list_objects_v2(Bucket="nightly-evidence").get("KeyCount") == 0
    done = attest("export", "--config", str(local_config_path), "--snapshot", str(snapshot),
                  "--locker", "s3://nightly-evidence/attest", "--new-chain", env=env)
    assert done.returncode == 1 and done.stdout, done.stderr
    bundle_id = done.stdout.strip().rsplit("/", 1)[1]
    head = s3.head_object(Bucket="nightly-evidence", Key=f"attest/{bundle_id}/manifest.json")
    assert head["ObjectLockMode"] == "COMPLIANCE"
    verified = attest("verify", "s3://nightly-evidence/attest", env=env)
    assert verified.returncode == 0, verified.stdout + verified.stderr


def test_an_empty_locker_needs_new_chain(tmp_path: Path, snapshot: Path, local_config_path: Path) -> None:
    locker = tmp_path / "mistyped"
    done = attest("export", "--config", str(local_config_path), "--snapshot", str(snapshot), "--locker", str(locker))
    assert done.returncode == 2 and done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "holds no bundle" in lines[0] and "--new-chain" in lines[0], done.stderr
    assert not locker.exists()


def test_new_chain_is_refused_where_a_chain_exists(tmp_path: Path, snapshot: Path, local_config_path: Path) -> None:
    locker = tmp_path / "locker"
    args = ("export", "--config", str(local_config_path), "--snapshot", str(snapshot), "--locker", str(locker))
    assert attest(*args, "--new-chain").returncode == 1
    again = attest(*args, "--new-chain")
    assert again.returncode == 2 and "already holds a chain" in again.stderr
