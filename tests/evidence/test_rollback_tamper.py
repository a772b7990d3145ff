"""The attacker with write access to the locker, table-driven, on a local directory and on S3 (moto).

Each locker holds three nightly bundles signed through KMS, whose own config/attest.yaml (a
hand-written two-account estate, not the sandbox's) names the signing key. Each attack is run, then
`attest verify` in-process; the exit code and the lines that must appear are asserted for each
locker type. A plain directory cannot show rollback without a receipt: the suite asserts that it
says so, and that the receipt (`--expect-head`) then catches it.
"""
from __future__ import annotations

import json
import shutil
import uuid
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any, Callable, Iterator, Protocol

import pytest
from evidence_helpers import NIGHT, START, bundle_files

from attest.cli import main
from attest.collector.config import EvidenceConfig
from attest.evidence.bundle import Published, Signer, write_bundle
from attest.evidence.canonical import compact_json, sha256_hex
from attest.evidence.lockers import LocalLocker, Locker
from attest.evidence.manifest import bundle_id_for
from attest.evidence.s3locker import S3Locker
from attest.evidence.signing import sign_bundle

AS_OF = "2026-11-22T03:00:00Z"  # within the cadence of night 1 too: freshness alone cannot see a cut
BUNDLED_CONFIG = """\
version: 1
aws:
  accounts:
    - {{id: "210987654321", name: payments, regions: [eu-west-1, eu-central-1]}}
    - {{id: "310987654321", name: ledger, regions: [eu-west-1]}}
evidence:
  locker: s3://payments-evidence/nightly
  signing:
    kms_key_id: {key}
"""


class Tamper(Protocol):
    """What an attacker with write access does, in the locker's own terms."""

    location: str

    def remove_bundle(self, bundle_id: str, *, witness: bool = True) -> None: ...
    def set_head(self, bundle_id: str) -> None: ...
    def read(self, bundle_id: str, path: str) -> bytes: ...
    def write(self, bundle_id: str, path: str, data: bytes) -> None: ...
    def remove(self, bundle_id: str, path: str) -> None: ...


class LocalTamper:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.location = str(root)

    def remove_bundle(self, bundle_id: str, *, witness: bool = True) -> None:
        shutil.rmtree(self.root / bundle_id)
        if witness:
            (self.root / "heads" / bundle_id).unlink()

    def set_head(self, bundle_id: str) -> None:
        (self.root / "HEAD").write_text(bundle_id + "\n")

    def read(self, bundle_id: str, path: str) -> bytes:
        return (self.root / bundle_id / path).read_bytes()

    def write(self, bundle_id: str, path: str, data: bytes) -> None:
        (self.root / bundle_id / path).write_bytes(data)

    def remove(self, bundle_id: str, path: str) -> None:
        (self.root / bundle_id / path).unlink()


class S3Tamper:
    """Plain S3 calls without version ids: what the exporter's (or a thief's) credentials can do under Object Lock."""

    def __init__(self, s3: Any, bucket: str) -> None:
        self.s3, self.bucket = s3, bucket
        self.location = f"s3://{bucket}/nightly"

    def _key(self, bundle_id: str, path: str) -> str:
        return f"nightly/{bundle_id}/{path}" if bundle_id else f"nightly/{path}"

    def remove_bundle(self, bundle_id: str, *, witness: bool = True) -> None:
        listed = self.s3.list_objects_v2(Bucket=self.bucket, Prefix=f"nightly/{bundle_id}/")["Contents"]
        for item in listed:
            self.s3.delete_object(Bucket=self.bucket, Key=item["Key"])
        if witness:
            self.s3.delete_object(Bucket=self.bucket, Key=f"nightly/heads/{bundle_id}")

    def set_head(self, bundle_id: str) -> None:
        self.s3.put_object(Bucket=self.bucket, Key="nightly/HEAD", Body=(bundle_id + "\n").encode())

    def read(self, bundle_id: str, path: str) -> bytes:
        return bytes(self.s3.get_object(Bucket=self.bucket, Key=self._key(bundle_id, path))["Body"].read())

    def write(self, bundle_id: str, path: str, data: bytes) -> None:
        self.s3.put_object(Bucket=self.bucket, Key=self._key(bundle_id, path), Body=data)

    def remove(self, bundle_id: str, path: str) -> None:
        self.s3.delete_object(Bucket=self.bucket, Key=self._key(bundle_id, path))


@dataclass
class Night:
    tamper: Tamper
    published: list[Published]

    @property
    def ids(self) -> list[str]:
        return [p.manifest.bundle_id for p in self.published]

    def receipt(self, index: int) -> str:
        return f"{self.ids[index]}@{self.published[index].manifest_sha256}"


def export_signed(locker: Locker, moment: Any, signer: Signer | None, key: str) -> Published:
    files = {**bundle_files(moment), "config/attest.yaml": BUNDLED_CONFIG.format(key=key).encode()}
    return write_bundle(
        locker, bundle_id=bundle_id_for(moment, files["snapshot.json"]), files=files, run_started=moment,
        run_finished=moment + timedelta(minutes=3), identity={}, policy_digest="sha256:policy",
        config_digest="sha256:config", signer=signer,
    )


