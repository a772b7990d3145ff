"""Signing a bundle with an AWS KMS asymmetric key and checking it offline.

What is signed is an in-toto Statement v1 whose subject is manifest.json (by sha256) and whose
predicate names the bundle and the signing time (KMS signatures carry no time), wrapped in a DSSE
envelope: KMS signs the DSSE pre-authentication encoding with MessageType=RAW and ECDSA_SHA_256,
which verifies the same way against AWS and moto. `verify` checks it with the PEM public key from
the config, never by calling KMS.
"""
from __future__ import annotations

import base64
import binascii
import json
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from attest.core.errors import BadInputError, EvaluationError
from attest.collector.snapshot import format_time
from attest.evidence.canonical import compact_json
from attest.evidence.manifest import MANIFEST

PAYLOAD_TYPE = "application/vnd.in-toto+json"
STATEMENT_TYPE = "https://in-toto.io/Statement/v1"
PREDICATE_TYPE = "https://github.com/attest/evidence-bundle/v1"
ALGORITHM = "ECDSA_SHA_256"


def statement(bundle_id: str, manifest_sha256: str, signed_at: datetime) -> dict[str, Any]:
    return {
        "_type": STATEMENT_TYPE,
        "subject": [{"name": MANIFEST, "digest": {"sha256": manifest_sha256}}],
        "predicateType": PREDICATE_TYPE,
        "predicate": {"bundle_id": bundle_id, "signed_at": format_time(signed_at)},
    }


def pae(payload_type: str, payload: bytes) -> bytes:
    """DSSE v1 pre-authentication encoding: binds the payload type to the payload."""
    kind = payload_type.encode("utf-8")
    return b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)


def sign_bundle(kms: Any, key_id: str, bundle_id: str, manifest_sha256: str, signed_at: datetime) -> bytes:
    """signature.json: a DSSE envelope signed by KMS (kms:Sign)."""
    payload = compact_json(statement(bundle_id, manifest_sha256, signed_at))
    try:
        answer = kms.sign(
            KeyId=key_id, Message=pae(PAYLOAD_TYPE, payload), MessageType="RAW", SigningAlgorithm=ALGORITHM
        )
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise EvaluationError(f"KMS Sign failed: {code}", where=key_id) from None
    except BotoCoreError as exc:
        raise EvaluationError(f"KMS Sign failed: {exc.__class__.__name__}", where=key_id) from None
    envelope = {
        "payloadType": PAYLOAD_TYPE,
        "payload": base64.b64encode(payload).decode("ascii"),
        "signatures": [
            {"keyid": answer["KeyId"], "sig": base64.b64encode(answer["Signature"]).decode("ascii")}
        ],
    }
    return compact_json(envelope)


def load_public_key(pem: str, where: str) -> ec.EllipticCurvePublicKey:
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError):
        raise BadInputError("the signing public key is not a readable PEM key", where=where) from None
    if not isinstance(key, ec.EllipticCurvePublicKey) or key.curve.name != "secp256r1":
        raise BadInputError("the signing public key must be ECC_NIST_P256 (secp256r1)", where=where)
    return key


def check_signature(
    envelope_bytes: bytes, bundle_id: str, manifest_sha256: str, key: ec.EllipticCurvePublicKey
) -> str | None:
    """None when the envelope is a valid signature over this bundle's manifest; otherwise why not."""
    try:
        envelope = json.loads(envelope_bytes.decode("utf-8"))
        payload = base64.b64decode(envelope["payload"], validate=True)
        signatures = [base64.b64decode(s["sig"], validate=True) for s in envelope["signatures"]]
        claim = json.loads(payload.decode("utf-8"))
        subject = claim["subject"][0]
        if envelope["payloadType"] != PAYLOAD_TYPE or claim["_type"] != STATEMENT_TYPE:
            return "signature.json is not a DSSE-wrapped in-toto Statement v1"
        named, digest = subject["name"], subject["digest"]["sha256"]
        signed_bundle = claim["predicate"]["bundle_id"]
    except (ValueError, KeyError, IndexError, TypeError, binascii.Error):
        return "signature.json is malformed"
    if named != MANIFEST or digest != manifest_sha256:
        return "the signed statement names another manifest.json (digest differs)"
    if signed_bundle != bundle_id:
        return f"the signed statement names bundle {signed_bundle!r}"
    message = pae(envelope["payloadType"], payload)
    for signature in signatures:
        try:
            key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
            return None
        except InvalidSignature:
            continue
    return "no signature verifies with the configured public key"


def signature_key_id(envelope_bytes: bytes) -> str | None:
    """The KMS key id a signature.json names (first signature), for display; None when unreadable."""
    try:
        envelope = json.loads(envelope_bytes.decode("utf-8"))
        key_id = envelope["signatures"][0]["keyid"]
    except (ValueError, KeyError, IndexError, TypeError):
        return None
    return key_id if isinstance(key_id, str) else None
