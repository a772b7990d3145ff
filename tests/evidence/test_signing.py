"""Bundles signed through KMS (moto's server) verify offline with the PEM public key alone."""
from __future__ import annotations

import base64
import json
from typing import Any, Callable

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from evidence_helpers import CADENCE, NIGHT, START, export_one

from attest.core.errors import BadInputError
from attest.evidence.bundle import Signer
from attest.evidence.canonical import compact_json
from attest.evidence.lockers import LocalLocker
from attest.evidence.signing import PAYLOAD_TYPE, sign_bundle
from attest.evidence.verify import verify_locker


@pytest.fixture
def kms_key(aws: Callable[[str], Any]) -> tuple[Signer, str]:
    """An ECC_NIST_P256 signing key in moto; the signer and the key's PEM public key."""
    kms = aws("kms")
    key_id = kms.create_key(KeySpec="ECC_NIST_P256", KeyUsage="SIGN_VERIFY")["KeyMetadata"]["KeyId"]
    der = kms.get_public_key(KeyId=key_id)["PublicKey"]
    pem = serialization.load_der_public_key(der).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    return (lambda bundle_id, digest: sign_bundle(kms, key_id, bundle_id, digest, START)), pem


def test_signed_bundles_verify_offline(locker: LocalLocker, kms_key: tuple[Signer, str]) -> None:
    signer, pem = kms_key
    for night in range(2):
        export_one(locker, START + NIGHT * night, signer)
    result = verify_locker(locker, pem, CADENCE)
    assert result.signatures_checked and result.problems == ()
    envelope = json.loads((locker.root / result.bundles[0] / "signature.json").read_bytes())
    statement = json.loads(base64.b64decode(envelope["payload"]))
    assert envelope["payloadType"] == PAYLOAD_TYPE
    assert statement["_type"] == "https://in-toto.io/Statement/v1"
    assert statement["predicate"]["bundle_id"] == result.bundles[0]


def test_a_rewritten_manifest_fails_its_signature(locker: LocalLocker, kms_key: tuple[Signer, str]) -> None:
    signer, pem = kms_key
    published = export_one(locker, START, signer)
    path = locker.root / published.manifest.bundle_id / "manifest.json"
    manifest = json.loads(path.read_bytes())
    manifest["collector_identity"]["atlas_principal"] = "someone-else"
    path.write_bytes(compact_json(manifest))
    found = verify_locker(locker, pem, CADENCE).problems
    assert [(p.kind, p.path) for p in found] == [("signature", "signature.json"), ("rollback", "manifest.json")]
    assert "digest differs" in found[0].message


def test_another_key_does_not_verify(locker: LocalLocker, kms_key: tuple[Signer, str]) -> None:
    signer, _ = kms_key
    export_one(locker, START, signer)
    stranger = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode()
    found = verify_locker(locker, stranger, CADENCE).problems
    assert [p.message for p in found] == ["no signature verifies with the configured public key"]


def test_missing_signature_when_a_key_is_configured(locker: LocalLocker, kms_key: tuple[Signer, str]) -> None:
    _, pem = kms_key
    export_one(locker, START)
    assert [p.kind for p in verify_locker(locker, pem, CADENCE).problems] == ["unsigned"]


def test_unreadable_public_key_is_bad_input(locker: LocalLocker) -> None:
    with pytest.raises(BadInputError, match="not a readable PEM"):
        verify_locker(locker, "-----BEGIN PUBLIC KEY-----\nnope\n-----END PUBLIC KEY-----\n", CADENCE)


def test_signed_bundles_without_a_key_are_a_problem(locker: LocalLocker, kms_key: tuple[Signer, str]) -> None:
    signer, _ = kms_key
    export_one(locker, START, signer)
    result = verify_locker(locker, None, CADENCE)
    assert [p.kind for p in result.problems] == ["unchecked"]
    assert "no public key" in result.problems[0].message and not result.signatures_checked


def test_skipping_signatures_on_purpose_is_a_note(locker: LocalLocker, kms_key: tuple[Signer, str]) -> None:
    signer, _ = kms_key
    export_one(locker, START, signer)
    result = verify_locker(locker, None, CADENCE, skip_signatures=True)
    assert result.problems == ()
    assert any("--no-signatures" in note for note in result.notes)


def test_an_unsigned_locker_without_a_key_is_fine(locker: LocalLocker) -> None:
    export_one(locker, START)
    assert verify_locker(locker, None, CADENCE).problems == ()