@pytest.fixture
def kms(aws: Callable[[str], Any]) -> tuple[Signer, str]:
    client = aws("kms")
    key = client.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["Arn"]
    return (lambda bundle_id, digest: sign_bundle(client, key, bundle_id, digest, START)), key


@pytest.fixture
def moto_env(moto_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {"AWS_ENDPOINT_URL": moto_url, "AWS_ACCESS_KEY_ID": "testing",
                        "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)


@pytest.fixture(params=["local", "s3"])
def night(request: pytest.FixtureRequest, tmp_path: Path, aws: Callable[[str], Any], kms: tuple[Signer, str],
          moto_env: None) -> Iterator[Night]:
    signer, key = kms
    tamper: Tamper
    if request.param == "local":
        locker: Locker = LocalLocker(tmp_path / "locker")
        tamper = LocalTamper(tmp_path / "locker")
    else:
        s3 = aws("s3")
        bucket = f"tamper-{uuid.uuid4().hex[:12]}"
        s3.create_bucket(Bucket=bucket, ObjectLockEnabledForBucket=True)
        locker = S3Locker.from_uri(f"s3://{bucket}/nightly", EvidenceConfig(retention_mode="GOVERNANCE"), s3)
        tamper = S3Tamper(s3, bucket)
    yield Night(tamper, [export_signed(locker, START + NIGHT * i, signer, key) for i in range(3)])


def verify(night: Night, *extra: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = main(["verify", night.tamper.location, "--as-of", AS_OF, *extra])
    captured = capsys.readouterr()
    return code, captured.out + captured.err


def rewrite_manifest(night: Night, index: int, *, witness: bool) -> None:
    """A consistent rewrite: a report changed and re-hashed into the manifest (and its witness)."""
    bundle = night.ids[index]
    t = night.tamper
    forged = b"# Summary\n\nall good\n"
    t.write(bundle, "reports/summary.md", forged)
    manifest = json.loads(t.read(bundle, "manifest.json"))
    for entry in manifest["files"]:
        if entry["path"] == "reports/summary.md":
            entry.update(size=len(forged), sha256=sha256_hex(forged))
    data = compact_json(manifest)
    t.write(bundle, "manifest.json", data)
    t.remove(bundle, "signature.json")
    if witness:
        t.write("", f"heads/{bundle}", compact_json({"bundle_id": bundle, "manifest_sha256": sha256_hex(data)}))


@dataclass(frozen=True)
class Attack:
    name: str
    run: Callable[[Night], None]
    args: Callable[[Night], list[str]]
    # per locker type: (exit code, lines that must appear in verify's output)
    local: tuple[int, tuple[str, ...]]
    s3: tuple[int, tuple[str, ...]]


def _cut_newest(night: Night) -> None:
    night.tamper.remove_bundle(night.ids[2])
    night.tamper.set_head(night.ids[1])


def _cut_newest_keep_witness(night: Night) -> None:
    night.tamper.remove_bundle(night.ids[2], witness=False)
    night.tamper.set_head(night.ids[1])


def _strip_signatures(night: Night) -> None:
    for bundle in night.ids:
        night.tamper.remove(bundle, "signature.json")


NONE: Callable[[Night], list[str]] = lambda n: []  # noqa: E731
NEWEST_RECEIPT: Callable[[Night], list[str]] = lambda n: ["--expect-head", n.receipt(2)]  # noqa: E731
ROLLBACK_NOT_DETECTABLE = "rollback: NOT detectable in a plain directory"

ATTACKS = [
    Attack("nothing done", lambda n: None, NONE,
           (0, ("verdict: intact", ROLLBACK_NOT_DETECTABLE, "signatures: checked with the public key of KMS key")),
           (0, ("verdict: intact", "rollback: checked: object versions, delete markers and the heads/ witnesses"))),
    Attack("newest bundle and its witness removed, HEAD rewritten", _cut_newest, NONE,
           (0, ("verdict: intact", ROLLBACK_NOT_DETECTABLE)),
           (1, ("PROBLEM heads/{2}: rollback: a delete marker hides this witness",
                "PROBLEM {2}/manifest.json: rollback: a delete marker hides this bundle"))),
    Attack("the same, checked against the auditor's receipt", _cut_newest, NEWEST_RECEIPT,
           (1, ("PROBLEM {2}: rollback: the expected head (--expect-head) is not a complete bundle",
                "rollback: detected back to the receipt given")),
           (1, ("PROBLEM {2}: rollback: the expected head (--expect-head) is not a complete bundle",))),
    Attack("newest bundle removed, its witness left, HEAD rewritten", _cut_newest_keep_witness, NONE,
           (1, ("PROBLEM {2}: rollback: heads/{2} records this bundle as a chain head",)),
           (1, ("PROBLEM {2}: rollback: heads/{2} records this bundle as a chain head",
                "{2}/manifest.json: rollback: a delete marker hides this bundle"))),
    Attack("only HEAD moved back one bundle", lambda n: n.tamper.set_head(n.ids[1]), NONE,
           (0, ("note: HEAD names {1}, one behind {2}", ROLLBACK_NOT_DETECTABLE)),
           (1, ("PROBLEM HEAD: rollback: names {1} but was rewritten",))),
    Attack("the chain ends before --since", lambda n: None, lambda n: ["--since", "2026-11-22T12:00:00Z"],
           (1, ("PROBLEM {2}: rollback: the newest bundle started 2026-11-22T02:00:00Z, before --since",)),
           (1, ("PROBLEM {2}: rollback: the newest bundle started 2026-11-22T02:00:00Z, before --since",))),
    Attack("newest manifest rewritten consistently, signature and witness too", lambda n: rewrite_manifest(n, 2, witness=True),
           NEWEST_RECEIPT,
           (1, ("PROBLEM {2}/manifest.json: rollback: sha256 ", "of the receipt (--expect-head): the manifest was rewritten",
                "PROBLEM {2}/signature.json: unsigned: no signature, but the bundle's config/attest.yaml names signing key")),
           (1, ("PROBLEM {2}/manifest.json: overwritten: 2 versions stored",
                "PROBLEM heads/{2}: overwritten: 2 versions stored",
                "PROBLEM {2}/manifest.json: rollback: sha256 "))),
    Attack("newest manifest rewritten, witness left", lambda n: rewrite_manifest(n, 2, witness=False), NONE,
           (1, ("PROBLEM {2}/manifest.json: rollback: differs from the manifest heads/{2} recorded",)),
           (1, ("PROBLEM {2}/manifest.json: rollback: differs from the manifest heads/{2} recorded",))),
    Attack("every signature stripped, verified without a key", _strip_signatures, NONE,
           (1, ("PROBLEM {0}/signature.json: unsigned: no signature, but the bundle's config/attest.yaml names signing key",
                "PROBLEM {2}/signature.json: unsigned:")),
           (1, ("PROBLEM {0}/signature.json: unsigned: no signature, but the bundle's config/attest.yaml names signing key",
                "PROBLEM {0}/signature.json: deleted: a delete marker hides the locked version"))),
    Attack("every signature stripped, signatures skipped on purpose", _strip_signatures, lambda n: ["--no-signatures"],
           (1, ("PROBLEM {1}/signature.json: unsigned:", "signatures: NOT checked")),
           (1, ("PROBLEM {1}/signature.json: unsigned:",))),
]


@pytest.mark.parametrize("attack", ATTACKS, ids=[a.name for a in ATTACKS])
def test_attack(night: Night, attack: Attack, request: pytest.FixtureRequest, capsys: pytest.CaptureFixture[str]) -> None:
    attack.run(night)
    code, out = verify(night, *attack.args(night), capsys=capsys)
    expected_code, lines = attack.local if isinstance(night.tamper, LocalTamper) else attack.s3
    assert code == expected_code, out
    for line in lines:
        assert line.format(*night.ids) in out, (line, out)
    assert ("verdict: intact" in out) == (expected_code == 0), out


def test_as_of_before_the_newest_bundle_is_bad_input(night: Night, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["verify", night.tamper.location, "--as-of", "2026-11-21T12:00:00Z"])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert f"before the newest bundle {night.ids[2]} started (2026-11-22T02:00:00Z)" in err and "--as-of" in err


def test_a_signing_key_the_verifier_cannot_fetch_is_bad_input_naming_it(
    night: Night, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = "arn:aws:kms:us-east-1:123456789012:key/00000000-0000-0000-0000-000000000000"
    config = tmp_path / "verifier.yaml"
    config.write_text(f"version: 1\nevidence:\n  signing:\n    kms_key_id: {missing}\n")
    code = main(["verify", night.tamper.location, "--config", str(config), "--as-of", AS_OF])
    err = capsys.readouterr().err
    assert code == 2 and len(err.strip().splitlines()) == 1
    assert missing in err and "kms:GetPublicKey failed" in err and "--public-key" in err


def test_the_verifiers_own_key_makes_an_unsigned_chain_a_problem(
    tmp_path: Path, kms: tuple[Signer, str], moto_env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    """Bundles whose config names no key, never signed: the verifier's config still requires signatures."""
    _, key = kms
    locker = LocalLocker(tmp_path / "plain")
    for i in range(2):
        write_bundle(locker, bundle_id=bundle_id_for(START + NIGHT * i, f"{i}".encode()), files=bundle_files(START + NIGHT * i),
                     run_started=START + NIGHT * i, run_finished=START + NIGHT * i, identity={}, policy_digest=None,
                     config_digest="sha256:c", signer=None)
    assert main(["verify", str(locker.root), "--as-of", "2026-11-21T12:00:00Z"]) == 0
    config = tmp_path / "verifier.yaml"
    config.write_text(f"version: 1\nevidence:\n  signing:\n    kms_key_id: {key}\n")
    capsys.readouterr()
    assert main(["verify", str(locker.root), "--config", str(config), "--as-of", "2026-11-21T12:00:00Z"]) == 1
    out = capsys.readouterr().out
    assert out.count("unsigned: no signature, but the verifier's config names signing key " + key) == 2
